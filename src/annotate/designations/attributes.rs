//! What a designation says besides its target: the target's type, aliases and country, the acting
//! authority, the programme and the day of the action. Shared by the rules and the learned head.

use std::ops::Range;

use chrono::{Duration, NaiveDate};
use once_cell::sync::Lazy;
use regex::Regex;

use super::super::entities::Mention;
use super::super::gazetteer::{AUTHORITIES, AuthorityName, COMPANY_WORDS};
use crate::document::{Authority, EntityLabel, TargetType};

/// "Belgium-based", "Hong Kong-registered", "Panama-flagged", "Iranian national" right before a name.
static LOCATED_BEFORE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?:(\p{Lu}[\p{L}.]*(?: \p{Lu}[\p{L}.]*)*)-(?:based|registered|flagged|headquartered)|(?-u:\b)(\p{Lu}\p{L}+) (?:national|citizen)) (?:(?:the|vessel|company|firm|businessman|businesswoman)\s+)?$").unwrap()
});
/// The same in an apposition after the name.
static LOCATED_AFTER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^,? (?:an?|the) (?:[\w-]+ ){0,2}?(?:(\p{Lu}[\p{L}.]*(?: \p{Lu}[\p{L}.]*)*)-(?:based|registered|flagged|headquartered)|(\p{Lu}\p{L}+) (?:national|citizen))(?-u:\b)").unwrap()
});
/// Words that introduce a ship or an aircraft right before its name.
static VESSEL_BEFORE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)(?:vessel|tanker|ship|carrier|-flagged)s?\s+(?:the\s+)?$").unwrap());
static AIRCRAFT_BEFORE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)(?:aircraft|airliner|plane|jet)s?\s+(?:the\s+)?$").unwrap());
static RELATIVE_DAY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)(today|yesterday|(?:on|last)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday))(?-u:\b)")
        .unwrap()
});
/// A sentence that talks about the action, for its day when the designating sentence gives none.
static ANNOUNCING: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)sanction|entity list|designat|asset freeze|froze|freez|blacklist|restrictive measures").unwrap()
});
static PROGRAM_WORDS: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)(Global Magnitsky|counter-?terrorism|Russia-related|Iran-related|DPRK|North Korea sanctions|cyber-related|narcotics|Venezuela-related|Syria-related|EU Russia regime|Entity List)(?-u:\b)").unwrap()
});

/// The other names the article gives the target: acronyms, surnames, spellings.
pub(super) fn aliases_of(target: &Mention, mentions: &[Mention]) -> Vec<String> {
    let mut aliases: Vec<String> = mentions
        .iter()
        .filter(|m| m.canonical == target.canonical && m.text != target.canonical)
        .map(|m| m.text.clone())
        .collect();
    aliases.sort();
    aliases.dedup();
    aliases
}

/// The place the article ties the target to: "Belgium-based X", "X, a Hong Kong-registered
/// company", "Iranian national X".
pub(super) fn country_of(body: &str, target: &Mention, mentions: &[Mention]) -> Option<String> {
    let place = |c: regex::Captures| Some(c.get(1).or_else(|| c.get(2))?.as_str().to_string());
    mentions.iter().filter(|m| m.canonical == target.canonical).find_map(|m| {
        let before = &body[floor_boundary(body, m.start.saturating_sub(60))..m.start];
        let after = &body[m.end..ceil_boundary(body, (m.end + 80).min(body.len()))];
        // Right before the name ("Belgium-based X"), or in an apposition ("X, a Hong Kong-registered firm").
        LOCATED_BEFORE.captures(before).and_then(place).or_else(|| LOCATED_AFTER.captures(after).and_then(place))
    })
}

/// What kind of target a name is, from its words and from how the article introduces any mention of
/// it ("the vessel KOHANA (IMO: 9254082)", "aircraft EW-001PA").
pub(super) fn target_type(body: &str, target: &Mention, mentions: &[Mention]) -> TargetType {
    let same: Vec<&Mention> = mentions.iter().filter(|m| m.canonical == target.canonical).collect();
    let context = |m: &Mention| {
        let before_start = floor_boundary(body, m.start.saturating_sub(40));
        let after_end = ceil_boundary(body, (m.end + 40).min(body.len()));
        (body[before_start..m.start].to_lowercase(), &body[m.end..after_end])
    };
    let any = |test: &dyn Fn(&str, &str) -> bool| {
        same.iter().any(|m| {
            let (b, a) = context(m);
            test(&b, a)
        })
    };
    if any(&|b, a| a.trim_start().starts_with("(IMO") || VESSEL_BEFORE.is_match(b)) {
        TargetType::Vessel
    } else if any(&|b, _| AIRCRAFT_BEFORE.is_match(b)) {
        TargetType::Aircraft
    } else if target.label == EntityLabel::Per {
        TargetType::Person
    } else if target.text.split_whitespace().any(|w| COMPANY_WORDS.contains(w.trim_end_matches(','))) {
        TargetType::Company
    } else {
        TargetType::Organisation
    }
}

pub(super) fn floor_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

pub(super) fn ceil_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Every surface form of every authority, matched case-insensitively in one pass.
pub(super) static AUTHORITY_FORM_OWNERS: Lazy<Vec<(&'static AuthorityName, &'static str)>> =
    Lazy::new(|| AUTHORITIES.iter().flat_map(|a| a.forms().map(move |f| (a, f))).collect());
pub(super) static AUTHORITY_FORMS: Lazy<aho_corasick::AhoCorasick> = Lazy::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(AUTHORITY_FORM_OWNERS.iter().map(|(_, form)| form))
        .expect("authority forms build an automaton")
});

/// The authorities an article names, sentence by sentence, computed once per article and only for
/// articles that report an action.
pub(super) struct AuthorityMentions {
    /// The most specific authority named in each sentence.
    per_sentence: Vec<Option<&'static AuthorityName>>,
    /// The authority the article names most often (ties: the first named).
    dominant: Option<&'static AuthorityName>,
}

impl AuthorityMentions {
    pub(super) fn new(body: &str, sentences: &[Range<usize>], mentions: &[Mention]) -> Self {
        // One pass over the article finds every authority form; each sentence keeps its most
        // specific one, e.g. "OFAC" over "Treasury".
        let mut per_sentence: Vec<Option<(&'static AuthorityName, usize)>> = vec![None; sentences.len()];
        for m in AUTHORITY_FORMS.find_overlapping_iter(body) {
            let (authority, form) = AUTHORITY_FORM_OWNERS[m.pattern().as_usize()];
            let whole_word = !body[..m.start()].chars().next_back().is_some_and(char::is_alphanumeric)
                && !body[m.end()..].chars().next().is_some_and(char::is_alphanumeric);
            let index = sentences.partition_point(|s| s.end <= m.start());
            if sentences.get(index).is_none_or(|s| s.start > m.start() || m.end() > s.end) {
                continue;
            }
            if !whole_word || !mentions_agree(body, &sentences[index], form, mentions) {
                continue;
            }
            let specificity = |a: &AuthorityName, len: usize| (a.country != "US" || len > 4, len);
            let better = per_sentence[index]
                .is_none_or(|(known, len)| specificity(authority, form.len()) > specificity(known, len));
            if better {
                per_sentence[index] = Some((authority, form.len()));
            }
        }
        let per_sentence: Vec<Option<&'static AuthorityName>> =
            per_sentence.into_iter().map(|e| e.map(|(a, _)| a)).collect();
        let mut counts: Vec<(&'static AuthorityName, usize)> = Vec::new();
        for a in per_sentence.iter().flatten() {
            match counts.iter_mut().find(|(known, _)| std::ptr::eq(*known, *a)) {
                Some((_, n)) => *n += 1,
                None => counts.push((a, 1)),
            }
        }
        let dominant = counts.iter().rev().max_by_key(|(_, n)| *n).map(|(a, _)| *a);
        AuthorityMentions { per_sentence, dominant }
    }

    /// The authority acting in sentence `index`: one named there, else the article's dominant one
    /// (news attributes an action to its agency repeatedly, and quotes other officials in between).
    /// The flag says whether it was named in the sentence itself.
    pub(super) fn acting_in(&self, index: usize) -> Option<(bool, Authority)> {
        let to_authority =
            |a: &AuthorityName| Authority { name: a.canonical.to_string(), country: Some(a.country.to_string()) };
        match self.per_sentence[index] {
            Some(a) => Some((true, to_authority(a))),
            None => self.dominant.map(|a| (false, to_authority(a))),
        }
    }
}

/// A place name that is also an authority form ("Japan", "London") counts only as a whole mention,
/// not inside another name ("Bank of Japan").
pub(super) fn mentions_agree(body: &str, sentence: &Range<usize>, form: &str, mentions: &[Mention]) -> bool {
    if form.contains(' ') || form.len() <= 4 {
        return true;
    }
    mentions
        .iter()
        .filter(|m| m.start >= sentence.start && m.end <= sentence.end)
        .any(|m| body[m.start..m.end].to_lowercase() == form)
}

/// The legal basis stated in the sentence, else the one the article states if it names only one.
pub(super) fn program_for(body: &str, sentence: &Range<usize>, mentions: &[Mention]) -> Option<String> {
    let laws: Vec<&Mention> = mentions.iter().filter(|m| m.label == EntityLabel::Law).collect();
    if let Some(m) = laws.iter().find(|m| m.start >= sentence.start && m.end <= sentence.end) {
        return Some(m.text.clone());
    }
    if let Some(m) = PROGRAM_WORDS.find(&body[sentence.clone()]) {
        return Some(m.as_str().to_string());
    }
    let mut distinct: Vec<&str> = laws.iter().map(|m| m.text.as_str()).collect();
    distinct.dedup();
    (distinct.len() == 1).then(|| distinct[0].to_string())
}

/// The day of the action: a weekday or "today" in the sentence, or in the first sentence that
/// announces sanctions, resolved against the publication date; else the publication date.
pub(super) fn action_date(
    body: &str,
    sentences: &[Range<usize>],
    index: usize,
    published: Option<NaiveDate>,
) -> Option<NaiveDate> {
    let published = published?;
    let announcing = sentences.iter().find(|s| ANNOUNCING.is_match(&body[(*s).clone()]));
    let resolve = |s: &Range<usize>| -> Option<NaiveDate> {
        let text = &body[s.clone()];
        if let Some(date) = crate::dates::find_date_in_text(text) {
            return Some(date);
        }
        let c = RELATIVE_DAY.captures(text)?;
        let phrase = c[1].to_lowercase();
        if phrase == "today" {
            return Some(published);
        }
        if phrase == "yesterday" {
            return Some(published - Duration::days(1));
        }
        Some(crate::dates::weekday_on_or_before(published, c[2].parse().ok()?))
    };
    resolve(&sentences[index]).or_else(|| announcing.and_then(resolve)).or(Some(published))
}
