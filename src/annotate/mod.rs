//! Annotate: an article → its entities, then the sanctions designations those entities take part in.

mod designations;
mod entities;
mod gazetteer;
pub mod ner;
mod text;

use std::path::Path;
use std::sync::Arc;

use crate::document::{Annotations, Article, Designation, Entity, Evidence, Target};
use ner::NerModel;

/// Annotates articles. Holds what the annotators load once: the NER model.
#[derive(Clone)]
pub struct Annotator {
    model: Arc<NerModel>,
    designations: bool,
}

impl Annotator {
    /// With the shipped NER model (`models/ner`).
    pub fn new() -> anyhow::Result<Self> {
        Self::with_model(Path::new(ner::DEFAULT_MODEL_DIR))
    }

    /// With the NER model in `dir`.
    pub fn with_model(dir: &Path) -> anyhow::Result<Self> {
        Ok(Annotator { model: Arc::new(NerModel::load(dir)?), designations: true })
    }

    /// Entities only, without designation extraction (to measure what designations cost).
    pub fn without_designations(self) -> Self {
        Annotator { designations: false, ..self }
    }

    pub fn annotate(&self, article: &Article) -> anyhow::Result<Annotations> {
        let body = article.body();
        let sentences = text::sentences(&body);
        let mentions = entities::recognize(&body, &sentences, &self.model)?;
        let published = article.published.map(|p| p.date_naive());
        let found = if self.designations {
            designations::find_designations(&body, &sentences, &mentions, published)
        } else {
            Vec::new()
        };

        let chars = text::CharOffsets::new(&body);
        let entities = mentions
            .into_iter()
            .map(|m| Entity {
                text: m.text,
                label: m.label,
                start: chars.char_offset(m.start),
                end: chars.char_offset(m.end),
                canonical: m.canonical,
            })
            .collect();
        let designations = found
            .into_iter()
            .map(|f| Designation {
                authority: f.authority,
                action: f.action,
                target: Target {
                    name: f.target_name,
                    kind: f.target_type,
                    aliases: f.target_aliases,
                    country: f.target_country,
                },
                program: f.program,
                date: f.date,
                evidence: Evidence {
                    text: body[f.evidence.clone()].to_string(),
                    start: chars.char_offset(f.evidence.start),
                    end: chars.char_offset(f.evidence.end),
                },
                confidence: f.confidence,
            })
            .collect();
        Ok(Annotations { entities, designations })
    }
}
