//! The designation rules: their verdicts are one of the head's features, and their delistings are
//! reported as they find them.
//!
//! Rule-based over sentences and the entity mentions found before: a sentence with a designation
//! verb ("sanctioned", "designated", "added to the Entity List") names its targets either before a
//! passive verb ("X and Y were designated"), after an active or inverted one ("OFAC sanctioned X",
//! "Also sanctioned was X"), after "including", or in a sentence that continues an enumeration
//! ("The other two organizations are X and Y"). Targets are the names that head the items of that
//! list; names inside descriptions and relative clauses are context, not targets.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use once_cell::sync::Lazy;
use regex::Regex;

use super::super::entities::Mention;
use super::super::gazetteer::{AUTHORITIES, authority_named};
use super::Found;
use super::attributes::{
    AUTHORITY_FORM_OWNERS, AUTHORITY_FORMS, AuthorityMentions, action_date, aliases_of, country_of, program_for,
    target_type,
};
use crate::document::{DesignationAction, EntityLabel};

pub(super) static TRIGGER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:sanctioned|designated|designating|blacklisted|added\s+(?:\w+\s+){0,3}to\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,3}list|(?:also\s+)?listed\s+(?:was|were)|(?:was|were)\s+(?:also\s+)?listed|imposed\s+(?:new\s+|fresh\s+|further\s+)?sanctions\s+(?:on|against)|(?:new|fresh|further)\s+sanctions\s+(?:on|against)|identif(?:y|ies|ied|ying)\s+(?:[\w-]+\s+){0,6}?as\s+(?:blocked\s+property|property\s+in\s+which)|(?:asset\s+freezes?|travel\s+bans?)\s+(?:on|against)|delisted|removed\s+(?:[\w-]+\s+){0,6}?from\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,3}(?:list|sdn)|lifted\s+sanctions\s+(?:on|against))").unwrap()
});

/// Sentences that talk about sanctions without imposing them now.
pub(super) static NOT_AN_ACTION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:could|would|might|(?-i:may)|should|threaten\w*|call(?:ed|s|ing)?\s+for|urg\w+|propos\w+|consider\w*|plan(?:s|ned)?\s+to|seek\w*|if|unless|not|never|last\s+year|previously|already|had\s+been|earlier\s+this\s+year|has\s+now)(?-u:\b)").unwrap()
});

/// "was sanctioned in 2019": a year stated right after the verb dates the action.
static DATED_ACTION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"^\W*(?:[\w.-]+\W+){0,10}?(?:in|since|on)\s+(?:[A-Z][a-z]+\.?\s+)?(?:\d{1,2},?\s+)?((?:19|20)\d\d)(?-u:\b)",
    )
    .unwrap()
});

static PASSIVE_AUX: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?:(?:was|were|is|are)(?:\s+(?:being|also|now|today))*|(?:has|have)\s+(?:also\s+)?been|being|been)\s+$",
    )
    .unwrap()
});
static INVERTED: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?i)^\s*(?:was|were)\s+").unwrap());
static INCLUDING: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:including|namely|among\s+them|alongside|along\s+with|together\s+with)(?-u:\b)|:")
        .unwrap()
});
/// "Officials said X was designated": the list starts after the reporting verb.
static REPORTED: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)(?-u:\b)(?:said|says|announced|confirmed|stated)(?:\s+that)?\s+").unwrap());
/// "The other two organizations are …", "Those sanctioned include …".
static CONTINUATION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^(?:the\s+)?(?:other\s+)?(?:\w+\s+)?(?:organi[sz]ations|entities|individuals|people|persons|companies|firms|groups|vessels|ships|banks|targets|designees|they|others)(?:\s+(?:sanctioned|designated|listed|targeted))?\s+(?:are|were|include|included|comprise)(?-u:\b)").unwrap()
});
static RELATIVE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)^(?:which|who|whom|whose|that|where|when|while|it|he|she|they)(?-u:\b)").unwrap());
/// Words that may follow a target's name inside its list item.
static AFTER_NAME: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^(?:$|\(|for(?-u:\b)|in(?-u:\b)|on(?-u:\b)|based(?-u:\b)|located(?-u:\b)|pursuant(?-u:\b)|under(?-u:\b)|over(?-u:\b)|after(?-u:\b)|as(?-u:\b)|to(?-u:\b)|who(?-u:\b)|which(?-u:\b)|that(?-u:\b)|itself(?-u:\b)|themselves(?-u:\b)|—|–|-)").unwrap()
});
static LEADING_FILLER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^(?:(?:and|or|as\s+well\s+as|including|namely|also|plus|both|the|its|a|an|to)\s+)+").unwrap()
});
/// Where a list of targets after the verb ends: the legal basis, the reason, the role.
static LIST_END: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)\s(?:pursuant\s+to|for\s+(?:having|being|its|their|his|her|acting|operating|providing|their|assisting|engaging|materially|the|its)|under\s+(?:E\.O\.|executive|section|the)|because|in\s+connection\s+with|in\s+response\s+to|as\s+(?:a|an|the|part|property|specially)(?-u:\b)|on\s+behalf\s+of)").unwrap()
});
/// The end of the name at the start of a list-item paragraph.
static LIST_ITEM_END: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)\s(?:is|was|are|were|has|had|serves|served|,)\s|\s?[;:]|\.\s*$").unwrap());
/// A subject pronoun standing for the person just described.
static PRONOUN: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(?:He|She)(?-u:\b)").unwrap());
/// "Bortnikov ( Bortnikov )", "(BelAZ)": an alias after a name.
static PARENTHETICAL: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\(\s*[^()]{1,40}\s*\)$").unwrap());
/// A description that relates its name to another ("a subsidiary of X"): X is context.
static DESCRIPTION_PREPOSITION: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?-u:\b)(?:of|for|by|to|with|from|in|on|at|under|against|behind|through)(?-u:\b)").unwrap()
});
/// How a list of targets is read from a part of a sentence.
#[derive(Debug, Clone)]
struct Region {
    range: Range<usize>,
    /// The part after the verb: the list ends where the legal basis or reason begins.
    after_verb: bool,
}

pub(super) fn find_designations(
    body: &str,
    sentences: &[Range<usize>],
    mentions: &[Mention],
    published: Option<NaiveDate>,
) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    let authorities = once_cell::unsync::OnceCell::new();
    let mut last_action: Option<(usize, DesignationAction)> = None;
    // "The following individuals are designated:" announces a list in the paragraphs after it.
    let mut list_after: Option<DesignationAction> = None;
    for (index, sentence) in sentences.iter().enumerate() {
        let text = &body[sentence.clone()];
        let starts_paragraph = sentence.start == 0 || body[..sentence.start].ends_with('\n');
        // "U.S.-designated arms dealer X" describes X; it does not report an action.
        let trigger = if may_state_action(text) {
            TRIGGER.find_iter(text).find(|m| !is_attributive(text, m.range()))
        } else {
            None
        };
        // Headings ("DESIGNATED WAEL BAZZI-OWNED COMPANIES") label sections; they are not statements.
        let heading = text.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
        let trigger = trigger.filter(|_| !heading);
        let (regions, action) = if let Some(trigger) = trigger {
            list_after = None;
            if NOT_AN_ACTION.is_match(text) || is_earlier_action(&text[trigger.end()..], published) {
                continue;
            }
            let action = action_of(trigger.as_str(), text);
            last_action = Some((index, action));
            if text.trim_end().ends_with(':') {
                list_after = Some(action);
            }
            (target_regions(text, trigger.range()), action)
        } else if let Some(action) = list_after {
            if !starts_paragraph {
                continue;
            }
            (vec![Region { range: 0..first_item_end(text), after_verb: false }], action)
        } else if let Some((_, action)) = last_action.filter(|(at, _)| index - at <= 2) {
            let Some(copula) = CONTINUATION.find(text) else { continue };
            (vec![Region { range: copula.end()..text.len(), after_verb: true }], action)
        } else {
            continue;
        };
        let sentence_mentions: Vec<&Mention> =
            mentions.iter().filter(|m| m.start >= sentence.start && m.end <= sentence.end).collect();
        let mut targets: Vec<&Mention> = Vec::new();
        for region in regions {
            targets.extend(targets_in(body, sentence.start, &region, &sentence_mentions, mentions));
        }
        if targets.is_empty() && list_after.is_some() && starts_paragraph && trigger.is_none() {
            list_after = None;
        }
        // Shared by every target of the sentence.
        let program = program_for(body, sentence, mentions);
        let date = action_date(body, sentences, index, published);
        for target in targets {
            if found.iter().any(|f| f.target_name == target.canonical && f.action == action) {
                continue;
            }
            let authority =
                authorities.get_or_init(|| AuthorityMentions::new(body, sentences, mentions)).acting_in(index);
            let confidence = 0.5
                + if authority.as_ref().is_some_and(|(same, _)| *same) { 0.2 } else { 0.1 }
                + if program.is_some() { 0.1 } else { 0.0 }
                + if target.label == EntityLabel::Misc { -0.2 } else { 0.1 };
            found.push(Found {
                authority: authority.map(|(_, a)| a),
                action,
                target_name: target.canonical.clone(),
                target_type: target_type(body, target, mentions),
                target_aliases: aliases_of(target, mentions),
                target_country: country_of(body, target, mentions),
                program: program.clone(),
                date,
                evidence: sentence.clone(),
                confidence,
            });
        }
    }
    found
}

/// Cheap test before the trigger pattern: most sentences of most articles mention no action word.
fn may_state_action(sentence: &str) -> bool {
    const STEMS: &[&str] = &["sanction", "designat", "blacklist", "list", "identif", "freez", "ban", "remov"];
    let lower = sentence.to_ascii_lowercase();
    STEMS.iter().any(|stem| lower.contains(stem))
}

/// "U.S.-designated arms dealer X", "on behalf of sanctioned Iranian persons", "relatives of
/// designated terrorists": the participle describes someone, it does not report an action.
fn is_attributive(text: &str, trigger: Range<usize>) -> bool {
    if text[..trigger.start].ends_with('-') {
        return true;
    }
    let word = &text[trigger.clone()];
    if word.contains(char::is_whitespace) || !word.ends_with("ed") {
        return false;
    }
    let previous = text[..trigger.start].split_whitespace().next_back().unwrap_or_default().to_lowercase();
    ATTRIBUTIVE_BEFORE.contains(&previous.trim_matches(|c: char| !c.is_alphanumeric() && c != '.'))
}

/// Words after which "sanctioned"/"designated" is an adjective.
const ATTRIBUTIVE_BEFORE: &[&str] = &[
    "of",
    "the",
    "a",
    "an",
    "any",
    "all",
    "other",
    "these",
    "those",
    "by",
    "with",
    "to",
    "for",
    "against",
    "including",
    "its",
    "their",
    "his",
    "her",
    "on",
    "newly",
    "u.s",
    "u.s.",
    "un",
    "eu",
    "such",
    "non",
    "from",
    "between",
    "among",
];

/// A list item paragraph names its target first: "Luis Alfredo Motta Dominguez is the former …".
fn first_item_end(text: &str) -> usize {
    LIST_ITEM_END.find(text).map_or(text.len(), |m| m.start())
}

fn is_earlier_action(after_trigger: &str, published: Option<NaiveDate>) -> bool {
    let Some(year) = DATED_ACTION.captures(after_trigger).and_then(|c| c[1].parse::<i32>().ok()) else { return false };
    published.is_none_or(|p| year < p.year())
}

fn action_of(trigger: &str, sentence: &str) -> DesignationAction {
    let t = trigger.to_lowercase();
    if t.contains("delisted") || t.contains("removed") || t.contains("lifted") {
        DesignationAction::Delist
    } else if t.contains("entity list") || sentence.contains("Entity List") {
        DesignationAction::AddToExportControlList
    } else if t.contains("identif") {
        DesignationAction::IdentifyBlockedProperty
    } else if t.contains("freeze") || t.contains("travel ban") {
        DesignationAction::AssetFreeze
    } else {
        DesignationAction::Designate
    }
}

/// Parts of the sentence (relative byte ranges) that list the targets of the trigger.
fn target_regions(text: &str, trigger: Range<usize>) -> Vec<Region> {
    let before = &text[..trigger.start];
    let after = trigger.end..text.len();
    // "identifying EW-001PA as property in which …", "removed X from its list", "added X to the
    // Entity List": the targets sit inside the phrase, between the verb and its preposition.
    let phrase = &text[trigger.clone()];
    let verb_end = trigger.start + phrase.find(char::is_whitespace).unwrap_or(phrase.len());
    let preposition = [" as ", " from ", " to "].iter().filter_map(|p| phrase.find(p)).min();
    if let Some(at) = preposition.map(|p| trigger.start + p).filter(|&at| text[verb_end..at].trim().len() > 1) {
        return vec![Region { range: verb_end..at, after_verb: false }];
    }
    // "were sanctioned" is passive; "is designating" and "imposed sanctions on" are not.
    let first_word = text[trigger.clone()].split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
    let last_word = text[trigger.clone()].split_whitespace().next_back().unwrap_or_default().to_ascii_lowercase();
    let participle = first_word.ends_with("ed") && !matches!(last_word.as_str(), "on" | "against");
    if let Some(aux) = PASSIVE_AUX.find(before).filter(|_| participle) {
        let subject_start = REPORTED.find_iter(&text[..aux.start()]).last().map_or(0, |m| m.end());
        let mut regions = vec![Region { range: subject_start..aux.start(), after_verb: false }];
        // "Four organizations were sanctioned, including A and B": the names follow.
        if let Some(m) = INCLUDING.find(&text[after.clone()]) {
            regions.push(Region { range: after.start + m.end()..after.end, after_verb: true });
        }
        return regions;
    }
    if let Some(m) = INVERTED.find(&text[after.clone()]) {
        return vec![Region { range: after.start + m.end()..after.end, after_verb: true }];
    }
    vec![Region { range: after, after_verb: true }]
}

/// The targets a region lists: in each item of "A, a unit of B, and C, which …", the name that heads
/// it, or the name that ends it after a title or description ("Director Aleksandr Bortnikov
/// (Bortnikov)", "the businessmen A").
fn targets_in<'m>(
    body: &str,
    offset: usize,
    region: &Region,
    mentions: &[&'m Mention],
    all_mentions: &'m [Mention],
) -> Vec<&'m Mention> {
    let base = offset + region.range.start;
    let mut region_text = &body[base..offset + region.range.end];
    let inside_mention = |at: usize| mentions.iter().any(|m| m.start < base + at && base + at < m.end);
    if region.after_verb {
        // "… X and Y pursuant to E.O. 13224 for supporting Z": Z is not a target.
        if let Some(cut) = LIST_END.find_iter(region_text).map(|m| m.start()).find(|&at| !inside_mention(at)) {
            region_text = &region_text[..cut];
        }
    }
    let authority_spans: Vec<Range<usize>> =
        authority_spans(region_text).into_iter().map(|s| s.start + base..s.end + base).collect();
    let is_candidate = |m: &&&Mention| {
        matches!(m.label, EntityLabel::Per | EntityLabel::Org | EntityLabel::Misc)
            && authority_named(&m.canonical).is_none()
            && !AUTHORITIES.iter().any(|a| a.canonical == m.canonical)
            && !authority_spans.iter().any(|s| m.start < s.end && s.start < m.end)
    };
    let protected: Vec<Range<usize>> = mentions
        .iter()
        .filter(|m| m.start >= base && m.end <= base + region_text.len())
        .map(|m| m.start - base..m.end - base)
        .collect();
    let mut targets = Vec::new();
    for (item_start, item) in split_items(region_text, &protected) {
        if RELATIVE.is_match(item) && !PRONOUN.is_match(item) {
            continue;
        }
        let item_range = base + item_start..base + item_start + item.len();
        let rest_of = |m: &Mention| -> &str {
            let tail = body.get(m.end..item_range.end).unwrap_or_default();
            tail.trim_start_matches(['\'', '’', 's']).trim()
        };
        let lead = LEADING_FILLER.find(item).map_or(0, |m| m.end());
        // "He is being designated": the person the previous sentences are about.
        if region.range.start == 0 && !region.after_verb && PRONOUN.is_match(&item[lead..]) {
            // Not the official quoted in between ("…,” said Under Secretary Brian E. Nelson.").
            let quoted_speaker = |m: &Mention| {
                let before = &body[body.floor_char_boundary(m.start.saturating_sub(160))..m.start];
                before.rfind(['”', '"']).is_some_and(|q| before[q..].contains(" said "))
            };
            let antecedent = all_mentions
                .iter()
                .rev()
                .find(|m| m.end <= offset && m.label == EntityLabel::Per && !quoted_speaker(m));
            targets.extend(antecedent);
            continue;
        }
        let in_item: Vec<&&Mention> = mentions
            .iter()
            .filter(|m| m.start >= item_range.start + lead && m.start < item_range.end)
            .filter(is_candidate)
            .collect();
        let head = in_item.first().filter(|m| m.start == item_range.start + lead);
        // The name that closes the item (an alias in parentheses may follow).
        let tail = in_item
            .iter()
            .rev()
            .find(|m| rest_of(m).trim_matches([' ', '(', ')']).is_empty() || PARENTHETICAL.is_match(rest_of(m)));
        let description = &item[lead..];
        let described = description.starts_with(char::is_lowercase)
            && (description.split_whitespace().count() > 10 || DESCRIPTION_PREPOSITION.is_match(description));
        match (head, tail) {
            (_, Some(t)) if !described || head.is_some_and(|h| h.start == t.start) => targets.push(**t),
            (Some(h), _) if AFTER_NAME.is_match(rest_of(h)) => targets.push(**h),
            _ => {}
        }
    }
    // An alias in parentheses names the same target again.
    targets.dedup_by(|a, b| a.canonical == b.canonical);
    targets
}

/// Byte ranges of multi-word authority names in `text`: their parts are never targets ("the Foreign,
/// Commonwealth and Development Office").
fn authority_spans(text: &str) -> Vec<Range<usize>> {
    AUTHORITY_FORMS
        .find_overlapping_iter(text)
        .filter(|m| AUTHORITY_FORM_OWNERS[m.pattern().as_usize()].1.contains(' '))
        .map(|m| m.range())
        .collect()
}

/// Splits a list on commas, semicolons and "and", never inside a name (`protected`, relative
/// ranges); an item that opens a relative clause is kept whole so that names inside it are not taken
/// for list items.
fn split_items<'t>(text: &'t str, protected: &[Range<usize>]) -> Vec<(usize, &'t str)> {
    let inside = |at: usize| protected.iter().any(|r| r.start < at && at < r.end);
    let mut items = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, ',' | ';') && !inside(i) {
            items.push((start, &text[start..i]));
            start = i + 1;
        }
    }
    items.push((start, &text[start..]));
    let mut out = Vec::new();
    for (s, item) in items {
        let trimmed_lead = item.len() - item.trim_start().len();
        let (s, item) = (s + trimmed_lead, item.trim());
        if RELATIVE.is_match(item) && !PRONOUN.is_match(item) {
            out.push((s, item));
            continue;
        }
        let mut part_start = 0;
        for (i, _) in item.match_indices(" and ").filter(|(i, _)| !inside(s + i + 1)) {
            out.push((s + part_start, &item[part_start..i]));
            part_start = i + 1;
        }
        out.push((s + part_start, &item[part_start..]));
    }
    out.into_iter().map(|(s, t)| (s, t.trim_end_matches(['.', '"', '”', ' ']))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_split_around_relative_clauses() {
        let items: Vec<&str> =
            split_items("including A Corp, and B Ltd, which serves C and D", &[]).into_iter().map(|(_, t)| t).collect();
        assert_eq!(items, vec!["including A Corp", "and B Ltd", "which serves C and D"]);
    }
}
