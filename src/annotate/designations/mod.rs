//! Sanctions designations stated in an article: who was designated (or delisted), by whom, under
//! which programme, when, and the sentence that says so.
//!
//! Whether the text reports a sanctions action at all is learned first: a gate over the whole text
//! ([`report`]) that ordinary news (sport, markets, elections) does not pass. Who is a designee is
//! learned next: every name of the article (PER, ORG, MISC, grouped by canonical
//! name) is a candidate, described by the NER encoder's vectors of its mentions and their sentences
//! and by what the rules see around it (action words, negation, earlier-time and delisting cues,
//! lists, speakers); the designation head ([`head`]) scores it. The rules ([`rules`]) propose
//! candidates' features and settle delistings; [`attributes`] gives authority, action, programme and
//! date.

mod attributes;
mod candidates;
pub mod head;
mod names;
mod report;
mod rules;
pub mod train;
mod tune;

use std::ops::Range;

use chrono::NaiveDate;

use super::entities::{EncodedWords, Mention};
use super::ner::WordVectors;
use crate::document::{Authority, DesignationAction, TargetType};
use crate::lists::ListLinker;
use attributes::{AuthorityMentions, action_date, aliases_of, country_of, program_for, target_type};
use candidates::{Candidate, SentenceCues};
pub use head::DesignationHead;

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

/// What designation finding reads of one article.
pub struct ArticleView<'a> {
    pub title: Option<&'a str>,
    pub body: &'a str,
    pub sentences: &'a [Range<usize>],
    pub mentions: &'a [Mention],
    pub encoded: &'a EncodedWords,
    pub published: Option<NaiveDate>,
    /// The official lists, whose state on the article's day is evidence for each candidate.
    pub lists: Option<&'a ListLinker>,
}

/// The designations an article reports: none when the gate says it reports no sanctions action;
/// else rule-found delistings, and each candidate the head scores at or above its threshold.
pub fn find_designations(view: &ArticleView, head: &DesignationHead) -> Vec<Found> {
    let cues = candidates::sentence_cues(view);
    let gate = head.gate.score(&report::features(view, &cues));
    tracing::debug!(gate, threshold = head.gate.threshold(), "how likely the text reports a sanctions action");
    if gate < head.gate.threshold() {
        return Vec::new();
    }
    let tuned = head.tuned_layer().zip(view.encoded.states.as_ref()).map(|(layer, states)| layer.word_vectors(states));
    let reading = Reading::of(view, cues, tuned.as_ref().unwrap_or(&view.encoded.vectors));
    let scores = head.score(&reading.candidates);
    let thresholds = Thresholds { gate: head.gate.threshold(), candidate: head.candidates.threshold() };
    decide(view, &reading, gate, &scores, thresholds)
}

/// What the decision reads of an article: the sentence cues, the candidates with their features, and
/// the rules' findings.
struct Reading<'a> {
    cues: Vec<SentenceCues>,
    candidates: Vec<Candidate<'a>>,
    rule_found: Vec<Found>,
}

impl<'a> Reading<'a> {
    /// The candidates' encoder features read from `vectors`, one per word.
    fn of(view: &ArticleView<'a>, cues: Vec<SentenceCues>, vectors: &WordVectors) -> Self {
        let rule_found = rules::find_designations(view.body, view.sentences, view.mentions, view.published);
        let candidates = candidates::candidates(view, &cues, &rule_found, vectors);
        Reading { cues, candidates, rule_found }
    }

    /// The names `decide` gives at these scores and thresholds, without their attributes: the
    /// rules' delistings (`true`), then each candidate at or above the threshold (`false`).
    fn decided_names(&self, gate: f32, scores: &[f32], thresholds: Thresholds) -> Vec<(&str, bool)> {
        if gate < thresholds.gate {
            return Vec::new();
        }
        let mut names: Vec<(&str, bool)> = self
            .rule_found
            .iter()
            .filter(|f| f.action == DesignationAction::Delist)
            .map(|f| (f.target_name.as_str(), true))
            .collect();
        for (candidate, &score) in self.candidates.iter().zip(scores) {
            if score >= thresholds.candidate && !names.iter().any(|(n, _)| *n == candidate.canonical) {
                names.push((candidate.canonical.as_str(), false));
            }
        }
        names
    }
}

/// Where the gate and the candidate scorer say yes.
#[derive(Debug, Clone, Copy)]
struct Thresholds {
    gate: f32,
    candidate: f32,
}

fn decide(view: &ArticleView, reading: &Reading, gate: f32, scores: &[f32], thresholds: Thresholds) -> Vec<Found> {
    let Reading { cues, candidates, rule_found } = reading;
    let decided = reading.decided_names(gate, scores, thresholds);
    if decided.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<Found> = rule_found.iter().filter(|f| f.action == DesignationAction::Delist).cloned().collect();
    let authorities = once_cell::unsync::OnceCell::new();
    for (candidate, &score) in candidates.iter().zip(scores) {
        if !decided.iter().any(|&(n, delisted)| !delisted && n == candidate.canonical) {
            continue;
        }
        // The sentence that states the action: the rules' one, else the first of its mentions in a
        // sentence with an action word, else its first mention.
        if let Some(f) = rule_found.iter().find(|f| f.target_name == candidate.canonical) {
            found.push(Found { confidence: score, ..f.clone() });
            continue;
        }
        let with_action = candidate.sentences.iter().find_map(|&s| Some((s, cues[s].action?)));
        let (sentence, action) = with_action.unwrap_or((candidate.sentences[0], DesignationAction::Designate));
        let target = candidate.representative();
        let authority = authorities
            .get_or_init(|| AuthorityMentions::new(view.body, view.sentences, view.mentions))
            .acting_in(sentence);
        let evidence = view.sentences[sentence].clone();
        found.push(Found {
            authority: authority.map(|(_, a)| a),
            action,
            target_name: candidate.canonical.clone(),
            target_type: target_type(view.body, target, view.mentions),
            target_aliases: aliases_of(target, view.mentions),
            target_country: country_of(view.body, target, view.mentions),
            program: program_for(view.body, &evidence, view.mentions),
            date: action_date(view.body, view.sentences, sentence, view.published),
            evidence,
            confidence: score,
        });
    }
    // In reading order: by the sentence that states each one, then by where it names the target.
    let named_at = |f: &Found| {
        let in_evidence = |m: &&Mention| m.canonical == f.target_name && f.evidence.contains(&m.start);
        view.mentions.iter().find(in_evidence).map_or(usize::MAX, |m| m.start)
    };
    found.sort_by_cached_key(|f| (f.evidence.start, named_at(f)));
    found
}
