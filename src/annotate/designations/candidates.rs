//! Candidate designees and what the head reads of each: every name of the article (PER, ORG, MISC)
//! that is not an authority, grouped by canonical name, with the encoder's vectors of its mentions
//! and their sentences and a few cues read by rule.

use once_cell::sync::Lazy;
use regex::Regex;

use super::super::entities::Mention;
use super::super::gazetteer::{AUTHORITIES, PERSON_TITLES, authority_named};
use super::attributes::target_type;
use super::rules::{NOT_AN_ACTION, TRIGGER};
use super::{ArticleView, Found};
use crate::annotate::ner::WordVectors;
use crate::document::{DesignationAction, EntityLabel, Target, TargetType};
use crate::identity::without_legal_forms;
use crate::lists::ListEvidence;

/// Words that say which action a sentence reports, most specific first.
pub static ACTION_WORDS: Lazy<Vec<(DesignationAction, Regex)>> = Lazy::new(|| {
    let pattern = |p: &str| Regex::new(p).expect("valid action pattern");
    vec![
        (
            DesignationAction::Delist,
            pattern(
                r"(?i)(?-u:\b)(?:delist\w*|de-list\w*|remov\w+\s+(?:\S+\s+){0,8}?from|lift\w*\s+(?:the\s+)?sanctions|unblock\w*|unfr[eo]\w+)",
            ),
        ),
        (
            DesignationAction::AddToExportControlList,
            pattern(r"(?i)entity\s+list|export[- ]control\s+list|unverified\s+list"),
        ),
        (DesignationAction::IdentifyBlockedProperty, pattern(r"(?i)blocked\s+property|property\s+in\s+which")),
        (
            DesignationAction::AssetFreeze,
            pattern(
                r"(?i)asset[- ]freez\w*|freez\w*\s+(?:\S+\s+){0,3}?(?:assets|funds)|(?:assets|funds)\s+(?:\S+\s+){0,3}?frozen|travel\s+ban",
            ),
        ),
        (
            DesignationAction::Designate,
            pattern(
                r"(?i)sanction\w*|designat\w*|black-?list\w*|(?-u:\b)listed(?-u:\b)|add\w*\s+(?:\S+\s+){0,6}?to\s+(?:\S+\s+){0,4}?list|restrictive\s+measures|restrictions|(?-u:\b)target(?:s|ed|ing)?(?-u:\b)|penalt\w+|(?-u:\b)bann(?:ed|ing)(?-u:\b)|(?:on|to|in|into)\s+(?:the|its|their|a)\s+(?:\S+\s+){0,4}?list(?-u:\b)|amended\s+by\s+adding",
            ),
        ),
    ]
});

/// Words that place an action in the past or make it someone else's.
static EARLIER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:previously|already|earlier|formerly|had\s+been|last\s+(?:year|month)",
        r"|in\s+(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+)?",
        r"(?:19|20)\d\d)(?-u:\b)",
    ))
    .unwrap()
});

/// A mention that speaks rather than is spoken of: "X said", "said X", "according to X".
static SPEAKS_AFTER: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"^,?\s*(?:\S+\s+){0,2}?(?:said|says|told|added|stated|announced|wrote)(?-u:\b)").unwrap());
static SPEAKS_BEFORE: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?:said|says|told|according\s+to|spokes\w+)\s*,?\s*(?:\S+\s+){0,3}$").unwrap());

/// The speaker a quotation is attributed to: "…,” said Under Secretary of the Treasury for Terrorism and
/// Financial Intelligence X" (a title of any length in capitals before the name), or "…,” X said".
static QUOTED_BEFORE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r#"[”"]\s*(?:(?:said|says|added|stated|wrote)\s+(?:(?:\p{Lu}[\p{L}\p{N}.’'-]*|of|the|for|and|on|to),?\s+)*)?$"#,
    )
    .unwrap()
});
static QUOTED_AFTER: Lazy<Regex> = Lazy::new(|| Regex::new(r"^,?\s*(?:said|says|added|stated|wrote)(?-u:\b)").unwrap());

/// What comes right before a name that credits a photo or signs the story: "REUTERS/", "AP Photo/",
/// "Credit:", "By Jane Doe and ". Such a name is the press's, never a party's.
static CREDIT_BEFORE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?:(?:\b\p{Lu}{2,}|(?i:photo))/|(?i:photo(?:graph)?s?|credits?|images?|pictures?)(?:\s+by)?\s*:|(?:^|[\s/(])By\s+(?:\p{Lu}[\p{L}.'’-]*\s+){0,4}(?:and\s+)?)\s*$",
    )
    .unwrap()
});

/// "Iranians", "Russian": a nationality, not a party.
static DEMONYM: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\p{Lu}\p{Ll}+(?:an|ans|ian|ians|ese|i|is|ish)$").unwrap());

/// What the head needs of each sentence.
pub struct SentenceCues {
    /// The action its words report, if any.
    pub action: Option<DesignationAction>,
    /// Where its first action word starts (a byte offset in the body).
    action_at: Option<usize>,
    /// The rules' designation trigger matches.
    pub trigger: bool,
    /// Conditional, proposed, threatened or negated.
    pub negated: bool,
    pub earlier: bool,
    /// Enumerates: two commas or more, a colon, "including".
    list: bool,
    /// The mean of its word vectors.
    pub vector: Vec<f32>,
}

pub fn sentence_cues(view: &ArticleView) -> Vec<SentenceCues> {
    let dim = view.encoded.vectors.dim;
    view.sentences
        .iter()
        .map(|range| {
            let text = &view.body[range.clone()];
            // One search per kind of action: the first kind found names the action (they are in
            // order of specificity), the earliest match says where it is.
            let matches: Vec<(DesignationAction, usize)> =
                ACTION_WORDS.iter().filter_map(|(a, p)| Some((*a, range.start + p.find(text)?.start()))).collect();
            let action = matches.first().map(|&(a, _)| a);
            let action_at = matches.iter().map(|&(_, at)| at).min();
            SentenceCues {
                action,
                action_at,
                trigger: action.is_some() && TRIGGER.is_match(text),
                negated: action.is_some() && NOT_AN_ACTION.is_match(text),
                earlier: EARLIER.is_match(text),
                list: text.matches(',').count() >= 2 || text.contains(':') || text.contains("including"),
                vector: pooled(&span_pool(view, range.start, range.end), &view.encoded.vectors, dim),
            }
        })
        .collect()
}

/// The mean of `vectors` (zeros when there are none).
pub fn mean<V: AsRef<[f32]>>(vectors: impl Iterator<Item = V>, dim: usize) -> Vec<f32> {
    let mut sum = vec![0f32; dim];
    let mut count = 0;
    for v in vectors {
        sum.iter_mut().zip(v.as_ref()).for_each(|(s, x)| *s += x);
        count += 1;
    }
    if count > 0 {
        sum.iter_mut().for_each(|s| *s /= count as f32);
    }
    sum
}

/// A weighted sum of word vectors: (word index, weight) pairs. A candidate's encoder features are
/// pools, so that they can be read from any layer's vectors, and trained through.
pub type Pool = Vec<(usize, f32)>;

/// The pools a candidate's features hold, after its cues.
pub const POOLS: usize = 5;

/// The sum of `vectors` at the pool's words, by their weights.
pub fn pooled(pool: &Pool, vectors: &WordVectors, dim: usize) -> Vec<f32> {
    let mut sum = vec![0f32; dim];
    for &(word, weight) in pool {
        sum.iter_mut().zip(vectors.word(word)).for_each(|(s, v)| *s += weight * v);
    }
    sum
}

/// The mean of the words inside `start..end` (nothing when there are none).
fn span_pool(view: &ArticleView, start: usize, end: usize) -> Pool {
    let words = &view.encoded.words;
    let first = words.partition_point(|w| w.start < start);
    let inside = words[first..].iter().take_while(|w| w.end <= end).count();
    (first..first + inside).map(|i| (i, 1.0 / inside as f32)).collect()
}

/// The mean of `pools`, each counting once (an empty one as zeros).
fn mean_pool(pools: impl Iterator<Item = Pool>) -> Pool {
    let pools: Vec<Pool> = pools.collect();
    let share = 1.0 / pools.len().max(1) as f32;
    pools.into_iter().flatten().map(|(word, weight)| (word, weight * share)).collect()
}

/// A name that may be a designee: all mentions of one canonical name.
pub struct Candidate<'m> {
    pub canonical: String,
    pub mentions: Vec<&'m Mention>,
    /// Sentences holding its mentions, in order, each once.
    pub sentences: Vec<usize>,
    /// What its encoder features pool ([`POOLS`] of them, after the cues).
    pub pools: Vec<Pool>,
    pub features: Vec<f32>,
}

impl<'m> Candidate<'m> {
    /// The mention written as the canonical name, else the longest.
    pub fn representative(&self) -> &'m Mention {
        let exact = self.mentions.iter().find(|m| m.text == self.canonical);
        exact.or_else(|| self.mentions.iter().max_by_key(|m| m.text.len())).expect("a candidate has a mention")
    }
}

/// Hand-read cues per candidate, then five encoder vectors: its mentions; its mentions in sentences
/// that report an action, the words just before and just after those mentions, and those sentences;
/// then the lists' evidence ([`LIST_FEATURES`]).
pub const CUE_FEATURES: usize = 35;

/// Last, what the official lists said of the candidate on the article's day (zeros without lists or
/// a date): a head trained without them reads the features before these only.
pub const LIST_FEATURES: usize = 2;

/// The word that ends just before `at` (`before`) or starts just after it.
fn neighbour_pool(view: &ArticleView, at: usize, before: bool) -> Pool {
    let words = &view.encoded.words;
    let index = words.partition_point(|w| w.start < at);
    // Words before `index` start before `at`; the one at `index` is the first to start at or after it.
    let neighbour = if before { index.checked_sub(1) } else { Some(index) };
    neighbour.filter(|&i| i < words.len()).map(|i| (i, 1.0)).into_iter().collect()
}

/// Up to `bytes` of the body right before the mention (fewer, to stay on a character boundary).
fn text_before<'b>(body: &'b str, m: &Mention, bytes: usize) -> &'b str {
    &body[body.floor_char_boundary(m.start.saturating_sub(bytes))..m.start]
}

/// Up to `bytes` of the body right after the mention.
fn text_after<'b>(body: &'b str, m: &Mention, bytes: usize) -> &'b str {
    &body[m.end..body.ceil_char_boundary((m.end + bytes).min(body.len()))]
}

fn is_credit(body: &str, m: &Mention) -> bool {
    // Only the mention's own line.
    let before = text_before(body, m, 80);
    CREDIT_BEFORE.is_match(&before[before.rfind('\n').map_or(0, |p| p + 1)..])
}

/// "Prime Minister X", "Treasury Secretary X": a title among the three words before the name. Those
/// who hold an office are more often the ones who act or speak than the ones acted on.
fn holds_office(body: &str, m: &Mention) -> bool {
    text_before(body, m, 60).split_whitespace().rev().take(3).any(|w| PERSON_TITLES.contains(w.trim_end_matches(',')))
}

/// Whether the mention names the speaker of a quotation. Those quoted about an action are more often
/// the ones who take it or comment on it than the ones it targets.
fn quoted_speaker(body: &str, m: &Mention) -> bool {
    let before = text_before(body, m, 160);
    // A name right after the closing quote needs "said" after it; "said X" needs nothing more.
    QUOTED_BEFORE.is_match(before)
        && (!before.trim_end().ends_with(['”', '"']) || QUOTED_AFTER.is_match(text_after(body, m, 20)))
}

fn is_candidate(m: &Mention) -> bool {
    matches!(m.label, EntityLabel::Per | EntityLabel::Org | EntityLabel::Misc)
        && m.canonical.chars().filter(|c| c.is_alphanumeric()).count() >= 2
        // Names start with a capital or a digit; a lower-case start is a phrase the tagger took in.
        && m.canonical.chars().next().is_some_and(|c| c.is_uppercase() || c.is_numeric())
        // A legal form alone ("S.A. de C.V.") is the tail of a name, never a name.
        && !without_legal_forms(&m.canonical).0.is_empty()
        && authority_named(&m.canonical).is_none()
        && !AUTHORITIES.iter().any(|a| a.canonical == m.canonical)
}

/// The candidates of an article, their encoder features read from `vectors` (one per word).
pub fn candidates<'m>(
    view: &ArticleView<'m>,
    cues: &[SentenceCues],
    rule_found: &[Found],
    vectors: &WordVectors,
) -> Vec<Candidate<'m>> {
    // A text that reports no action designates no one.
    if cues.iter().all(|c| c.action.is_none()) {
        return Vec::new();
    }
    let mut groups: Vec<(String, Vec<&'m Mention>)> = Vec::new();
    for m in view.mentions.iter().filter(|m| is_candidate(m) && !is_credit(view.body, m)) {
        match groups.iter_mut().find(|(c, _)| *c == m.canonical) {
            Some((_, ms)) => ms.push(m),
            None => groups.push((m.canonical.clone(), vec![m])),
        }
    }
    groups
        .into_iter()
        .map(|(canonical, mentions)| {
            let sentence_of = |m: &Mention| view.sentences.partition_point(|s| s.end <= m.start);
            let mut sentences: Vec<usize> = mentions.iter().map(|m| sentence_of(m)).collect();
            sentences.dedup();
            let mut candidate = Candidate { canonical, mentions, sentences, pools: Vec::new(), features: Vec::new() };
            candidate.pools = pools(view, cues, &candidate);
            candidate.features = features(view, cues, rule_found, &candidate, vectors);
            candidate
        })
        .collect()
}

/// Its mentions; its mentions in sentences that report an action, the words just before and just
/// after those mentions, and those sentences.
fn pools(view: &ArticleView, cues: &[SentenceCues], candidate: &Candidate) -> Vec<Pool> {
    let sentence_of = |m: &Mention| view.sentences.partition_point(|s| s.end <= m.start).min(cues.len() - 1);
    let in_action_mentions = || candidate.mentions.iter().filter(|m| cues[sentence_of(m)].action.is_some());
    let action_sentences = candidate.sentences.iter().filter(|&&s| cues[s].action.is_some());
    vec![
        mean_pool(candidate.mentions.iter().map(|m| span_pool(view, m.start, m.end))),
        mean_pool(in_action_mentions().map(|m| span_pool(view, m.start, m.end))),
        mean_pool(in_action_mentions().map(|m| neighbour_pool(view, m.start, true))),
        mean_pool(in_action_mentions().map(|m| neighbour_pool(view, m.end, false))),
        mean_pool(action_sentences.map(|&s| span_pool(view, view.sentences[s].start, view.sentences[s].end))),
    ]
}

fn features(
    view: &ArticleView,
    cues: &[SentenceCues],
    rule_found: &[Found],
    candidate: &Candidate,
    vectors: &WordVectors,
) -> Vec<f32> {
    let body = view.body;
    let sentence_of = |m: &Mention| view.sentences.partition_point(|s| s.end <= m.start).min(cues.len() - 1);
    let n = candidate.mentions.len() as f32;
    let share = |test: &dyn Fn(&Mention) -> bool| candidate.mentions.iter().filter(|m| test(m)).count() as f32 / n;
    let any = |test: &dyn Fn(&Mention) -> bool| candidate.mentions.iter().any(|m| test(m)) as u8 as f32;
    let in_action = |m: &Mention| cues[sentence_of(m)].action.is_some();
    let cue = |m: &Mention, test: fn(&SentenceCues) -> bool| in_action(m) && test(&cues[sentence_of(m)]);
    let by_rule = rule_found.iter().filter(|f| f.target_name == candidate.canonical);
    let rule_action = |delist: bool| by_rule.clone().any(|f| (f.action == DesignationAction::Delist) == delist);
    let name = &candidate.canonical;
    let words: Vec<&str> = name.split_whitespace().collect();
    let letters: Vec<char> = name.chars().filter(|c| c.is_alphabetic()).collect();
    let kind = target_type(body, candidate.representative(), view.mentions);
    let speaks = |m: &Mention| {
        SPEAKS_AFTER.is_match(text_after(body, m, 40)) || SPEAKS_BEFORE.is_match(text_before(body, m, 40))
    };
    let in_parentheses = |m: &Mention| body[..m.start].ends_with('(') || body[..m.start].ends_with("( ");
    let first = candidate.mentions[0];
    let lead_action = cues.iter().position(|c| c.action.is_some_and(|a| a != DesignationAction::Delist) && !c.negated);
    // A list item: the name opens a paragraph of a list that a sentence ending in a colon introduces.
    let list_item = |m: &Mention| {
        let paragraph_start = body[..m.start].rfind('\n').map_or(0, |p| p + 1);
        let opens = body[paragraph_start..m.start].trim().chars().count() <= 3;
        let before = body[..paragraph_start].trim_end();
        let introduced =
            before.rsplit('\n').take(40).map(str::trim).filter(|l| !l.is_empty()).any(|l| l.ends_with(':'));
        opens && introduced
    };
    let opens_sentence = |m: &Mention| {
        let s = &view.sentences[sentence_of(m)];
        body[s.start..m.start].trim().chars().count() <= 4
    };
    // The party acted on comes after the action word ("sanctioned X"); the one acting, before it.
    let after_action = |m: &Mention| cues[sentence_of(m)].action_at.is_some_and(|at| at < m.start);
    // How far (in bytes, log) the nearest mention lies from its sentence's action word.
    let action_distance = candidate
        .mentions
        .iter()
        .filter_map(|m| cues[sentence_of(m)].action_at.map(|at| at.abs_diff(m.start)))
        .min()
        .map_or(0.0, |d| (1.0 + d as f32).ln());
    let in_title = view.title.is_some_and(|t| candidate.mentions.iter().any(|m| t.contains(m.text.as_str())));
    let mut f = vec![
        rule_action(false) as u8 as f32,
        rule_action(true) as u8 as f32,
        (1.0 + n).ln(),
        first.start as f32 / body.len().max(1) as f32,
        (sentence_of(first) == 0) as u8 as f32,
        in_title as u8 as f32,
        share(&in_action),
        any(&in_action),
        any(&|m| cue(m, |c| c.trigger)),
        any(&|m| cue(m, |c| c.negated)),
        any(&|m| cue(m, |c| c.action == Some(DesignationAction::Delist))),
        any(&|m| cue(m, |c| c.earlier)),
        any(&|m| cue(m, |c| c.list)),
        share(&|m| m.label == EntityLabel::Per),
        share(&|m| m.label == EntityLabel::Org),
        share(&|m| m.label == EntityLabel::Misc),
        (kind == TargetType::Company) as u8 as f32,
        (kind == TargetType::Vessel) as u8 as f32,
        (kind == TargetType::Aircraft) as u8 as f32,
        words.len() as f32,
        (words.len() == 1) as u8 as f32,
        (!letters.is_empty() && letters.iter().all(|c| c.is_uppercase())) as u8 as f32,
        (words.len() == 1 && DEMONYM.is_match(name)) as u8 as f32,
        share(&speaks),
        share(&in_parentheses),
        candidate.sentences.len() as f32 / cues.len().max(1) as f32,
        any(&|m| cue(m, |c| c.action != Some(DesignationAction::Delist) && !c.negated && !c.earlier)),
        any(&|m| Some(sentence_of(m)) == lead_action),
        any(&list_item),
        any(&|m| in_action(m) && opens_sentence(m)),
        share(&|m| holds_office(body, m)),
        share(&|m| in_action(m) && after_action(m)),
        action_distance,
        (view.mentions.len() as f32 + 1.0).ln(),
        share(&|m| quoted_speaker(body, m)),
    ];
    debug_assert_eq!(f.len(), CUE_FEATURES);
    for pool in &candidate.pools {
        f.extend(pooled(pool, vectors, vectors.dim));
    }
    let evidence = match (view.lists, view.published) {
        (Some(lists), Some(day)) => {
            let target = Target { name: name.clone(), kind, aliases: Vec::new(), country: None, imo: None };
            lists.evidence(&target, day)
        }
        _ => ListEvidence::default(),
    };
    f.extend([evidence.listed_before, evidence.added_recently]);
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first mention of `name` in `body`, as the tagger would give it.
    fn mention(body: &str, name: &str) -> Mention {
        let start = body.find(name).unwrap();
        Mention::new(body, start, start + name.len(), EntityLabel::Per)
    }

    #[test]
    fn photo_credits_and_bylines_are_the_press_not_parties() {
        let body = "Hezbollah/Hizballah. REUTERS/Heinz-Peter Bader/File Photo By Michael Kahn and Warren Strobel WASHINGTON (Reuters) - \
                    The Treasury sanctioned Ivan Petrov, a statement signed by Janet Yellen said.\nCredit: Alex Rowe";
        let credited = |name: &str| is_credit(body, &mention(body, name));
        for name in ["Heinz-Peter Bader", "Michael Kahn", "Warren Strobel", "Alex Rowe"] {
            assert!(credited(name), "{name} is a credit");
        }
        for name in ["Ivan Petrov", "Janet Yellen", "Hizballah"] {
            assert!(!credited(name), "{name} is no credit");
        }
    }

    #[test]
    fn a_year_or_a_month_and_year_place_an_action_earlier() {
        assert!(EARLIER.is_match("Faour, whom OFAC designated concurrently with Tabaja in June 2015, worked"));
        assert!(EARLIER.is_match("the company was sanctioned in 2019"));
        assert!(!EARLIER.is_match("OFAC designated two companies on Tuesday"));
    }

    #[test]
    fn a_title_before_a_name_is_an_office() {
        let body = "Treasury Secretary Janet Yellen said Prime Minister, Ivan Petrov and the firm of Anna Orlova were sanctioned.";
        let office = |name: &str| holds_office(body, &mention(body, name));
        assert!(office("Janet Yellen"));
        assert!(office("Ivan Petrov"));
        assert!(!office("Anna Orlova"));
    }

    #[test]
    fn the_speaker_of_a_quotation_is_found_behind_a_long_title() {
        let body = "“We act today,” said Under Secretary of the Treasury for Terrorism and Financial Intelligence Brian E. Nelson. \
                    “It matters,” Anna Orlova said. Treasury said it sanctioned Ivan Petrov. “Stop,” the firm of Oleg Sidorov wrote.";
        let quoted = |name: &str| quoted_speaker(body, &mention(body, name));
        assert!(quoted("Brian E. Nelson"));
        assert!(quoted("Anna Orlova"));
        assert!(!quoted("Ivan Petrov"));
        assert!(!quoted("Oleg Sidorov"));
    }
}
