//! Identities of entities across articles, shared by annotation (which gives each mention one) and
//! the index (which finds an entity by name): countries under their ISO 3166 code, with names and
//! demonyms from the keshvar crate plus the short forms news uses (`country-names.tsv`), and other
//! names under a fingerprint that ignores case, accents, punctuation and how a legal form is
//! spelled (`legal-forms.txt`).

use std::collections::HashMap;

use once_cell::sync::Lazy;
use unicode_normalization::UnicodeNormalization;

use crate::document::{EntityKey, EntityLabel};

/// A country (or the EU) as entity keys name it.
pub struct Country {
    /// ISO 3166 alpha-2 code, or `EU`.
    pub code: String,
    /// The short name news uses ("United States", "North Korea").
    pub name: String,
}

struct Countries {
    list: Vec<Country>,
    /// Lookup form of a name → index into `list`.
    by_name: HashMap<String, usize>,
    by_demonym: HashMap<String, usize>,
}

/// A name as country and authority lookups see it: no leading "the", no possessive, no full stops
/// ("U.S" = "US"), one kind of apostrophe, lower case.
pub fn lookup_form(text: &str) -> String {
    let text = text.trim().replace('’', "'").replace('.', "");
    let text = text.strip_suffix("'s").unwrap_or(&text);
    let lower = text.to_lowercase();
    lower.strip_prefix("the ").unwrap_or(&lower).to_string()
}

static COUNTRIES: Lazy<Countries> = Lazy::new(|| {
    let mut countries = Countries { list: Vec::new(), by_name: HashMap::new(), by_demonym: HashMap::new() };
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for c in keshvar::CountryIterator::new() {
        // keshvar's short names are ISO's ("Korea (Republic of)"); an unofficial English one reads better.
        let plain = |n: &&&str| n.is_ascii() && !n.contains(['(', ',']);
        let name = c.unofficial_name_list().iter().find(plain).copied().unwrap_or(c.iso_short_name());
        let i = countries.list.len();
        countries.list.push(Country { code: c.alpha2().to_string(), name: name.to_string() });
        index_of.insert(c.alpha2().to_string(), i);
        for n in [c.iso_short_name(), c.iso_long_name()].into_iter().chain(c.unofficial_name_list().iter().copied()) {
            countries.by_name.entry(lookup_form(n)).or_insert(i);
        }
        if let Some(demonym) = c.maybe_nationality() {
            countries.by_demonym.entry(lookup_form(demonym)).or_insert(i);
        }
    }
    // What news writes that ISO does not; these win over keshvar's names where both claim a form.
    for line in include_str!("country-names.tsv").lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [code, name, others, demonyms] = fields[..] else { continue };
        let i = *index_of.entry(code.to_string()).or_insert_with(|| {
            countries.list.push(Country { code: code.to_string(), name: name.to_string() });
            countries.list.len() - 1
        });
        countries.list[i].name = name.to_string();
        for n in std::iter::once(name).chain(others.split('|')).filter(|n| !n.is_empty()) {
            countries.by_name.insert(lookup_form(n), i);
        }
        for d in demonyms.split('|').filter(|d| !d.is_empty()) {
            countries.by_demonym.insert(lookup_form(d), i);
        }
    }
    countries
});

/// The country a place name names ("U.S.", "Britain", "Russian Federation").
pub fn country_named(text: &str) -> Option<&'static Country> {
    COUNTRIES.by_name.get(&lookup_form(text)).map(|&i| &COUNTRIES.list[i])
}

/// The country (or `EU`) with this code.
pub fn country_with_code(code: &str) -> Option<&'static Country> {
    COUNTRIES.list.iter().find(|c| c.code == code)
}

/// The country a nationality word names ("Russian", "North Koreans").
pub fn country_of_demonym(text: &str) -> Option<&'static Country> {
    let form = lookup_form(text);
    let singular = form.strip_suffix('s').unwrap_or(&form);
    COUNTRIES.by_demonym.get(&form).or_else(|| COUNTRIES.by_demonym.get(singular)).map(|&i| &COUNTRIES.list[i])
}

/// Legal-form spellings (as token sequences) → the form keys use.
static LEGAL_FORMS: Lazy<Vec<(Vec<&'static str>, &'static str)>> = Lazy::new(|| {
    let mut forms: Vec<(Vec<&'static str>, &'static str)> = crate::data_file::entries(include_str!("legal-forms.txt"))
        .filter_map(|l| l.split_once(':'))
        .flat_map(|(key, spellings)| {
            // The key is a spelling too ("LLC", "JSC"), whether or not the line repeats it.
            let key = key.trim();
            std::iter::once(key).chain(spellings.split('|')).map(move |s| (s.split_whitespace().collect(), key))
        })
        .collect();
    // Longest spelling first, so "public joint stock company" wins over "joint stock company".
    forms.sort_by_key(|(tokens, _)| std::cmp::Reverse(tokens.len()));
    forms
});

/// A name's words without case, accents, full stops or other punctuation, and without a leading
/// "the"; for organisations, legal forms in one spelling ("Co., Ltd." and "Company Limited": "co ltd").
pub fn fingerprint(name: &str, label: EntityLabel) -> String {
    let words = words_of(name);
    if !matches!(label, EntityLabel::Org) {
        return words.join(" ");
    }
    let parts: Vec<&str> = organisation_words(&words)
        .into_iter()
        .flat_map(|w| match w {
            OrgWord::Word(word) => vec![word],
            OrgWord::LegalForm(key) => key.split(' ').collect(),
        })
        .collect();
    parts.join(" ")
}

/// An organisation's fingerprint without its legal forms, and how many it had: "Lockheed Martin
/// Corp" and "Lockheed Martin" are one name ("lockheed martin"), written more or less fully.
pub fn without_legal_forms(name: &str) -> (String, usize) {
    let words = words_of(name);
    let parts = organisation_words(&words);
    let forms = parts.iter().filter(|w| matches!(w, OrgWord::LegalForm(_))).count();
    let bare: Vec<&str> =
        parts.into_iter().filter_map(|w| if let OrgWord::Word(w) = w { Some(w) } else { None }).collect();
    (bare.join(" "), forms)
}

/// The length of the legal form that `text` (what follows a company's name) starts with, after a
/// space or a comma and a space: " S.A.R.L., a firm in Beirut" → 9. Legal forms are capitalised here,
/// so that an ordinary word ("limited") is not taken for one.
pub fn leading_legal_form(text: &str) -> Option<usize> {
    let rest = text.strip_prefix(", ").or_else(|| text.strip_prefix(' '))?;
    let offset = text.len() - rest.len();
    let mut ends = Vec::new();
    let mut at = 0;
    for word in rest.split(' ').take(6) {
        at += word.len();
        ends.push(at);
        at += 1;
    }
    ends.iter().rev().find_map(|&end| {
        let form = rest[..end].trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '.'));
        let (bare, forms) = without_legal_forms(form);
        (form.starts_with(char::is_uppercase) && bare.is_empty() && forms > 0).then_some(offset + form.len())
    })
}

/// Folded, lower-case words without punctuation or a leading "the".
fn words_of(name: &str) -> Vec<String> {
    let folded: String = name.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect();
    let cleaned: String = folded
        .to_lowercase()
        .chars()
        .filter(|c| !matches!(c, '.' | '\'' | '’' | 'ʼ'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<String> = cleaned.split_whitespace().map(str::to_string).collect();
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words
}

enum OrgWord<'a> {
    Word(&'a str),
    /// The key of a legal form, whichever way it was spelled.
    LegalForm(&'static str),
}

/// An organisation name's words, with each legal form (however many words it is spelled with) as one.
fn organisation_words(words: &[String]) -> Vec<OrgWord<'_>> {
    let mut out = Vec::with_capacity(words.len());
    let mut at = 0;
    while at < words.len() {
        let rest = &words[at..];
        let spelled =
            |spelling: &Vec<&str>| rest.len() >= spelling.len() && spelling.iter().zip(rest).all(|(s, w)| s == w);
        match LEGAL_FORMS.iter().find(|(spelling, _)| spelled(spelling)) {
            Some((spelling, key)) => {
                out.push(OrgWord::LegalForm(key));
                at += spelling.len();
            }
            None => {
                out.push(OrgWord::Word(&words[at]));
                at += 1;
            }
        }
    }
    out
}

/// The keys an entity called `name` can have: its country's, else its fingerprint under each type.
pub fn keys_for_name(name: &str) -> Vec<EntityKey> {
    if let Some(country) = country_named(name) {
        return vec![EntityKey::country(&country.code)];
    }
    EntityLabel::ALL.iter().map(|label| EntityKey::new(*label, fingerprint(name, *label))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_ignore_case_accents_punctuation_and_legal_form_spellings() {
        let org = |name| fingerprint(name, EntityLabel::Org);
        assert_eq!(org("Sobaeksu Trading Co., Ltd."), org("SOBAEKSU TRADING COMPANY LIMITED"));
        assert_eq!(org("Alpha Holdings L.L.C."), org("Alpha Holdings LLC"));
        assert_eq!(org("Alpha Holdings Limited Liability Company"), org("Alpha Holdings LLC"));
        assert_eq!(org("Société Générale S.A."), "societe generale sa");
        assert_eq!(org("The Lazarus Group"), org("Lazarus Group"));
        assert_eq!(org("Public Joint Stock Company Rosneft"), org("PJSC Rosneft"));
        assert_ne!(org("Alpha Trading"), org("Alpha Shipping"));
        assert_eq!(fingerprint("Kim Sang-Man", EntityLabel::Per), fingerprint("KIM Sang Man", EntityLabel::Per));
    }

    #[test]
    fn legal_forms_of_many_countries_follow_a_name() {
        assert_eq!(leading_legal_form(" OÜ, an Estonian firm"), Some(" OÜ".len()));
        assert_eq!(leading_legal_form(", SIA and others"), Some(", SIA".len()));
        assert_eq!(leading_legal_form(" FZ-LLC, a trader"), Some(" FZ-LLC".len()));
        assert_eq!(leading_legal_form(" LLC and others"), Some(" LLC".len()));
        assert_eq!(leading_legal_form(", JSC Rocket Center"), Some(", JSC".len()));
        assert_eq!(without_legal_forms("Tupolev JSC"), ("tupolev".to_string(), 1));
        assert_eq!(leading_legal_form(" ou bien"), None);
        assert_eq!(fingerprint("Izibits OÜ", EntityLabel::Org), fingerprint("IZIBITS OU", EntityLabel::Org));
    }

    #[test]
    fn a_name_finds_its_keys() {
        assert_eq!(keys_for_name("the U.S."), [EntityKey::country("US")]);
        assert!(keys_for_name("Kim Sang Man").contains(&EntityKey::parse("PER:kim sang man").unwrap()));
    }
}
