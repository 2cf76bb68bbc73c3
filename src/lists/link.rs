//! Which list entries a reported target is: its names (and the article's other names for it) against
//! every name and alias of the lists in the store, compared as the project's identities compare
//! names (case, accents, punctuation and legal-form spellings do not matter; OFAC's "LAST, First"
//! is read in both orders), within the target's type (a vessel matches a vessel), and not across
//! countries when both sides name one.

use std::collections::{HashMap, HashSet};

use chrono::{Days, NaiveDate};

use super::store::{EntryHistory, ListState};
use super::{EntryKind, ListEntry, ListError, ListId, ListStore};
use crate::document::{EntityLabel, ListMatch, ListStanding, ListStatus, Target, TargetType};
use crate::identity::{country_named, country_of_demonym, fingerprint, without_legal_forms};

/// A list entry's listing counts as news for an article this many days either side of its date;
/// earlier, the article reports an old designation (OFAC publishes the day it designates, other
/// lists can lag the announcement by days).
const NEWS_WINDOW_DAYS: u64 = 7;

/// Scores of the ways two names can be alike.
const SAME_NAME: f32 = 1.0;
const SAME_WORDS_OTHER_ORDER: f32 = 0.9;
const SAME_WITHOUT_LEGAL_FORM: f32 = 0.85;
const SAME_FIRST_AND_LAST: f32 = 0.8;
/// "Ramón Carrizales" for "CARRIZALEZ RENGIFO, Ramon Alonso": a given name with the first of two
/// surnames, as Spanish names are written short.
const FIRST_SURNAME: f32 = 0.75;
/// A first name spelled with a letter more or less ("Dimitry", "Dmitry"), or a surname with one
/// letter changed ("Sunhatov", "Sungatov"; "Mishin" and "Mishkin" are two names).
const SIMILAR_SPELLING: f32 = 0.7;
/// An organisation's reported name that begins exactly one entry's name ("Garantex" for "GARANTEX
/// EUROPE OU", "Trigron Lojistik" for "TRIGRON LOJISTIK KARGO LIMITED SIRKETI"), when no entry of
/// that list has the name itself.
const SAME_BEGINNING: f32 = 0.7;
/// A beginning this short (in letters and digits) names too many things to link.
const MIN_BEGINNING_CHARS: usize = 4;
/// Letters a word must have before its spellings one letter apart are tried.
const MIN_SIMILAR_CHARS: usize = 5;
/// An alias the article gives counts a little less than the name it reports.
const ARTICLE_ALIAS: f32 = 0.95;

struct StoredList {
    list: ListId,
    entries: Vec<EntryHistory>,
}

/// What the lists said of a target on an article's day: inputs of the designation decision.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ListEvidence {
    /// How alike the best match that was listed well before the day is (0 for none): context, not news.
    pub listed_before: f32,
    /// How alike the best match that a list added within the days up to it is: the list confirms.
    pub added_recently: f32,
}

/// Every entry of the stored lists, found by name.
pub struct ListLinker {
    lists: Vec<StoredList>,
    /// Name key → (list, entry) and how alike a name with that key is.
    by_key: HashMap<String, Vec<(usize, usize, f32)>>,
    as_of: NaiveDate,
}

impl ListLinker {
    /// The lists in `store`; `None` when it holds none.
    pub fn load(store: &ListStore) -> Result<Option<ListLinker>, ListError> {
        let mut states = Vec::new();
        for list in ListId::ALL {
            states.push((list, store.state(list)?));
        }
        Ok(ListLinker::new(states))
    }

    pub fn new(states: Vec<(ListId, ListState)>) -> Option<ListLinker> {
        let mut linker = ListLinker { lists: Vec::new(), by_key: HashMap::new(), as_of: NaiveDate::MIN };
        for (list, state) in states {
            let Some(newest) = state.snapshots.last() else { continue };
            linker.as_of = linker.as_of.max(newest.date);
            let at = linker.lists.len();
            let entries: Vec<EntryHistory> = state.entries.into_values().collect();
            for (index, history) in entries.iter().enumerate() {
                for name in history.entry.names() {
                    let beginnings = beginning_keys(name, history.entry.kind).into_iter().map(|k| (k, SAME_BEGINNING));
                    for (key, score) in keys(name, history.entry.kind).into_iter().chain(beginnings) {
                        linker.by_key.entry(key).or_default().push((at, index, score));
                    }
                }
                for imo in imo_numbers(&history.entry) {
                    linker.by_key.entry(format!("imo:{imo}")).or_default().push((at, index, SAME_NAME));
                }
            }
            linker.lists.push(StoredList { list, entries });
        }
        (!linker.lists.is_empty()).then_some(linker)
    }

    /// Entries whose listing day the store knows and that fall in `from..=to`, by list.
    pub fn additions_between(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = (ListId, &str)> {
        self.lists.iter().flat_map(move |stored| {
            stored.entries.iter().filter_map(move |h| {
                let since = h.since(NEWS_WINDOW_DAYS)?;
                (from..=to).contains(&since).then_some((stored.list, h.entry.id.as_str()))
            })
        })
    }

    /// The newest snapshot of any stored list.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// Every entry `target`'s names match, with how alike the names are, unless the countries
    /// both sides name differ.
    fn alike(&self, target: &Target) -> Vec<(&StoredList, &EntryHistory, f32)> {
        let kind = entry_kind(target.kind);
        let target_countries = country_codes(target.country.iter().map(String::as_str));
        let mut best: HashMap<(usize, usize), f32> = HashMap::new();
        // A vessel's IMO number is its identity, whatever name it sails under now.
        let by_imo = target.imo.iter().map(|imo| (format!("imo:{imo}"), SAME_NAME, 1.0));
        let by_name =
            names(target).flat_map(|(name, weight)| keys(name, kind).into_iter().map(move |(k, s)| (k, s, weight)));
        for (key, query_score, weight) in by_imo.chain(by_name) {
            for &(list, entry, entry_score) in self.by_key.get(&key).into_iter().flatten() {
                let score = weight * query_score.min(entry_score);
                let slot = best.entry((list, entry)).or_insert(0.0);
                *slot = slot.max(score);
            }
        }
        // A name's beginning, for the lists where the name found nothing: only when it begins one
        // entry there (two that begin alike are two companies the report does not tell apart).
        let found: HashSet<usize> = best.keys().map(|&(list, _)| list).collect();
        for (name, weight) in names(target) {
            let Some(key) = beginning_query_key(name, kind) else { continue };
            let mut by_list: HashMap<usize, HashSet<usize>> = HashMap::new();
            for &(list, entry, _) in self.by_key.get(&key).into_iter().flatten() {
                by_list.entry(list).or_default().insert(entry);
            }
            for (list, entries) in by_list {
                if let (false, Ok([entry])) = (found.contains(&list), <[usize; 1]>::try_from(Vec::from_iter(entries))) {
                    let slot = best.entry((list, entry)).or_insert(0.0);
                    *slot = slot.max(weight * SAME_BEGINNING);
                }
            }
        }
        best.into_iter()
            .map(|((list, entry), score)| (&self.lists[list], &self.lists[list].entries[entry], score))
            .filter(|(_, history, _)| {
                let countries = country_codes(history.entry.countries.iter().map(String::as_str));
                target_countries.is_empty() || countries.is_empty() || !target_countries.is_disjoint(&countries)
            })
            // Two vessels of one name with different IMO numbers are two vessels.
            .filter(|(_, history, _)| {
                let listed: Vec<&str> = imo_numbers(&history.entry).collect();
                target.imo.as_deref().is_none_or(|imo| listed.is_empty() || listed.contains(&imo))
            })
            .collect()
    }

    /// The entries that `target` matches and that were not delisted by `date` (or, without one, are
    /// listed now), best first.
    pub fn matches(&self, target: &Target, date: Option<NaiveDate>) -> Vec<ListMatch> {
        let mut matches: Vec<ListMatch> = self
            .alike(target)
            .into_iter()
            // Delisted before the article (or, without a date, at all): not what it reports.
            .filter(|(_, history, _)| !history.removed.is_some_and(|r| date.is_none_or(|d| r <= d)))
            .map(|(stored, history, score)| ListMatch {
                list: stored.list,
                entry_id: history.entry.id.clone(),
                name: history.entry.name.clone(),
                programs: history.entry.programs.clone(),
                since: history.since(NEWS_WINDOW_DAYS),
                first_seen: history.first_seen,
                added_after: history.added_after,
                score: (score * 100.0).round() / 100.0,
            })
            .collect();
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then((a.list, &a.entry_id).cmp(&(b.list, &b.entry_id))));
        matches
    }

    /// What the lists said of `target` on `date`, read only from the snapshots of that day or
    /// before (a later snapshot never informs an earlier article): how alike the best match listed
    /// well before the day is, and the best listed within the days before it.
    pub fn evidence(&self, target: &Target, date: NaiveDate) -> ListEvidence {
        let window_start = date.checked_sub_days(Days::new(NEWS_WINDOW_DAYS)).unwrap_or(NaiveDate::MIN);
        let mut evidence = ListEvidence::default();
        for (_, history, score) in self.alike(target) {
            let listed_then = history.first_seen <= date && history.removed.is_none_or(|r| r > date);
            if !listed_then {
                continue;
            }
            match history.since(NEWS_WINDOW_DAYS) {
                Some(day) if day >= window_start => evidence.added_recently = evidence.added_recently.max(score),
                day if day.unwrap_or(history.first_seen) < window_start => {
                    evidence.listed_before = evidence.listed_before.max(score)
                }
                _ => {}
            }
        }
        evidence
    }

    /// Where `target`, reported by an article of `published`, stands on the lists: listed before
    /// the article when some list had it well before and none added it around the article's date
    /// or after (a list that follows another's designation makes it news again).
    pub fn status(&self, target: &Target, published: Option<NaiveDate>) -> ListStatus {
        let matches = self.matches(target, published);
        let status = match published {
            _ if matches.is_empty() => ListStanding::NotListed,
            Some(published) => {
                let window_start = published.checked_sub_days(Days::new(NEWS_WINDOW_DAYS)).unwrap_or(NaiveDate::MIN);
                // The earliest day each can have been listed, and the latest.
                let earliest = |m: &ListMatch| m.since.or(m.added_after.map(|a| a + Days::new(1)));
                let latest = |m: &ListMatch| m.since.unwrap_or(m.first_seen);
                let added_around = matches.iter().any(|m| earliest(m).is_some_and(|e| e >= window_start));
                let older = matches.iter().any(|m| latest(m) < window_start);
                if older && !added_around { ListStanding::ListedBefore } else { ListStanding::Listed }
            }
            None => ListStanding::Listed,
        };
        ListStatus { status, as_of: self.as_of, matches }
    }
}

/// The target's name and the article's aliases for it, each with how much a match on it counts.
fn names(target: &Target) -> impl Iterator<Item = (&str, f32)> {
    std::iter::once((target.name.as_str(), 1.0)).chain(target.aliases.iter().map(|a| (a.as_str(), ARTICLE_ALIAS)))
}

fn entry_kind(kind: TargetType) -> EntryKind {
    match kind {
        TargetType::Person => EntryKind::Person,
        TargetType::Organisation | TargetType::Company => EntryKind::Entity,
        TargetType::Vessel => EntryKind::Vessel,
        TargetType::Aircraft => EntryKind::Aircraft,
    }
}

/// The keys under which a name of this kind is found, and how alike two names sharing each are.
fn keys(name: &str, kind: EntryKind) -> Vec<(String, f32)> {
    // "Al-Dar" is also "Aldar", "Ung-sun" "Ungsun".
    let name = &ampersand_spelled_out(name);
    let mut keys = name_keys(name, kind);
    if name.contains('-') {
        keys.extend(name_keys(&name.replace('-', ""), kind));
    }
    // "Iran's Ministry of Defense" is the Ministry of Defense the list has under Iran.
    if let Some((owner, rest)) = name.split_once("'s ").or_else(|| name.split_once("’s "))
        && country_named(owner).is_some()
    {
        keys.extend(name_keys(rest, kind));
    }
    keys
}

/// "Rubber & Plastics" as "Rubber and Plastics", on both sides of a match.
fn ampersand_spelled_out(name: &str) -> String {
    name.replace(" & ", " and ")
}

/// Where the keys of each kind of entry start, so that a vessel never shares one with a company.
fn kind_prefix(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Person => "p",
        EntryKind::Entity => "e",
        EntryKind::Vessel => "v",
        EntryKind::Aircraft => "a",
    }
}

fn name_keys(name: &str, kind: EntryKind) -> Vec<(String, f32)> {
    let prefix = kind_prefix(kind);
    if kind == EntryKind::Person {
        return person_keys(name);
    }
    let exact = fingerprint(name, EntityLabel::Org);
    if exact.is_empty() {
        return Vec::new();
    }
    let mut keys = vec![(format!("{prefix}:{exact}"), SAME_NAME)];
    // "Rosneft" is "PJSC Rosneft", a little less surely than "Rosneft PJSC" is.
    let (bare, forms) = without_legal_forms(name);
    if !bare.is_empty() {
        keys.push((format!("{prefix}-{bare}"), if forms > 0 { SAME_WITHOUT_LEGAL_FORM } else { SAME_NAME }));
    }
    keys
}

/// A person's keys: the name in reading order ("KIM, Sang Man" is Sang Man Kim), its words in any
/// order, and its first and last word (news leaves out the middle names and patronymics lists
/// give: "Aleksandr Bortnikov" is "BORTNIKOV, Aleksandr Vasilievich"); the last two spelled loosely,
/// as transliterations differ ("Aleksey", "Aleksei"). Fainter: a first name a letter longer or
/// shorter, a surname with one letter changed, and for a list's "SURNAMES, Given names", the first
/// of two surnames with the first given name and two given names written as one ("YUAN, Yun Xia"
/// is Yuan Yunxia).
fn person_keys(name: &str) -> Vec<(String, f32)> {
    let label = EntityLabel::Per;
    let inverted = name.split_once(", ").filter(|(_, rest)| !rest.contains(','));
    let reading = match inverted {
        Some((last, first)) => format!("{first} {last}"),
        None => name.to_string(),
    };
    let words: Vec<String> = fingerprint(&reading, label).split(' ').map(str::to_string).collect();
    // A surname alone names too many people to link.
    if words.len() < 2 {
        return Vec::new();
    }
    let mut keys = vec![(format!("p:{}", words.join(" ")), SAME_NAME)];
    let as_written = fingerprint(name, label);
    if as_written != words.join(" ") {
        keys.push((format!("p:{as_written}"), SAME_NAME));
    }
    let loose: Vec<String> = words.iter().map(|w| loose_spelling(w)).collect();
    let mut sorted = loose.clone();
    sorted.sort_unstable();
    keys.push((format!("p~{}", sorted.join(" ")), SAME_WORDS_OTHER_ORDER));
    let (first, last) = (&loose[0], &loose[loose.len() - 1]);
    keys.push((format!("p^{first} {last}"), SAME_FIRST_AND_LAST));
    for (_, spelled) in one_letter_less(first) {
        keys.push((format!("p#{spelled} {last}"), SIMILAR_SPELLING));
    }
    // Two surnames that agree without the letter at one place: one letter changed.
    for (at, spelled) in one_letter_less(last).into_iter().filter_map(|(at, w)| Some((at?, w))) {
        keys.push((format!("p%{first} {at}:{spelled}"), SIMILAR_SPELLING));
    }
    if let Some((surnames, given)) = inverted {
        let loose_words = |text: &str| -> Vec<String> {
            fingerprint(text, label).split(' ').filter(|w| !w.is_empty()).map(loose_spelling).collect()
        };
        let (surnames, given) = (loose_words(surnames), loose_words(given));
        // A short first word is a particle ("al", "bin", "de"), not a surname of its own.
        if let ([first_surname, _], Some(first_given)) = (surnames.as_slice(), given.first())
            && first_surname.chars().count() > 3
        {
            keys.push((format!("p^{first_given} {first_surname}"), FIRST_SURNAME));
        }
        if let ([one, two], Some(surname)) = (given.as_slice(), surnames.last()) {
            let mut joined = [format!("{one}{two}"), surname.clone()];
            joined.sort_unstable();
            keys.push((format!("p~{}", joined.join(" ")), SAME_WORDS_OTHER_ORDER));
        }
    }
    keys
}

/// The word, and the word without each of its letters but the last ("Maria" and "Mario", "Ivanov"
/// and "Ivanova" are other people) with where it was left out, when long enough: two spellings a
/// letter apart share one of these.
fn one_letter_less(word: &str) -> Vec<(Option<usize>, String)> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < MIN_SIMILAR_CHARS {
        return Vec::new();
    }
    let without = |skip: usize| chars.iter().enumerate().filter(|&(i, _)| i != skip).map(|(_, c)| c).collect();
    std::iter::once((None, word.to_string()))
        .chain((0..chars.len() - 1).map(|skip| (Some(skip), without(skip))))
        .collect()
}

/// The keys under which an entry is found by the beginning of its name: each run of its first
/// words, short of all of them, without legal forms ("GARANTEX EUROPE OU": "garantex").
fn beginning_keys(name: &str, kind: EntryKind) -> Vec<String> {
    if kind != EntryKind::Entity {
        return Vec::new();
    }
    let (bare, _) = without_legal_forms(&ampersand_spelled_out(name));
    let words: Vec<&str> = bare.split(' ').filter(|w| !w.is_empty()).collect();
    (1..words.len()).map(|n| format!("{}<{}", kind_prefix(kind), words[..n].join(" "))).collect()
}

/// The key that finds the entries a reported name begins.
fn beginning_query_key(name: &str, kind: EntryKind) -> Option<String> {
    let (bare, _) = without_legal_forms(&ampersand_spelled_out(name));
    let long_enough = bare.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_BEGINNING_CHARS;
    (kind == EntryKind::Entity && long_enough).then(|| format!("{}<{bare}", kind_prefix(kind)))
}

/// A word as transliterations of one name agree on it: "ye" as "e" ("Sergeyevich", "Sergeevich"),
/// "y" as "i", "x" as "ks", "z" as "s" ("Carrizales", "Carrizalez"), doubled letters once.
fn loose_spelling(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.replace("ye", "e").replace('x', "ks").replace('y', "i").replace('z', "s").chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// The IMO numbers an entry lists.
fn imo_numbers(entry: &ListEntry) -> impl Iterator<Item = &str> {
    entry.identifiers.iter().filter(|i| i.scheme == "imo").map(|i| i.value.as_str())
}

/// The ISO codes of the countries that `texts` name ("Iran", "Iranian", "Belgium-based", OFAC's
/// "Korea, North").
fn country_codes<'a>(texts: impl Iterator<Item = &'a str>) -> HashSet<String> {
    texts
        .filter_map(|t| {
            let t = t.trim().trim_end_matches("-based");
            let inverted = t.split_once(", ").map(|(name, qualifier)| format!("{qualifier} {name}"));
            let country = country_named(t).or_else(|| country_of_demonym(t));
            country.or_else(|| country_named(inverted.as_deref()?)).map(|c| c.code.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::store::Origin;

    fn target(name: &str, kind: TargetType) -> Target {
        Target { name: name.into(), kind, aliases: Vec::new(), country: None, imo: None }
    }

    fn linker(rows: &str, date: &str) -> (tempfile::TempDir, ListLinker) {
        let dir = tempfile::tempdir().unwrap();
        let store = ListStore::open(dir.path());
        store.import(ListId::OfacSdn, rows.as_bytes(), &[], date.parse().unwrap(), Origin::default()).unwrap();
        let linker = ListLinker::load(&store).unwrap().unwrap();
        (dir, linker)
    }

    const ROWS: &str = concat!(
        "1,\"KIM, Sang Man\",\"individual\",\"DPRK3\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"nationality Korea, North.\"\n",
        "2,\"SOBAEKSU TRADING COMPANY\",-0- ,\"DPRK\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'SOBAEKSU CO., LTD.'.\"\n",
        "3,\"SEA DRAGON\",\"vessel\",\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,\"Panama\",-0- ,-0- \n",
        "4,\"IVANOV, Petr Sergeevich\",\"individual\",\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
    );

    #[test]
    fn names_match_across_order_case_and_legal_forms_within_their_type() {
        let (_dir, linker) = linker(ROWS, "2024-05-03");
        let found =
            |t: Target| linker.matches(&t, None).iter().map(|m| (m.entry_id.clone(), m.score)).collect::<Vec<_>>();
        assert_eq!(found(target("Kim Sang Man", TargetType::Person)), [("1".to_string(), 1.0)]);
        assert_eq!(found(target("Sang Man Kim", TargetType::Person)), [("1".to_string(), 1.0)]);
        assert_eq!(found(target("Man Sang Kim", TargetType::Person)), [("1".to_string(), 0.9)]);
        assert_eq!(found(target("Sobaeksu Co., Ltd.", TargetType::Company)), [("2".to_string(), 1.0)]);
        assert_eq!(found(target("Sobaeksu Trading Co.", TargetType::Company)), [("2".to_string(), 1.0)]);
        assert!(found(target("Sea Dragon", TargetType::Company)).is_empty(), "a vessel is not a company");
        assert_eq!(found(target("SEA DRAGON", TargetType::Vessel)).len(), 1);
        assert!(found(target("Kim", TargetType::Person)).is_empty(), "a surname alone links nothing");
        assert_eq!(found(target("Petr Ivanov", TargetType::Person)), [("4".to_string(), 0.8)], "no patronymic");
        assert_eq!(found(target("Petr Sergeyevich Ivanov", TargetType::Person)), [("4".to_string(), 0.9)]);
        assert!(found(target("Petr Petrov", TargetType::Person)).is_empty());
        assert_eq!(found(target("Panama’s Sea Dragon", TargetType::Vessel)).len(), 1, "a country's possessive");
    }

    #[test]
    fn names_written_short_or_spelled_otherwise_match_more_faintly() {
        let rows = concat!(
            "11,\"GARCIA LOPEZ, Pedro Antonio\",\"individual\",\"SDNT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
            "12,\"ZHANG, Li Na\",\"individual\",\"CMIC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
            "13,\"PETROV, Aleksander Ivanovich\",\"individual\",\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
            "14,\"NORTHWIND LOJISTIK TICARET LIMITED SIRKETI\",-0- ,\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
            "15,\"BLUEFIN TRADE LLC\",-0- ,\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
            "16,\"BLUEFIN SHIPPING LLC\",-0- ,\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
            "17,\"AL-NOOR RUBBER & PLASTICS CO., LTD\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
        );
        let (_dir, linker) = linker(rows, "2024-05-03");
        let found = |name: &str, kind: TargetType| {
            linker.matches(&target(name, kind), None).iter().map(|m| (m.entry_id.clone(), m.score)).collect::<Vec<_>>()
        };
        let one = |id: &str, score: f32| vec![(id.to_string(), score)];
        let person = TargetType::Person;
        assert_eq!(found("Pedro Garcia", person), one("11", 0.75), "the first of two surnames");
        assert!(found("Antonio Lopez", person).is_empty(), "a middle name and the second surname");
        assert_eq!(found("Zhang Lina", person), one("12", 0.9), "a given name written as one word");
        assert_eq!(found("Aleksandr Petrov", person), one("13", 0.7), "a letter fewer in the first name");
        assert_eq!(found("Aleksander Pedrov", person), one("13", 0.7), "a letter changed in the surname");
        assert!(found("Aleksander Petrova", person).is_empty(), "a letter more at the end is another person");
        assert!(found("Aleksander Petrovin", person).is_empty(), "a surname with letters more is another");
        let company = TargetType::Company;
        assert_eq!(found("Northwind Lojistik Ticaret", company), one("14", 0.85), "a Turkish legal form");
        assert_eq!(found("Northwind Lojistik", company), one("14", 0.7), "the beginning of one entry's name");
        assert!(found("Bluefin", company).is_empty(), "the beginning of two entries' names");
        assert_eq!(found("Alnoor Rubber and Plastics Co", company), one("17", 0.85), "hyphen and ampersand");
        assert!(found("Northwind", TargetType::Vessel).is_empty(), "beginnings only within organisations");
    }

    #[test]
    fn status_says_whether_the_list_confirms_the_report_or_is_older() {
        let (_dir, linker) = linker(ROWS, "2024-05-03");
        let kim = target("Kim Sang Man", TargetType::Person);
        let day = |d: &str| Some(d.parse().unwrap());
        // In the store's first snapshot: listed on or before 2024-05-03.
        assert_eq!(linker.status(&kim, day("2024-07-23")).status, ListStanding::ListedBefore);
        assert_eq!(linker.status(&kim, day("2024-05-01")).status, ListStanding::Listed);
        let unknown = linker.status(&target("Baltic Freight Lines FZE", TargetType::Company), day("2024-07-23"));
        assert_eq!((unknown.status, unknown.as_of.to_string()), (ListStanding::NotListed, "2024-05-03".into()));
    }

    #[test]
    fn evidence_reads_only_the_snapshots_up_to_the_day() {
        let dir = tempfile::tempdir().unwrap();
        let store = ListStore::open(dir.path());
        let day = |d: &str| d.parse::<NaiveDate>().unwrap();
        let alpha = "1,\"ALPHA TRADING LLC\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let beta = "2,\"BETA SHIPPING LLC\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        store.import(ListId::OfacSdn, alpha.as_bytes(), &[], day("2024-01-01"), Origin::default()).unwrap();
        store
            .import(ListId::OfacSdn, (alpha.to_string() + beta).as_bytes(), &[], day("2024-03-02"), Origin::default())
            .unwrap();
        let gamma = "3,\"GAMMA OIL LLC\",-0- ,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let all = alpha.to_string() + beta + gamma;
        store.import(ListId::OfacSdn, all.as_bytes(), &[], day("2024-03-03"), Origin::default()).unwrap();
        let linker = ListLinker::load(&store).unwrap().unwrap();
        let company = |name: &str| target(name, TargetType::Company);
        let evidence = |name: &str, d: &str| linker.evidence(&company(name), day(d));
        assert_eq!(
            evidence("Alpha Trading LLC", "2024-03-01"),
            ListEvidence { listed_before: 1.0, added_recently: 0.0 }
        );
        assert_eq!(evidence("Alpha Trading LLC", "2023-12-01"), ListEvidence::default(), "no snapshot that early");
        // Beta's listing day is only known to within two months: neither new nor old.
        assert_eq!(evidence("Beta Shipping LLC", "2024-03-02"), ListEvidence::default());
        assert_eq!(evidence("Beta Shipping LLC", "2024-02-20"), ListEvidence::default(), "not yet in a snapshot");
        assert_eq!(evidence("Beta Shipping LLC", "2024-06-01").listed_before, 1.0);
        // Gamma was added between two snapshots a day apart.
        assert_eq!(evidence("Gamma Oil", "2024-03-05"), ListEvidence { listed_before: 0.0, added_recently: 0.85 });
        assert_eq!(evidence("Gamma Oil", "2024-03-02"), ListEvidence::default(), "the day before it was added");
    }

    #[test]
    fn an_imo_number_decides_between_vessels() {
        let rows = concat!(
            "5,\"OCEAN STAR\",\"vessel\",\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Vessel Registration Identification IMO 9187629.\"\n",
            "6,\"NEW NAME\",\"vessel\",\"IRAN\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Vessel Registration Identification IMO 9274886.\"\n",
        );
        let (_dir, linker) = linker(rows, "2024-05-03");
        let vessel =
            |name: &str, imo: Option<&str>| Target { imo: imo.map(str::to_string), ..target(name, TargetType::Vessel) };
        let found = |t: Target| linker.matches(&t, None).iter().map(|m| m.entry_id.clone()).collect::<Vec<_>>();
        assert_eq!(found(vessel("Ocean Star", None)), ["5"]);
        assert_eq!(found(vessel("Ocean Star", Some("9187629"))), ["5"]);
        assert!(found(vessel("Ocean Star", Some("9999999"))).is_empty(), "the same name, another ship");
        assert_eq!(found(vessel("Amber Star", Some("9274886"))), ["6"], "renamed: the number finds it");
    }

    #[test]
    fn countries_that_differ_keep_two_people_apart() {
        let (_dir, linker) = linker(ROWS, "2024-05-03");
        let mut kim = target("Kim Sang Man", TargetType::Person);
        kim.country = Some("South African".into());
        assert!(linker.matches(&kim, None).is_empty());
        kim.country = Some("North Korean".into());
        assert_eq!(linker.matches(&kim, None).len(), 1);
    }
}
