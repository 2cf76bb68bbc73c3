//! Sanctions designations stated in an article: who was designated (or delisted), by whom, under
//! which programme, when, and the sentence that says so.
//!
//! Rule-based over sentences and the entity mentions found before: a sentence with a designation
//! verb ("sanctioned", "designated", "added to the Entity List") names its targets either before a
//! passive verb ("X and Y were designated"), after an active or inverted one ("OFAC sanctioned X",
//! "Also sanctioned was X"), after "including", or in a sentence that continues an enumeration
//! ("The other two organizations are X and Y"). Targets are the names that head the items of that
//! list; names inside descriptions and relative clauses are context, not targets.

use std::ops::Range;

use chrono::{Datelike, Duration, NaiveDate};
use once_cell::sync::Lazy;
use regex::Regex;

use super::entities::Mention;
use super::gazetteer::{AUTHORITIES, AuthorityName, COMPANY_WORDS, authority_named};
use crate::document::{Authority, DesignationAction, EntityLabel, TargetType};

/// A designation with byte offsets; `annotate` converts them to characters.
#[derive(Debug, Clone)]
pub struct Found {
    pub authority: Option<Authority>,
    pub action: DesignationAction,
    pub target_name: String,
    pub target_type: TargetType,
    pub target_aliases: Vec<String>,
    pub target_country: Option<String>,
    pub program: Option<String>,
    pub date: Option<NaiveDate>,
    pub evidence: Range<usize>,
    pub confidence: f32,
}

static TRIGGER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:sanctioned|designated|designating|blacklisted|added\s+(?:\w+\s+){0,3}to\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,3}list|(?:also\s+)?listed\s+(?:was|were)|(?:was|were)\s+(?:also\s+)?listed|imposed\s+(?:new\s+|fresh\s+|further\s+)?sanctions\s+(?:on|against)|(?:new|fresh|further)\s+sanctions\s+(?:on|against)|identif(?:y|ies|ied|ying)\s+(?:[\w-]+\s+){0,6}?as\s+(?:blocked\s+property|property\s+in\s+which)|(?:asset\s+freezes?|travel\s+bans?)\s+(?:on|against)|delisted|removed\s+(?:[\w-]+\s+){0,6}?from\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,3}(?:list|sdn)|lifted\s+sanctions\s+(?:on|against))").unwrap()
});

/// Sentences that talk about sanctions without imposing them now.
static NOT_AN_ACTION: Lazy<Regex> = Lazy::new(|| {
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

/// How a list of targets is read from a part of a sentence.
#[derive(Debug, Clone)]
struct Region {
    range: Range<usize>,
    /// The part after the verb: the list ends where the legal basis or reason begins.
    after_verb: bool,
}

pub fn find_designations(
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

/// The other names the article gives the target: acronyms, surnames, spellings.
fn aliases_of(target: &Mention, mentions: &[Mention]) -> Vec<String> {
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
fn country_of(body: &str, target: &Mention, mentions: &[Mention]) -> Option<String> {
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
fn target_type(body: &str, target: &Mention, mentions: &[Mention]) -> TargetType {
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

fn floor_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Every surface form of every authority, matched case-insensitively in one pass.
static AUTHORITY_FORM_OWNERS: Lazy<Vec<(&'static AuthorityName, &'static str)>> =
    Lazy::new(|| AUTHORITIES.iter().flat_map(|a| a.forms.iter().map(move |f| (a, *f))).collect());
static AUTHORITY_FORMS: Lazy<aho_corasick::AhoCorasick> = Lazy::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(AUTHORITY_FORM_OWNERS.iter().map(|(_, form)| form))
        .expect("authority forms build an automaton")
});

/// The authorities an article names, sentence by sentence, computed once per article and only for
/// articles that report an action.
struct AuthorityMentions {
    /// The most specific authority named in each sentence.
    per_sentence: Vec<Option<&'static AuthorityName>>,
    /// The authority the article names most often (ties: the first named).
    dominant: Option<&'static AuthorityName>,
}

impl AuthorityMentions {
    fn new(body: &str, sentences: &[Range<usize>], mentions: &[Mention]) -> Self {
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
    fn acting_in(&self, index: usize) -> Option<(bool, Authority)> {
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
fn mentions_agree(body: &str, sentence: &Range<usize>, form: &str, mentions: &[Mention]) -> bool {
    if form.contains(' ') || form.len() <= 4 {
        return true;
    }
    mentions
        .iter()
        .filter(|m| m.start >= sentence.start && m.end <= sentence.end)
        .any(|m| body[m.start..m.end].to_lowercase() == form)
}

/// The legal basis stated in the sentence, else the one the article states if it names only one.
fn program_for(body: &str, sentence: &Range<usize>, mentions: &[Mention]) -> Option<String> {
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
fn action_date(
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
        let weekday: chrono::Weekday = c[2].parse().ok()?;
        let back = (published.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
        Some(published - Duration::days(back as i64))
    };
    resolve(&sentences[index]).or_else(|| announcing.and_then(resolve)).or(Some(published))
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
