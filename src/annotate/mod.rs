//! Annotate: an article → its entities, then the sanctions designations those entities take part in.

pub mod designations;
mod entities;
mod gazetteer;
pub mod ner;
mod text;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use crate::document::{Annotations, Article, Designation, Entity, Evidence, Target, TargetType, imo_after_name};
use crate::lists::ListLinker;
use designations::{ArticleView, DesignationHead};
use ner::NerModel;

/// Annotates articles. Holds what the annotators load once: the NER model, the designation head
/// that reads its encoder, and the official lists that reported targets are looked up in.
#[derive(Clone)]
pub struct Annotator {
    model: Arc<NerModel>,
    head: Arc<DesignationHead>,
    designations: bool,
    lists: Option<Arc<ListLinker>>,
}

impl Annotator {
    /// With the NER model built into the binary.
    pub fn new() -> anyhow::Result<Self> {
        Self::with_model(None)
    }

    /// With the NER model and designation head in `dir`, or the built-in ones when none is given.
    pub fn with_model(dir: Option<&Path>) -> anyhow::Result<Self> {
        let model = NerModel::open(dir)?;
        let head = DesignationHead::open(dir)?;
        model.ensure_layer(head.encoder_layer()).context("the designation head does not fit the NER model")?;
        if let Some(tuned) = head.tuned_layer() {
            anyhow::ensure!(
                tuned.shape() == model.layer_shape(),
                "the designation head's tuned layer ({:?}) does not fit the NER model's layers ({:?})",
                tuned.shape(),
                model.layer_shape()
            );
        }
        Ok(Annotator { model: Arc::new(model), head: Arc::new(head), designations: true, lists: None })
    }

    /// Each designation says how its target stands on these lists.
    pub fn with_lists(self, lists: Option<ListLinker>) -> Self {
        Annotator { lists: lists.map(Arc::new), ..self }
    }

    /// Entities only, without designation extraction (to measure what designations cost).
    pub fn without_designations(self) -> Self {
        Annotator { designations: false, ..self }
    }

    pub fn annotate(&self, article: &Article) -> anyhow::Result<Annotations> {
        let body = article.body();
        let published = article.published.map(|p| p.date_naive());
        let sentences = text::sentences(&body);
        let read = self.designations.then(|| self.head.layers_read());
        let (mut mentions, encoded) = entities::recognize(&body, &sentences, &self.model, read)?;
        let found = if self.designations {
            let view = ArticleView {
                title: article.title.as_deref(),
                body: &body,
                sentences: &sentences,
                mentions: &mentions,
                encoded: &encoded,
                published,
                lists: self.lists.as_deref(),
            };
            designations::find_designations(&view, &self.head)
        } else {
            Vec::new()
        };

        entities::identify(&body, &mut mentions, published);

        let chars = text::CharOffsets::new(&body);
        let entities: Vec<Entity> = mentions
            .into_iter()
            .map(|m| Entity {
                text: m.text,
                label: m.label,
                start: chars.char_offset(m.start),
                end: chars.char_offset(m.end),
                canonical: m.canonical,
                key: m.key,
                country: m.country,
                value: m.value,
            })
            .collect();
        let designations = found
            .into_iter()
            .map(|f| {
                let imo = (f.target_type == TargetType::Vessel)
                    .then(|| imo_after_name(&body, &entities, &f.target_name))
                    .flatten();
                let target = Target {
                    name: f.target_name,
                    kind: f.target_type,
                    aliases: f.target_aliases,
                    country: f.target_country,
                    imo,
                };
                Designation {
                    listing: self.lists.as_ref().map(|lists| lists.status(&target, published)),
                    authority: f.authority,
                    action: f.action,
                    target,
                    program: f.program,
                    date: f.date,
                    evidence: Evidence {
                        text: body[f.evidence.clone()].to_string(),
                        start: chars.char_offset(f.evidence.start),
                        end: chars.char_offset(f.evidence.end),
                    },
                    // A coarse score: two decimals say all it knows (and f32 sums would print as 0.70000005).
                    confidence: (f.confidence * 100.0).round() / 100.0,
                }
            })
            .collect();
        Ok(Annotations { entities, designations })
    }
}
