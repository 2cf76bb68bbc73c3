//! Word lists the rule-based annotators share, kept as data files beside this module: places,
//! organisation and person cues, and the sanctioning authorities with the names news uses for them.

use std::collections::HashSet;

use once_cell::sync::Lazy;
use serde::Deserialize;

use crate::identity::lookup_form;

/// The entries of a word-list file: one a line, `#` lines are comments.
fn word_list(text: &'static str) -> HashSet<&'static str> {
    crate::data_file::entries(text).collect()
}

/// Countries, territories and regions, as written in English news.
pub static PLACES: Lazy<HashSet<&'static str>> = Lazy::new(|| word_list(include_str!("places.txt")));

/// Words that make a name a company: legal forms and trading nouns.
pub static COMPANY_WORDS: Lazy<HashSet<&'static str>> = Lazy::new(|| word_list(include_str!("company-words.txt")));

/// Words that make a capitalised name an organisation (company words included).
pub static ORG_WORDS: Lazy<HashSet<&'static str>> = Lazy::new(|| {
    let mut words = word_list(include_str!("organisation-words.txt"));
    words.extend(COMPANY_WORDS.iter());
    words
});

/// Titles that precede a person's name and are not part of it.
pub static PERSON_TITLES: Lazy<HashSet<&'static str>> = Lazy::new(|| word_list(include_str!("person-titles.txt")));

/// Capitalised words that start sentences or headings but never start a name.
pub static NOT_NAME_STARTS: Lazy<HashSet<&'static str>> = Lazy::new(|| word_list(include_str!("not-name-starts.txt")));

/// An authority that imposes sanctions (see `authorities.toml` for what its two kinds of form mean).
#[derive(Debug, Deserialize)]
pub struct AuthorityName {
    #[serde(rename = "name")]
    pub canonical: String,
    /// ISO 3166 alpha-2 code, or "EU"/"UN".
    pub country: String,
    /// Lower-case names of the body itself.
    pub names: Vec<String>,
    /// Lower-case words that stand for the body when news reports its actions (places, lists).
    pub stands_for: Vec<String>,
}

impl AuthorityName {
    /// Every form that tells who acted: its names, then what stands for it.
    pub fn forms(&self) -> impl Iterator<Item = &str> {
        self.names.iter().chain(&self.stands_for).map(String::as_str)
    }
}

#[derive(Deserialize)]
struct AuthorityFile {
    authority: Vec<AuthorityName>,
}

pub static AUTHORITIES: Lazy<Vec<AuthorityName>> = Lazy::new(|| {
    toml::from_str::<AuthorityFile>(include_str!("authorities.toml")).expect("authorities.toml is valid").authority
});

/// Lookup forms, each with the index of its authority.
type FormTable = Vec<(String, usize)>;

/// Lookup form of every name (`.0`) and of every form (`.1`).
static LOOKUP: Lazy<(FormTable, FormTable)> = Lazy::new(|| {
    let mut names = Vec::new();
    let mut forms = Vec::new();
    for (i, a) in AUTHORITIES.iter().enumerate() {
        names.extend(a.names.iter().map(|n| (lookup_form(n), i)));
        forms.extend(a.forms().map(|f| (lookup_form(f), i)));
    }
    (names, forms)
});

fn find_in(table: &'static [(String, usize)], name: &str) -> Option<&'static AuthorityName> {
    let wanted = lookup_form(name);
    table.iter().find(|(form, _)| *form == wanted).map(|&(_, i)| &AUTHORITIES[i])
}

/// The authority a name or a word standing for it refers to, if any ("Treasury", "London").
pub fn authority_named(name: &str) -> Option<&'static AuthorityName> {
    find_in(&LOOKUP.1, name)
}

/// The authority a name is a name of ("Treasury", "HM Treasury"; not "London").
pub fn authority_called(name: &str) -> Option<&'static AuthorityName> {
    find_in(&LOOKUP.0, name)
}

/// The government of a country, where it is itself a sanctioning authority ("UK government").
pub fn government_authority(country: &str) -> Option<&'static AuthorityName> {
    AUTHORITIES.iter().find(|a| a.country == country && a.canonical.to_lowercase().contains("government"))
}

/// Hyphenated descriptions that precede names ("Belgium-based", "Panama-flagged").
pub const MODIFIER_SUFFIXES: &[&str] = &[
    "-based",
    "-registered",
    "-flagged",
    "-headquartered",
    "-linked",
    "-backed",
    "-owned",
    "-controlled",
    "-aligned",
    "-born",
    "-led",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_load() {
        assert!(PLACES.contains("North Korea"));
        assert!(ORG_WORDS.contains("Ministry") && ORG_WORDS.contains("LLC"));
        assert!(!PERSON_TITLES.contains("# Titles"));
        assert_eq!(authority_named("Treasury's").unwrap().canonical, "U.S. Department of the Treasury");
        assert_eq!(authority_named("London").unwrap().country, "GB");
        assert!(authority_called("London").is_none());
        assert_eq!(authority_called("HM Treasury").unwrap().canonical, "UK government");
    }
}
