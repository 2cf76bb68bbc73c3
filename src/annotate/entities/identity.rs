//! Who a mention is across articles (see [`crate::identity`]): countries under their ISO 3166 code,
//! nationalities as the country they name, governments as organisations of their country, and every
//! other name under its fingerprint.

use super::Mention;
use crate::annotate::gazetteer::{ORG_WORDS, authority_called, government_authority};
use crate::document::{EntityKey, EntityLabel};
use crate::identity::{Country, country_named, country_of_demonym, fingerprint};

/// Whether a mention the tagger did not call a place may still be read as a country: several words
/// ("United States") or an abbreviation ("US", "E.U."), never one ordinary capitalised word ("Jordan").
fn names_a_country_whatever_its_label(text: &str) -> bool {
    text.contains(' ') || text.contains('.') || text.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase)
}

/// The country whose government `text` names: "Government of the Russian Federation", "Iran's
/// government", "British government".
fn government_of(text: &str) -> Option<&'static Country> {
    let lower = text.to_lowercase().replace('’', "'");
    let country = lower
        .strip_prefix("government of ")
        .or_else(|| lower.strip_suffix(" government").map(|c| c.strip_suffix("'s").unwrap_or(c)))?;
    country_named(country).or_else(|| country_of_demonym(country))
}

/// One name for a country's government whatever the article calls it: the sanctioning authority's
/// where the government is one ("UK government"), else "Government of Iran".
fn government_name(country: &Country) -> String {
    match government_authority(&country.code) {
        Some(authority) => authority.canonical.clone(),
        None => format!("Government of {}", country.name),
    }
}

/// A government written as a country and the word "government" ("the US government", "Iran's
/// government"): one organisation of that country.
fn join_governments(body: &str, mentions: &mut Vec<Mention>) {
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for m in mentions.drain(..) {
        let after = &body[m.end..];
        let word = ["'s government", "’s government", " government"]
            .into_iter()
            .find(|w| after.get(..w.len()).is_some_and(|a| a.eq_ignore_ascii_case(w)));
        let country = match m.label {
            EntityLabel::Loc | EntityLabel::Misc | EntityLabel::Org => {
                country_named(&m.text).or_else(|| country_of_demonym(&m.text))
            }
            _ => None,
        };
        match (word, country) {
            (Some(word), Some(_)) => out.push(Mention::new(body, m.start, m.end + word.len(), EntityLabel::Org)),
            _ => out.push(m),
        }
    }
    *mentions = out;
}

/// A lone capitalised word the tagger took for a name ("Council", "Industry", "Sanctions"): no name
/// at all when the article also writes it in lower case; else the longer name in the article that
/// contains it (the nearest before, else the first after); else no name when it is a word
/// organisations are named with ("Administration").
fn resolve_lone_words(body: &str, mentions: &mut Vec<Mention>) {
    let is_lone_word = |m: &Mention| {
        matches!(m.label, EntityLabel::Org | EntityLabel::Misc)
            && m.canonical == m.text
            && !m.text.contains(char::is_whitespace)
            && m.text.chars().skip(1).all(|c| c.is_lowercase())
            && country_named(&m.text).is_none()
            && country_of_demonym(&m.text).is_none()
    };
    let longer: Vec<(usize, String, EntityLabel)> = mentions
        .iter()
        .filter(|m| matches!(m.label, EntityLabel::Org | EntityLabel::Misc) && m.canonical.contains(' '))
        .map(|m| (m.start, m.canonical.clone(), m.label))
        .collect();
    let lower_words: std::collections::HashSet<&str> =
        body.split(|c: char| !c.is_alphanumeric()).filter(|w| w.starts_with(char::is_lowercase)).collect();
    mentions.retain_mut(|m| {
        if !is_lone_word(m) {
            return true;
        }
        // A word the article also writes in lower case is an ordinary word ("Industry participants").
        if lower_words.contains(m.text.to_lowercase().as_str()) {
            return false;
        }
        let contains = |name: &String| name.split_whitespace().any(|w| w == m.text);
        let before = longer.iter().rev().find(|(start, name, _)| *start < m.start && contains(name));
        if let Some((_, name, label)) = before.or_else(|| longer.iter().find(|(_, name, _)| contains(name))) {
            m.canonical = name.clone();
            m.label = *label;
            return true;
        }
        !ORG_WORDS.contains(m.text.as_str())
    });
}

/// Makes `m` a mention of `country` (a place, or a nationality when `label` is MISC).
fn name_country(m: &mut Mention, country: &Country, label: EntityLabel) {
    m.label = label;
    m.canonical = country.name.clone();
    m.country = Some(country.code.clone());
    m.key = Some(EntityKey::country(&country.code));
}

/// Sets `key` and `country` of every mention; joins a country with the word "government" after it,
/// and resolves or drops lone capitalised words.
pub fn identify(body: &str, mentions: &mut Vec<Mention>) {
    join_governments(body, mentions);
    resolve_lone_words(body, mentions);
    for m in mentions.iter_mut() {
        if let Some(country) = government_of(&m.canonical).filter(|_| m.label != EntityLabel::Per) {
            m.label = EntityLabel::Org;
            m.canonical = government_name(country);
            m.country = Some(country.code.clone());
        } else if let Some(authority) = authority_called(&m.canonical) {
            m.country = Some(authority.country.clone()).filter(|c| c != "UN");
        } else if let Some(country) = country_named(&m.text).filter(|_| match m.label {
            EntityLabel::Loc | EntityLabel::Misc => true,
            EntityLabel::Org => names_a_country_whatever_its_label(&m.text),
            _ => false,
        }) {
            name_country(m, country, EntityLabel::Loc);
            continue;
        } else if let Some(country) = country_of_demonym(&m.text).filter(|_| match m.label {
            EntityLabel::Misc | EntityLabel::Loc | EntityLabel::Org => true,
            // Read as a surname of a longer name; a surname ends a name ("John French"), a
            // nationality starts a title taken in with it ("Russian Security Council Dmitry Medvedev").
            EntityLabel::Per => m.canonical != m.text && !m.canonical.ends_with(m.text.as_str()),
            _ => false,
        }) {
            // A nationality: the country it names, as an attribute of the words around it.
            name_country(m, country, EntityLabel::Misc);
            continue;
        }
        let identity = match (&m.value, m.label) {
            (Some(value), _) => value.clone(),
            (None, EntityLabel::Wallet) => m.text.clone(),
            (None, label) => fingerprint(&m.canonical, label),
        };
        m.key = Some(EntityKey::new(m.label, identity));
    }
}

#[cfg(test)]
mod tests {
    use super::super::mentions_at;
    use super::*;

    fn identified(body: &str, spans: &[(&str, EntityLabel)]) -> Vec<(String, String, Option<String>)> {
        let mut mentions = mentions_at(body, spans);
        identify(body, &mut mentions);
        mentions
            .into_iter()
            .map(|m| (m.key.map(|k| k.to_string()).unwrap_or_default(), m.canonical, m.country))
            .collect()
    }

    #[test]
    fn one_key_per_country_whatever_the_spelling() {
        let body = "U.S. and US and United States and America and the USA; Britain, the UK and U.K.; \
                    North Korea and the DPRK; Russia and the Russian Federation; Iran; EU and E.U.";
        let spans = [
            ("U.S.", EntityLabel::Loc),
            ("US", EntityLabel::Org),
            ("United States", EntityLabel::Loc),
            ("America", EntityLabel::Loc),
            ("USA", EntityLabel::Loc),
            ("Britain", EntityLabel::Loc),
            ("UK", EntityLabel::Loc),
            ("U.K.", EntityLabel::Loc),
            ("North Korea", EntityLabel::Loc),
            ("DPRK", EntityLabel::Org),
            ("Russia", EntityLabel::Loc),
            ("Russian Federation", EntityLabel::Loc),
            ("Iran", EntityLabel::Loc),
            ("EU", EntityLabel::Org),
            ("E.U.", EntityLabel::Loc),
        ];
        let keys: Vec<String> = identified(body, &spans).into_iter().map(|(key, _, _)| key).collect();
        assert_eq!(
            keys,
            [
                "LOC:US", "LOC:US", "LOC:US", "LOC:US", "LOC:US", "LOC:GB", "LOC:GB", "LOC:GB", "LOC:KP", "LOC:KP",
                "LOC:RU", "LOC:RU", "LOC:IR", "LOC:EU", "LOC:EU"
            ]
        );
        let named = identified("Korea (Republic of)", &[("Korea (Republic of)", EntityLabel::Loc)]);
        assert_eq!(named[0].1, "South Korea");
    }

    #[test]
    fn nationalities_name_their_country_and_governments_are_organisations() {
        let body = "Russian and Iranian officials met the US government, Iran's government and the Russian \
                    Parliament in London.";
        let found = identified(
            body,
            &[
                ("Russian", EntityLabel::Org),
                ("Iranian", EntityLabel::Misc),
                ("US", EntityLabel::Loc),
                ("Iran", EntityLabel::Loc),
                ("Russian Parliament", EntityLabel::Org),
                ("London", EntityLabel::Loc),
            ],
        );
        // A nationality, not the name it is part of elsewhere in the article.
        assert_eq!(found[0], ("LOC:RU".into(), "Russia".into(), Some("RU".into())));
        assert_eq!(found[1].0, "LOC:IR");
        assert_eq!(
            found[2],
            ("ORG:united states government".into(), "United States government".into(), Some("US".into()))
        );
        assert_eq!(found[3], ("ORG:government of iran".into(), "Government of Iran".into(), Some("IR".into())));
        assert_eq!(found[4].0, "ORG:russian parliament");
        assert_eq!(found[5], ("LOC:london".into(), "London".into(), None));
    }

    #[test]
    fn one_government_under_any_of_its_names() {
        let body = "The Government of the Russian Federation, Russia's government and the British government.";
        let found = identified(
            body,
            &[
                ("Government of the Russian Federation", EntityLabel::Org),
                ("Russia", EntityLabel::Loc),
                ("British government", EntityLabel::Org),
            ],
        );
        assert_eq!(found[0].0, "ORG:government of russia");
        assert_eq!(found[1].0, "ORG:government of russia");
        assert_eq!(found[2], ("ORG:uk government".into(), "UK government".into(), Some("GB".into())));
    }

    #[test]
    fn lone_words_resolve_to_the_name_they_shorten_or_are_dropped() {
        let body = "The Council agreed after the Council of the European Union met. Industry participants and \
                    the industry at large were told, Reuters reported.";
        let found = identified(
            body,
            &[
                ("Council", EntityLabel::Org),
                ("Council of the European Union", EntityLabel::Org),
                ("Industry", EntityLabel::Org),
                ("Reuters", EntityLabel::Org),
            ],
        );
        let keys: Vec<&str> = found.iter().map(|(key, ..)| key.as_str()).collect();
        assert_eq!(keys, ["ORG:council of the european union", "ORG:council of the european union", "ORG:reuters"]);
    }

    #[test]
    fn a_person_named_like_a_country_stays_a_person() {
        let found = identified("Michael Jordan and Jordan met.", &[("Jordan", EntityLabel::Per)]);
        assert_eq!(found[0].0, "PER:jordan");
    }
}
