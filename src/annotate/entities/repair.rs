//! Names the tagger splits or cuts short, made whole: "Golden Lotus Oil Gas | and | Real Estate Joint
//! Stock Company" (a part without a legal form joined to the part that ends with one), a ship's number
//! ("CHIRON | 5", "AL DIAB | II"), the rest of a name written in capitals ("SEA | BIRD"), a legal form
//! left out or taken apart ("Global Cleaners | S.A.R.L.", "Orka Holding | Skopje | DOOEL"), the
//! names of sanctioning authorities ("Foreign | , Commonwealth and | Development Office"), a unit's
//! ordinal ("the 33rd | TsNIII"); names the tagger ran on into, or from, words that are not the name
//! ("President of the | National Electric Corporation", "Iran’s | Islamic Revolutionary Guard
//! Corps"); and two names the tagger took for one ("Pyongyang University of Automation and the
//! Chinyong …", "Tupolev JSC, | JSC Rocket …").

use once_cell::sync::Lazy;
use regex::Regex;

use super::Mention;
use crate::annotate::gazetteer::{AUTHORITIES, COMPANY_WORDS, ORG_WORDS, PERSON_TITLES, authority_named};
use crate::document::EntityLabel;
use crate::identity::{country_named, leading_legal_form, without_legal_forms};

/// A number or Roman numeral that ends a ship's or a unit's name.
static NAME_NUMBER: Lazy<Regex> = Lazy::new(|| Regex::new(r"^ (?:[0-9]{1,3}|[IVX]{1,4})(?:$|[^\p{L}\p{N}])").unwrap());
/// An ordinal after "the", right before a name; the group is the ordinal and its space.
static ORDINAL_BEFORE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?:^|[^\p{L}\p{N}])[Tt]he ([0-9]{1,4}(?:st|nd|rd|th) )$").unwrap());
/// Words in capitals right after a capitalised name: at most three, each of two letters or more.
static CAPITALS_AFTER: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(?: \p{Lu}[\p{Lu}\p{N}'-]+){1,3}(?-u:\b)").unwrap());

/// The names of several words of every authority, matched in any case.
static AUTHORITY_NAMES: Lazy<aho_corasick::AhoCorasick> = Lazy::new(|| {
    let names = AUTHORITIES.iter().flat_map(|a| &a.names).filter(|n| n.contains(' '));
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(names)
        .expect("authority names build an automaton")
});

/// An authority's name written as a name (capitalised, whole words), or starting where a name the
/// tagger found starts ("U.S. | government"), becomes one organisation, replacing the pieces.
fn join_authority_names(body: &str, mentions: &mut Vec<Mention>) {
    for found in AUTHORITY_NAMES.find_iter(body) {
        let (start, end) = (found.start(), found.end());
        let whole_word = !body[..start].chars().next_back().is_some_and(char::is_alphanumeric)
            && !body[end..].chars().next().is_some_and(char::is_alphanumeric);
        let written_as_name = body[start..end]
            .split([' ', ','])
            .filter(|w| w.len() > 3)
            .all(|w| w.starts_with(|c: char| c.is_uppercase()));
        if !whole_word || !(written_as_name || mentions.iter().any(|m| m.start == start)) {
            continue;
        }
        let inside = |m: &Mention| m.start >= start && m.end <= end;
        let crosses = |m: &Mention| m.start < end && start < m.end && !inside(m);
        if mentions.iter().any(crosses) || mentions.iter().any(|m| m.start == start && m.end == end) {
            continue;
        }
        mentions.retain(|m| !inside(m));
        let at = mentions.partition_point(|m| m.start < start);
        mentions.insert(at, Mention::new(body, start, end, EntityLabel::Org));
    }
}

/// A name followed by its legal form, with at most a place word between ("Orka Holding Skopje DOOEL"),
/// becomes one organisation, whatever the tagger made of the legal form and the place.
fn join_legal_forms(body: &str, mentions: &mut Vec<Mention>) {
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    let mut i = 0;
    while i < mentions.len() {
        let m = &mentions[i];
        let rest = &mentions[i + 1..];
        // The place word: the next mention, one space after the name.
        let place_end = rest
            .first()
            .filter(|next| next.label == EntityLabel::Loc && next.start == m.end + 1 && !next.text.contains(' '))
            .map(|next| next.end);
        let end = [place_end, Some(m.end)]
            .into_iter()
            .flatten()
            .find_map(|from| leading_legal_form(&body[from..]).map(|length| from + length))
            .filter(|_| is_name(m));
        // What the tagger found inside the legal form (or the place) becomes part of the name; a
        // mention that runs past it keeps the two apart.
        let inside = end.map_or(0, |end| rest.iter().take_while(|n| n.start < end).count());
        match end {
            Some(end) if rest[..inside].iter().all(|n| n.end <= end) => {
                out.push(Mention::new(body, m.start, end, EntityLabel::Org));
                i += 1 + inside;
            }
            // "Global Cleaners S.A.R.L. | Tabaja and …": the form's full stop ended the sentence, and
            // the tagger ran on into the next one; that name starts after the form.
            Some(end)
                if inside > 0
                    && rest[..inside - 1].iter().all(|n| n.end <= end)
                    && body[..end].ends_with('.')
                    && body[end..].starts_with(' ')
                    && rest[inside - 1].end > end + 1 =>
            {
                out.push(Mention::new(body, m.start, end, EntityLabel::Org));
                let next = &rest[inside - 1];
                out.push(Mention::new(body, end + 1, next.end, next.label));
                i += 1 + inside;
            }
            _ => {
                out.push(m.clone());
                i += 1;
            }
        }
    }
    *mentions = out;
}

/// Where a mention joins two names, as (end of the first, start of the second): "X and the Y", both
/// capitalised, or "Tupolev JSC, JSC Rocket …", a legal form after a comma that starts a further
/// name. No one name is written either way.
fn second_name(m: &Mention) -> Option<(usize, usize)> {
    const AND_THE: &str = " and the ";
    if !is_name(m) || !m.text.starts_with(char::is_uppercase) {
        return None;
    }
    let and_the = m.text.find(AND_THE).map(|at| (at, at + AND_THE.len()));
    let comma_form = || {
        m.text.match_indices(", ").map(|(at, _)| at).find_map(|at| {
            let form = leading_legal_form(&m.text[at..])?;
            let mut after = m.text[at + form..].chars();
            (after.next() == Some(' ') && after.next().is_some_and(char::is_uppercase)).then_some((at, at + 2))
        })
    };
    and_the.filter(|&(_, second)| m.text[second..].starts_with(char::is_uppercase)).or_else(comma_form)
}

fn split_two_names(body: &str, mentions: &mut Vec<Mention>) {
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for m in mentions.drain(..) {
        match second_name(&m) {
            Some((first_end, second_start)) => {
                out.push(Mention::new(body, m.start, m.start + first_end, m.label));
                out.push(Mention::new(body, m.start + second_start, m.end, m.label));
            }
            None => out.push(m),
        }
    }
    *mentions = out;
}

/// Words a name may be written after that are not part of it: an office held in the organisation
/// ("President of the National Electric Corporation"), or a country's possessive before a name
/// that has its own acronym ("Iran’s Islamic Revolutionary Guard Corps (IRGC)"). The name is what
/// follows, when it reads as one. A possessive before a name without one stays: "Iran's Central
/// Bank" is not any central bank.
fn drop_what_precedes_names(body: &str, mentions: &mut [Mention]) {
    for m in mentions.iter_mut().filter(|m| is_name(m)) {
        let Some((first, rest)) = m.text.split_once(' ') else { continue };
        let office = || {
            let name = rest.strip_prefix("of the ").or_else(|| rest.strip_prefix("of "))?;
            let reads_as_organisation =
                name.split_whitespace().count() >= 2 && name.split_whitespace().any(|w| ORG_WORDS.contains(w));
            (PERSON_TITLES.contains(first) && reads_as_organisation).then_some(name)
        };
        let owner = first.strip_suffix("’s").or_else(|| first.strip_suffix("'s"));
        let has_acronym = body[m.end..].starts_with(" (");
        let possessive = || owner.filter(|owner| has_acronym && country_named(owner).is_some()).map(|_| rest);
        if let Some(name) = office().or_else(possessive).filter(|name| name.starts_with(char::is_uppercase)) {
            *m = Mention::new(body, m.end - name.len(), m.end, EntityLabel::Org);
        }
    }
}

/// "the 33rd TsNIII", "the 27th Scientific Center": an ordinal between "the" and a name numbers that
/// unit and belongs to its name.
fn take_in_ordinals(body: &str, mentions: &mut [Mention]) {
    let mut previous_end = 0;
    for m in mentions.iter_mut() {
        let before = between(body, previous_end, m.start);
        previous_end = m.end;
        if !is_name(m) || !m.text.starts_with(char::is_uppercase) {
            continue;
        }
        let Some(ordinal) = ORDINAL_BEFORE.captures(before).and_then(|c| c.get(1)) else { continue };
        let start = m.start - (before.len() - ordinal.start());
        *m = Mention::new(body, start, m.end, EntityLabel::Org);
    }
}

/// Whether `m`, written `gap` after the name before it, is that name's tail: a legal form alone
/// after a space or a comma, or one word and a legal form after a space ("Trading Co."). After a
/// comma, a word and a form are a name of their own ("Gazprom, Rosneft PJSC").
fn is_name_tail(m: &Mention, gap: &str) -> bool {
    if !matches!(m.label, EntityLabel::Org | EntityLabel::Misc) || !m.text.starts_with(char::is_uppercase) {
        return false;
    }
    let (bare, forms) = without_legal_forms(&m.text);
    let words = bare.split_whitespace().count();
    forms > 0
        && match gap {
            " " => words <= 1,
            ", " => words == 0,
            _ => false,
        }
}

/// The text from `end` (of one mention) to `start` (of the next); empty where the two overlap, as
/// the tagger's spans and the repairs above can make them.
fn between(body: &str, end: usize, start: usize) -> &str {
    body.get(end..start).unwrap_or("")
}

fn is_name(m: &Mention) -> bool {
    matches!(m.label, EntityLabel::Org | EntityLabel::Misc) && authority_named(&m.text).is_none()
}

fn has_company_word(text: &str) -> bool {
    text.split_whitespace().any(|w| COMPANY_WORDS.contains(w.trim_end_matches(',')))
}

fn ends_with_company_word(text: &str) -> bool {
    text.split_whitespace().next_back().is_some_and(|w| COMPANY_WORDS.contains(w))
}

fn is_capitals(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// Repairs `mentions` (sorted by position) in place.
pub fn repair(body: &str, mentions: &mut Vec<Mention>) {
    join_authority_names(body, mentions);
    split_two_names(body, mentions);
    join_legal_forms(body, mentions);
    drop_what_precedes_names(body, mentions);
    take_in_ordinals(body, mentions);
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for m in mentions.drain(..) {
        if let Some(previous) = out.last_mut()
            && is_name(previous)
            && m.label == EntityLabel::Org
            && matches!(between(body, previous.end, m.start), " and " | " & ")
            && !has_company_word(&previous.text)
            && ends_with_company_word(&m.text)
        {
            *previous = Mention::new(body, previous.start, m.end, EntityLabel::Org);
            continue;
        }
        // "Hongda | Technology Co. Ltd.", "Grupo Minero, | S.A. de C.V.": the tail of a long name, which
        // the tagger took for a name of its own, is never one.
        if let Some(previous) = out.last_mut()
            && is_name_tail(&m, between(body, previous.end, m.start))
            && authority_named(&previous.text).is_none()
        {
            *previous = Mention::new(body, previous.start, m.end, EntityLabel::Org);
            continue;
        }
        // "Alexey Valeryevich | MININ": official lists write the surname in capitals, and the tagger
        // may take it for something else. Shorter words in capitals are mostly acronyms ("GRU").
        if let Some(previous) = out.last_mut()
            && previous.label == EntityLabel::Per
            && !is_capitals(&previous.text)
            && m.label != EntityLabel::Loc
            && !m.text.contains(' ')
            && is_capitals(&m.text)
            && m.text.chars().filter(|c| c.is_alphabetic()).count() >= 5
            && between(body, previous.end, m.start) == " "
            && authority_named(&m.text).is_none()
        {
            *previous = Mention::new(body, previous.start, m.end, EntityLabel::Per);
            continue;
        }
        out.push(m);
    }
    let starts: Vec<usize> = out.iter().map(|m| m.start).collect();
    for (i, m) in out.iter_mut().enumerate() {
        if !is_name(m) {
            continue;
        }
        let next_start = starts.get(i + 1).copied().unwrap_or(body.len());
        let after = between(body, m.end, next_start);
        let extension = if let Some(number) = NAME_NUMBER.find(after) {
            Some(number.as_str().trim_end_matches(|c: char| !c.is_alphanumeric()).len())
        } else if is_capitals(&m.text) {
            CAPITALS_AFTER.find(after).map(|c| c.end())
        } else {
            None
        };
        if let Some(length) = extension {
            *m = Mention::new(body, m.start, m.end + length, m.label);
        }
    }
    *mentions = out;
}

#[cfg(test)]
mod tests {
    use super::super::mentions_at;
    use super::*;

    fn repaired(body: &str, spans: &[(&str, EntityLabel)]) -> Vec<String> {
        let mut mentions = mentions_at(body, spans);
        repair(body, &mut mentions);
        mentions.into_iter().map(|m| m.text).collect()
    }

    #[test]
    fn joins_split_companies_and_completes_ship_names() {
        let body = "OFAC named Golden Lotus Oil Gas and Real Estate Joint Stock Company, the CHIRON 5, AL DIAB II and SEA BIRD.";
        let names = repaired(
            body,
            &[
                ("Golden Lotus Oil Gas", EntityLabel::Org),
                ("Real Estate Joint Stock Company", EntityLabel::Org),
                ("CHIRON", EntityLabel::Org),
                ("AL DIAB", EntityLabel::Org),
                ("SEA", EntityLabel::Org),
            ],
        );
        assert_eq!(
            names,
            ["Golden Lotus Oil Gas and Real Estate Joint Stock Company", "CHIRON 5", "AL DIAB II", "SEA BIRD"]
        );
    }

    #[test]
    fn overlapping_mentions_are_read_without_a_panic() {
        // The tagger's spans may overlap after repairs; the text between them is then empty.
        let body = "Puig's first novel, \" Bertillon 166, \" was published in 1960 by the 2nd Havana Press.";
        let mut mentions =
            mentions_at(body, &[("Bertillon 166", EntityLabel::Misc), ("166, \" was", EntityLabel::Misc)]);
        mentions.push(Mention::new(body, body.find("Havana").unwrap(), body.len() - 1, EntityLabel::Org));
        repair(body, &mut mentions);
        assert!(mentions.iter().any(|m| m.text.ends_with("Havana Press")), "{mentions:?}");
    }

    #[test]
    fn the_tail_of_a_long_name_is_not_a_name_of_its_own() {
        let body = "It listed Shenzhen Hongda Technology Co. Ltd., Grupo Minero Delta, S.A. de C.V. and Gazprom, Rosneft PJSC.";
        let names = repaired(
            body,
            &[
                ("Shenzhen Hongda", EntityLabel::Loc),
                ("Technology Co. Ltd.", EntityLabel::Org),
                ("Grupo Minero Delta", EntityLabel::Per),
                ("S.A. de C.V.", EntityLabel::Org),
                ("Gazprom", EntityLabel::Org),
                ("Rosneft PJSC", EntityLabel::Org),
            ],
        );
        assert_eq!(
            names,
            ["Shenzhen Hongda Technology Co. Ltd.", "Grupo Minero Delta, S.A. de C.V.", "Gazprom", "Rosneft PJSC"]
        );
    }

    #[test]
    fn a_legal_form_that_ends_a_sentence_stays_with_its_company() {
        let body = "It named Global Cleaners S.A.R.L. Tabaja and his firms were named before.";
        let names = repaired(body, &[("Global Cleaners", EntityLabel::Org), ("S.A.R.L. Tabaja", EntityLabel::Per)]);
        assert_eq!(names, ["Global Cleaners S.A.R.L.", "Tabaja"]);
    }

    #[test]
    fn a_surname_in_capitals_stays_with_the_given_names() {
        let body = "The EU listed Alexey Valeryevich MININ (Russia) and Ivan Petrov GRU officers.";
        let names = repaired(
            body,
            &[
                ("Alexey Valeryevich", EntityLabel::Per),
                ("MININ", EntityLabel::Misc),
                ("Russia", EntityLabel::Loc),
                ("Ivan Petrov", EntityLabel::Per),
                ("GRU", EntityLabel::Org),
            ],
        );
        assert_eq!(names, ["Alexey Valeryevich MININ", "Russia", "Ivan Petrov", "GRU"]);
    }

    #[test]
    fn joins_an_authority_name_the_tagger_split() {
        let body = "The Foreign, Commonwealth and Development Office said the foreign office of HM Treasury agreed.";
        let names = repaired(
            body,
            &[
                ("Foreign", EntityLabel::Misc),
                ("Development Office", EntityLabel::Org),
                ("HM Treasury", EntityLabel::Org),
            ],
        );
        assert_eq!(names, ["Foreign, Commonwealth and Development Office", "HM Treasury"]);
    }

    #[test]
    fn joins_legal_forms_left_out_or_taken_apart() {
        let body = "It named Global Cleaners S.A.R.L., a firm, Orka Holding Skopje DOOEL and Kappa Trading Co., Ltd. \
                    Rosneft said limited supplies went to Lambda Ltd.";
        let names = repaired(
            body,
            &[
                ("Global Cleaners", EntityLabel::Org),
                ("S.A.R.L.", EntityLabel::Org),
                ("Orka Holding", EntityLabel::Org),
                ("Skopje", EntityLabel::Loc),
                ("Kappa Trading", EntityLabel::Org),
                ("Rosneft", EntityLabel::Org),
                ("Lambda Ltd", EntityLabel::Org),
            ],
        );
        assert_eq!(
            names,
            [
                "Global Cleaners S.A.R.L.",
                "Orka Holding Skopje DOOEL",
                "Kappa Trading Co., Ltd.",
                "Rosneft",
                "Lambda Ltd"
            ]
        );
    }

    #[test]
    fn splits_two_names_joined_by_and_the() {
        let body = "It named Pyongyang University of Automation and the Chinyong Information Technology Company.";
        let whole = "Pyongyang University of Automation and the Chinyong Information Technology Company";
        assert_eq!(
            repaired(body, &[(whole, EntityLabel::Org)]),
            ["Pyongyang University of Automation", "Chinyong Information Technology Company"]
        );
    }

    #[test]
    fn splits_two_names_where_a_legal_form_starts_the_second() {
        let body = "The list adds Sukhoi, Tupolev JSC, JSC Rocket Center and Kappa Trading Co., Ltd. today.";
        let names = repaired(
            body,
            &[
                ("Sukhoi", EntityLabel::Org),
                ("Tupolev JSC, JSC Rocket Center", EntityLabel::Org),
                ("Kappa Trading Co., Ltd.", EntityLabel::Org),
            ],
        );
        assert_eq!(names, ["Sukhoi", "Tupolev JSC", "JSC Rocket Center", "Kappa Trading Co., Ltd."]);
    }

    #[test]
    fn an_office_or_a_country_before_a_name_is_not_part_of_it() {
        let body = "Motta, President of the National Electric Corporation, met the President of the United States.";
        let names = repaired(
            body,
            &[
                ("President of the National Electric Corporation", EntityLabel::Org),
                ("President of the United States", EntityLabel::Org),
            ],
        );
        assert_eq!(names, ["National Electric Corporation", "President of the United States"]);
        let body = "Iran’s Islamic Revolutionary Guard Corps (IRGC) and Iran's Central Bank, not Farid's Trading (FT).";
        let names = repaired(
            body,
            &[
                ("Iran’s Islamic Revolutionary Guard Corps", EntityLabel::Org),
                ("Iran's Central Bank", EntityLabel::Org),
                ("Farid's Trading", EntityLabel::Org),
            ],
        );
        assert_eq!(names, ["Islamic Revolutionary Guard Corps", "Iran's Central Bank", "Farid's Trading"]);
    }

    #[test]
    fn an_ordinal_after_the_numbers_the_unit() {
        let body = "State designated the 33rd TsNIII, the 27th Scientific Center and, on the 3rd, Rostec.";
        let names = repaired(
            body,
            &[("TsNIII", EntityLabel::Misc), ("Scientific Center", EntityLabel::Org), ("Rostec", EntityLabel::Org)],
        );
        assert_eq!(names, ["33rd TsNIII", "27th Scientific Center", "Rostec"]);
    }

    #[test]
    fn keeps_two_companies_with_their_own_legal_forms_apart() {
        let body = "It listed Alpha Trading LLC and Beta Shipping Co. Ltd as well as Gamma Corp and Delta Inc.";
        let names = repaired(
            body,
            &[
                ("Alpha Trading LLC", EntityLabel::Org),
                ("Beta Shipping Co. Ltd", EntityLabel::Org),
                ("Gamma Corp", EntityLabel::Org),
                ("Delta Inc", EntityLabel::Org),
            ],
        );
        assert_eq!(names, ["Alpha Trading LLC", "Beta Shipping Co. Ltd", "Gamma Corp", "Delta Inc"]);
    }
}
