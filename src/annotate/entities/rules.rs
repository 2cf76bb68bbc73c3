//! Names whose own words say what they are: runs of capitalised words joined by name connectors
//! ("of", "and", "bin") that hold an organisation noun ("Ministry", "Company", "LLC"), end in a
//! legal-instrument word ("Act"), or follow a title ("Prosecutor General Igor Krasnov").
//!
//! The neural tagger, trained on news, cuts long legal names short ("Nasser Ghasemi Rad and
//! Associates Partnership Company", "Open Joint Stock Company Minsk Automobile Plant"); these spans
//! take precedence over the tagger's where they cover them (see `super::merge`).

use std::ops::Range;

use once_cell::sync::Lazy;
use regex::Regex;

use super::Mention;
use crate::annotate::gazetteer::{MODIFIER_SUFFIXES, NOT_NAME_STARTS, ORG_WORDS, PERSON_TITLES, PLACES};
use crate::document::EntityLabel;

static TOKEN: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?:\p{Lu}\.){2,}\p{Lu}?|[\p{L}\p{N}]+(?:[\-'’&][\p{L}\p{N}]+)*").unwrap());

/// A nickname in quotes, or a one-letter marker in parentheses ("Wee Tiong (S) Pte Ltd"), inside a name.
static NICKNAME: Lazy<Regex> = Lazy::new(|| Regex::new(r#"^ (?:[«“"] ?[^»”"\n]{1,30}? ?[»”"]|\(\p{Lu}\)) "#).unwrap());

/// Abbreviations whose trailing period belongs to the word.
const DOTTED: &[&str] =
    &["Mr", "Mrs", "Ms", "Dr", "Co", "Corp", "Inc", "Ltd", "St", "Jr", "Sr", "Gen", "Lt", "Col", "Sen", "Rep", "No"];

/// Words that "and" joins into a firm's name.
const AND_PARTNERS: &[&str] = &["Associates", "Partners", "Sons", "Company", "Co.", "Brothers", "Daughters"];

/// Lower-case words allowed inside a name when capitalised words follow.
const CONNECTORS: &[&str] =
    &["of", "for", "the", "de", "del", "da", "der", "van", "von", "bin", "al", "el", "la", "le", "and"];

/// Words that start a title rather than a name ("Secretary of State Antony Blinken").
const TITLE_HEADS: &[&str] = &[
    "Mr",
    "Mr.",
    "Mrs",
    "Mrs.",
    "Ms",
    "Ms.",
    "Dr",
    "Dr.",
    "President",
    "Vice",
    "Prime",
    "Minister",
    "Secretary",
    "Undersecretary",
    "Under",
    "Deputy",
    "Chancellor",
    "Senator",
    "Sen.",
    "Rep.",
    "General",
    "Gen.",
    "Ambassador",
    "Governor",
    "King",
    "Queen",
    "Prince",
    "Sheikh",
    "Judge",
    "Director",
    "Chairman",
    "Leader",
    "Foreign",
    "Defense",
    "Defence",
    "Finance",
    "Premier",
];

const LAW_ENDINGS: &[&str] = &["Act", "Law", "Regulation", "Order", "Resolution", "Decree", "Directive"];

struct Token<'a> {
    text: &'a str,
    range: Range<usize>,
}

impl Token<'_> {
    /// Capitalised and able to be part of a name: "Belgium-based" describes a name, it is not one.
    fn is_capitalised(&self) -> bool {
        self.text.chars().next().is_some_and(char::is_uppercase)
            && !MODIFIER_SUFFIXES.iter().any(|suffix| self.text.ends_with(suffix))
    }

    fn is_ordinal(&self) -> bool {
        let digits = self.text.trim_end_matches(char::is_alphabetic);
        !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && matches!(&self.text[digits.len()..], "st" | "nd" | "rd" | "th")
    }

    /// "Russia's" → "Russia"
    fn possessive_stem(&self) -> Option<&str> {
        self.text.strip_suffix("'s").or_else(|| self.text.strip_suffix("’s"))
    }
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    TOKEN
        .find_iter(text)
        .map(|m| {
            let mut end = m.end();
            if DOTTED.contains(&m.as_str()) && text[end..].starts_with('.') {
                end += 1;
            }
            Token { text: &text[m.start()..end], range: m.start()..end }
        })
        .collect()
}

/// Legal-form suffixes that follow a company name after a comma ("Xinhe Electronics Co., Ltd.").
const COMMA_SUFFIXES: &[&str] =
    &["Ltd", "Ltd.", "Inc", "Inc.", "LLC", "L.L.C.", "Limited", "Corp.", "S.A.", "PLC", "GmbH", "JSC"];

/// Tokens separated by a single run of spaces (no punctuation, no line break) may share a name, and
/// so may a company name and its legal form after a comma.
fn adjacent(text: &str, a: &Token, b: &Token) -> bool {
    let gap = &text[a.range.end..b.range.start];
    (!gap.is_empty() && gap.chars().all(|c| c == ' ') && gap.len() <= 2)
        || (gap == ", " && COMMA_SUFFIXES.contains(&b.text))
}

pub fn find_names(text: &str, taken: &[Range<usize>]) -> Vec<Mention> {
    let toks = tokens(text);
    let is_taken = |r: &Range<usize>| taken.iter().any(|t| t.start < r.end && r.start < t.end);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let starts_name = (t.is_capitalised() && !NOT_NAME_STARTS.contains(t.text) && !is_taken(&t.range))
            || (t.is_ordinal() && toks.get(i + 1).is_some_and(|n| n.is_capitalised() && adjacent(text, t, n)));
        if !starts_name {
            i += 1;
            continue;
        }
        // Extend over capitalised words and connectors followed by capitalised words.
        let mut j = i;
        loop {
            if toks[j].possessive_stem().is_some() {
                // "Iran's Ministry of Defense" is one name; "Pyongyang's weapons" ends at the possessive.
                let continues = PLACES.contains(toks[j].possessive_stem().unwrap_or_default())
                    || toks[j].text.starts_with("People");
                if !continues || !toks.get(j + 1).is_some_and(|n| n.is_capitalised() && adjacent(text, &toks[j], n)) {
                    break;
                }
            }
            // Wilson « Ti Lou » Pierre, Wee Tiong (S) Pte Ltd.
            if let Some(m) = NICKNAME.find(&text[toks[j].range.end..]) {
                let resume = toks[j].range.end + m.end();
                if let Some(k) = toks.iter().position(|t| t.range.start == resume).filter(|&k| toks[k].is_capitalised())
                {
                    j = k;
                    continue;
                }
            }
            let Some(next) = toks.get(j + 1) else { break };
            if !adjacent(text, &toks[j], next) || is_taken(&next.range) {
                break;
            }
            // "Evil Corp. This group": after an abbreviation's period, a word that never starts a name
            // starts the next sentence.
            if toks[j].text.ends_with('.') && NOT_NAME_STARTS.contains(next.text) {
                break;
            }
            if next.is_capitalised() {
                j += 1;
                continue;
            }
            // Up to two connectors ("of the") before the next capitalised word.
            let mut k = j + 1;
            while k < toks.len()
                && k <= j + 2
                && CONNECTORS.contains(&toks[k].text)
                && adjacent(text, &toks[k - 1], &toks[k])
            {
                k += 1;
            }
            let joined_by_and = toks[j + 1..k].iter().any(|t| t.text == "and");
            // "X and Associates Partnership Company", "Bosnia and Herzegovina".
            let and_joins_name = toks.get(k).is_some_and(|n| AND_PARTNERS.contains(&n.text))
                || toks.get(k).is_some_and(|n| PLACES.contains(&text[toks[i].range.start..n.range.end]));
            let continues = k > j + 1
                && toks.get(k).is_some_and(|n| n.is_capitalised() && adjacent(text, &toks[k - 1], n) && !is_taken(&n.range))
                // "and" joins only inside organisation names ("Ministry of Defense and Armed Forces Logistics").
                && (!joined_by_and
                    || and_joins_name
                    || toks[i..=j].iter().any(|t| t.text == "of") && toks[i..=j].iter().any(|t| ORG_WORDS.contains(t.text)));
            if continues {
                j = k;
            } else {
                break;
            }
        }
        if let Some(mention) = classify(text, &toks[i..=j]) {
            out.push(mention);
        }
        i = j + 1;
    }
    out
}

/// Types a run of name words by its words, stripping titles; `None` when the words do not type it.
fn classify(text: &str, run: &[Token]) -> Option<Mention> {
    let words: Vec<&str> = run.iter().map(|t| t.text).collect();
    let last = *words.last()?;
    let last_core = run.last().and_then(Token::possessive_stem).unwrap_or(last);
    let has_org_word = words.iter().any(|w| ORG_WORDS.contains(w) || ORG_WORDS.contains(w.trim_end_matches("'s")));

    // Titles: "Secretary of State Antony Blinken" → "Antony Blinken".
    let mut first = 0;
    if TITLE_HEADS.contains(&words[0]) && !ORG_WORDS.contains(last_core) {
        while first < run.len() && (PERSON_TITLES.contains(words[first]) || CONNECTORS.contains(&words[first])) {
            first += 1;
        }
        if first == run.len() {
            return None;
        }
    } else if let Some(split) = person_after_title(&words) {
        // "Prosecutor General Igor Krasnov", "Chief of the Presidential Policy Directorate Andrei Yarin".
        first = split;
    }
    let name = &run[first..];
    let start = name[0].range.start;
    let end = match run.last().and_then(Token::possessive_stem) {
        Some(stem) => run.last()?.range.start + stem.len(),
        None => run.last()?.range.end,
    };
    let name_words = name.len();
    let surface = &text[start..end];
    // Names the words do not type (places, plain person names, acronyms) are left to the tagger.
    let label = if first > 0 || surface.contains(['«', '“', '"']) {
        // After a title, or with a nickname inside ("Wilson « Ti Lou » Pierre").
        EntityLabel::Per
    } else if LAW_ENDINGS.contains(&last_core) && name_words > 1 {
        EntityLabel::Law
    } else if has_org_word {
        EntityLabel::Org
    } else if text[end..].trim_start().starts_with("(IMO") {
        // A ship, named by the IMO number that follows it ("SEA PEARL (IMO 9182203)").
        EntityLabel::Misc
    } else {
        return None;
    };
    Some(Mention::new(text, start, end, label))
}

/// Where a person's name starts after a title or office that opens the run: after the last title or
/// organisation word, when two to four plain name words follow it.
fn person_after_title(words: &[&str]) -> Option<usize> {
    // Modifiers ("Foreign", "Deputy") come before the word that ends a title, never last.
    let is_office_word = |w: &&str| {
        (PERSON_TITLES.contains(w) || ORG_WORDS.contains(w) || OFFICE_WORDS.contains(w)) && !TITLE_MODIFIERS.contains(w)
    };
    let last_office = words.iter().rposition(is_office_word)?;
    let tail = &words[last_office + 1..];
    let plain_name = (2..=4).contains(&tail.len())
        && tail.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars().all(|c| c.is_alphabetic() || "-'’.".contains(c))
                && !CONNECTORS.contains(w)
                && !PLACES.contains(w)
        });
    (plain_name && words[..=last_office].iter().any(|w| PERSON_TITLES.contains(w) || OFFICE_WORDS.contains(w)))
        .then_some(last_office + 1)
}

const TITLE_MODIFIERS: &[&str] = &[
    "Foreign",
    "Defense",
    "Defence",
    "State",
    "Finance",
    "Interior",
    "Trade",
    "Economy",
    "Executive",
    "High",
    "Supreme",
    "Acting",
    "Former",
    "Vice",
    "Deputy",
    "Under",
    "Assistant",
    "Prime",
    "Treasury",
];

/// Words of office titles that are not titles on their own ("Prosecutor General", "Head of").
const OFFICE_WORDS: &[&str] = &["Prosecutor", "Head", "Chief", "Officer", "Attorney", "Inspector", "Auditor", "Envoy"];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<(String, EntityLabel)> {
        find_names(text, &[]).into_iter().map(|m| (m.text, m.label)).collect()
    }

    #[test]
    fn types_names_by_their_words() {
        assert_eq!(
            names(
                "Secretary of State Antony Blinken said the Pyongyang University of Automation and the 110th Research Center were hit."
            ),
            vec![
                ("Antony Blinken".into(), EntityLabel::Per),
                ("Pyongyang University of Automation".into(), EntityLabel::Org),
                ("110th Research Center".into(), EntityLabel::Org),
            ]
        );
        // Names their words do not type are the tagger's.
        assert_eq!(
            names("Also sanctioned was Kim Sang Man, based in Vladivostok, in Russia's far east and Laos."),
            vec![]
        );
    }

    #[test]
    fn and_joins_only_organisation_names() {
        assert_eq!(
            names("Iran's Ministry of Defense and Armed Forces Logistics paid Russia and Laos."),
            vec![("Iran's Ministry of Defense and Armed Forces Logistics".into(), EntityLabel::Org)]
        );
    }

    #[test]
    fn a_word_that_never_starts_a_name_after_an_abbreviation_starts_a_sentence() {
        assert_eq!(
            names("It sanctioned Evil Corp. This group is known for ransomware."),
            vec![("Evil Corp.".into(), EntityLabel::Org)]
        );
    }
}
