//! One name per entity within an article, the fullest the article writes: acronyms defined in
//! parentheses, known authorities under their official names, people referred to by part of their
//! name, and companies with and without their legal form.

use std::collections::HashMap;

use super::Mention;
use crate::annotate::gazetteer::authority_called;
use crate::document::EntityLabel;
use crate::identity::without_legal_forms;

static ALIAS: once_cell::sync::Lazy<regex::Regex> =
    once_cell::sync::Lazy::new(|| regex::Regex::new(r"^ \(\s?([\p{L}][\p{L}\p{N}.&-]{1,20})\s?\)").unwrap());

pub fn canonicalize(body: &str, mentions: &mut [Mention]) {
    // Known authorities: "Treasury", "Treasury Department" → "U.S. Department of the Treasury", an
    // organisation whatever the tagger thought. Places that stand for them ("London") stay places.
    for m in mentions.iter_mut() {
        if let Some(authority) = authority_called(&m.text) {
            m.canonical = authority.canonical.clone();
            m.label = EntityLabel::Org;
        }
    }

    // "Office of Foreign Assets Control (OFAC)", "… Automobile Plant (BelAZ)", "Aleksandar Vulin ( Vulin )":
    // the word in parentheses names the same entity from here on.
    let mut aliases: HashMap<String, (String, EntityLabel)> = HashMap::new();
    for m in mentions.iter() {
        let Some(c) = ALIAS.captures(&body[m.end..]) else { continue };
        let alias = &c[1];
        let acronym_like = alias.chars().filter(|ch| ch.is_uppercase()).count() >= 2;
        let part_of_name = m.text.split_whitespace().any(|w| w == alias);
        if alias != m.text && (acronym_like || part_of_name) {
            aliases.insert(alias.to_string(), (m.canonical.clone(), m.label));
        }
    }
    for m in mentions.iter_mut() {
        if let Some((canonical, label)) = aliases.get(m.text.as_str()) {
            m.canonical = canonical.clone();
            m.label = *label;
        }
    }

    // "Kim" or "Blinken" after "Kim Sang Man" / "Antony Blinken", "De Vido" after "Julio De Vido": the
    // most recent full name containing those words in that order (or, failing that, one later in the
    // article).
    let full_names: Vec<(usize, Vec<&str>)> = mentions
        .iter()
        .filter(|m| m.label == EntityLabel::Per && m.text.split_whitespace().count() >= 2)
        .map(|m| (m.start, m.text.split_whitespace().collect()))
        .collect();
    let mut renamed = Vec::new();
    for (i, m) in mentions.iter().enumerate() {
        let words: Vec<&str> = m.text.split_whitespace().collect();
        // The tagger sometimes types a lone surname as an organisation ("Blinken said"); a part of
        // several words must be a person already.
        let may_be_part = match words.len() {
            1 => matches!(m.label, EntityLabel::Per | EntityLabel::Misc | EntityLabel::Org),
            _ => m.label == EntityLabel::Per,
        };
        if !may_be_part {
            continue;
        }
        let contains = |name: &Vec<&str>| name.len() > words.len() && name.windows(words.len()).any(|w| w == words);
        let before = full_names.iter().rev().find(|(start, name)| *start < m.start && contains(name));
        if let Some((_, name)) = before.or_else(|| full_names.iter().find(|(_, name)| contains(name))) {
            renamed.push((i, name.join(" ")));
        }
    }
    for (i, name) in renamed {
        mentions[i].canonical = name;
        mentions[i].label = EntityLabel::Per;
    }

    // "HASSAN TABAJA" in a list and "Hassan Tabaja" in the text, "Alexander Bortnikov" after
    // "Aleksandr Bortnikov": one entity, under the first spelling written in ordinary case.
    let mut spellings: Vec<(EntityLabel, String)> = Vec::new();
    let mut spelling_of = vec![None; mentions.len()];
    for (i, m) in mentions.iter().enumerate() {
        if !matches!(m.label, EntityLabel::Per | EntityLabel::Org | EntityLabel::Misc) {
            continue;
        }
        let same =
            |(label, spelling): &(EntityLabel, String)| *label == m.label && respelt(m.label, spelling, &m.canonical);
        let at = spellings.iter().position(same).unwrap_or_else(|| {
            spellings.push((m.label, m.canonical.clone()));
            spellings.len() - 1
        });
        let in_capitals = |s: &str| !s.chars().any(char::is_lowercase);
        if in_capitals(&spellings[at].1) && !in_capitals(&m.canonical) {
            spellings[at].1 = m.canonical.clone();
        }
        spelling_of[i] = Some(at);
    }
    for (m, at) in mentions.iter_mut().zip(spelling_of) {
        if let Some(at) = at {
            m.canonical = spellings[at].1.clone();
        }
    }

    // "Lockheed Martin" and "Lockheed Martin Corp": one company, under the name with its legal form
    // (the tagger may have typed the short one as MISC).
    let mut fullest: HashMap<String, (usize, String)> = HashMap::new();
    for m in mentions.iter().filter(|m| m.label == EntityLabel::Org) {
        let (bare, forms) = without_legal_forms(&m.canonical);
        if bare.is_empty() || forms == 0 {
            continue;
        }
        let entry = fullest.entry(bare).or_insert((forms, m.canonical.clone()));
        if forms > entry.0 {
            *entry = (forms, m.canonical.clone());
        }
    }
    for m in mentions.iter_mut().filter(|m| matches!(m.label, EntityLabel::Org | EntityLabel::Misc)) {
        if let Some((_, name)) = fullest.get(&without_legal_forms(&m.canonical).0) {
            m.canonical = name.clone();
            m.label = EntityLabel::Org;
        }
    }
}

/// Two spellings of one name: the same but for case; for people, also given names transliterated
/// two ways.
fn respelt(label: EntityLabel, a: &str, b: &str) -> bool {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    a == b || (label == EntityLabel::Per && same_person_respelt(&a, &b))
}

/// Two full names of one person (in lower case): the same surname (the last word) and, word for
/// word, given names that are the same or differ by one letter once the common transliteration
/// choices are folded ("ks"/"x", "y"/"i"): "aleksey"/"alexei", "sergei"/"sergey",
/// "aleksandr"/"alexander".
fn same_person_respelt(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split_whitespace().collect(), b.split_whitespace().collect());
    let fold = |w: &str| w.replace("ks", "x").replace('y', "i");
    let respelt = |x: &&str, y: &&str| {
        x == y
            || (x.chars().next() == y.chars().next()
                && x.chars().count().min(y.chars().count()) >= 4
                && strsim::levenshtein(&fold(x), &fold(y)) <= 1)
    };
    a.len() >= 2 && a.len() == b.len() && a.last() == b.last() && a.iter().zip(&b).all(|(x, y)| respelt(x, y))
}

#[cfg(test)]
mod tests {
    use super::super::recognize;
    use crate::annotate::ner::NerModel;
    use crate::annotate::text::sentences;
    use crate::document::EntityLabel;

    fn canonical_of(body: &str, text: &str) -> (String, EntityLabel) {
        let model = NerModel::load(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner"))).unwrap();
        let (mentions, _) = recognize(body, &sentences(body), &model, None).unwrap();
        let m = mentions.into_iter().find(|m| m.text == text).unwrap_or_else(|| panic!("no mention {text}"));
        (m.canonical, m.label)
    }

    #[test]
    fn resolves_aliases_surnames_and_authorities() {
        let body = "The Office of Foreign Assets Control (OFAC) named Kim Sang Man. Secretary of State Antony Blinken agreed. \
                    Later OFAC said Mr. Kim had fled, and Blinken said the Treasury Department and Treasury agreed.";
        assert_eq!(canonical_of(body, "OFAC"), ("Office of Foreign Assets Control".into(), EntityLabel::Org));
        assert_eq!(canonical_of(body, "Kim"), ("Kim Sang Man".into(), EntityLabel::Per));
        assert_eq!(canonical_of(body, "Blinken"), ("Antony Blinken".into(), EntityLabel::Per));
        assert_eq!(canonical_of(body, "Treasury Department").0, "U.S. Department of the Treasury");
        assert_eq!(canonical_of(body, "Treasury").0, "U.S. Department of the Treasury");
    }

    #[test]
    fn names_take_their_fullest_form() {
        let body = "Treasury designated Julio Miguel De Vido and Global Cleaners S.A.R.L., a firm in Beirut. \
                    De Vido ran the ministry, and Global Cleaners laundered funds for Lockheed Industries. \
                    Lockheed Industries Ltd. denied it.";
        assert_eq!(canonical_of(body, "De Vido"), ("Julio Miguel De Vido".into(), EntityLabel::Per));
        assert_eq!(canonical_of(body, "Global Cleaners").0, "Global Cleaners S.A.R.L.");
        assert_eq!(canonical_of(body, "Lockheed Industries").0, "Lockheed Industries Ltd.");
    }

    #[test]
    fn one_person_under_two_transliterations() {
        let body = "OFAC designated Aleksandr Bortnikov and Arkady Rotenberg. Alexander Bortnikov is the \
                    director of the FSB; Bortnikov and Boris Rotenberg denied it.";
        assert_eq!(canonical_of(body, "Alexander Bortnikov").0, "Aleksandr Bortnikov");
        assert_eq!(canonical_of(body, "Boris Rotenberg").0, "Boris Rotenberg");
        let person = |a, b| super::respelt(EntityLabel::Per, a, b);
        assert!(person("Aleksey Navalny", "Alexei Navalny"));
        assert!(person("Sergei Shoigu", "SERGEY SHOIGU"));
        assert!(!person("Kim Jong Un", "Kim Jong Il"));
        assert!(!person("Arkady Rotenberg", "Boris Rotenberg"));
        assert!(!person("Ali Khan", "Alia Khan"));
        assert!(!super::respelt(EntityLabel::Org, "Aleksey Trading", "Alexei Trading"));
    }

    #[test]
    fn a_name_in_capitals_is_the_name_in_ordinary_case() {
        let body = "The list names HASSAN TABAJA (a Lebanese national). Treasury said Hassan Tabaja ran the firm.";
        assert_eq!(canonical_of(body, "HASSAN TABAJA").0, "Hassan Tabaja");
    }

    #[test]
    fn a_nationality_or_country_before_a_name_stays_apart() {
        let body = "The sanctions hit Syrian Issam Shammout and Special Representative for Iran Brian Hook.";
        assert_eq!(canonical_of(body, "Issam Shammout").1, EntityLabel::Per);
        assert_eq!(canonical_of(body, "Brian Hook").1, EntityLabel::Per);
    }
}
