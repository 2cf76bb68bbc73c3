//! The pipeline: sources → extract → annotate → sink. Pages are extracted and annotated in
//! parallel, in chunks, and handed to the sink in input order.

use std::sync::Arc;

use rayon::prelude::*;

use crate::annotate::Annotator;
use crate::document::Document;
use crate::extract::extract;
use crate::progress::Progress;
use crate::sinks::{Sink, Written};
use crate::sources::crawl::Crawler;
use crate::sources::{self, HttpFetcher, Item, SourceError};

/// Inputs processed in parallel before their documents are handed to the sink.
const CHUNK: usize = 64;

/// Fetched pages the crawler may get ahead of the pipeline by.
const CRAWL_CHANNEL_PAGES: usize = 64;

/// What a run did, for the end-of-run report.
#[derive(Debug, Default)]
pub struct Summary {
    pub documents: usize,
    pub entities: usize,
    /// Entity mentions per label, in label order.
    pub entities_by_label: std::collections::BTreeMap<crate::document::EntityLabel, usize>,
    pub designations: usize,
    /// Each designation found, with the id of the document that reports it.
    pub designated: Vec<(String, crate::document::Designation)>,
    /// Pages read fine that are not stored: no article (section fronts, empty pages), or a
    /// near-duplicate of a stored article.
    pub skipped: Vec<SourceError>,
    pub failures: Vec<SourceError>,
}

impl Summary {
    /// Non-zero only when nothing at all could be processed.
    pub fn exit_code(&self) -> i32 {
        if self.documents == 0 && !self.failures.is_empty() { 1 } else { 0 }
    }
}

/// What became of one item.
pub enum Outcome {
    /// The document, and the path or URL it was read from.
    Document(Box<Document>, String),
    NoArticle(SourceError),
    Failed(SourceError),
}

impl Outcome {
    fn source_name(&self) -> &str {
        match self {
            Outcome::Document(_, source) => source,
            Outcome::NoArticle(e) | Outcome::Failed(e) => &e.input,
        }
    }
}

pub struct Pipeline {
    pub annotator: Option<Annotator>,
    pub http: HttpFetcher,
    pub max_body_bytes: u64,
    /// Index pages without article text too (false for ingest: they would only add noise).
    pub keep_empty: bool,
}

impl Pipeline {
    /// Reads, extracts and annotates one item.
    pub fn process(&self, item: Result<Item, SourceError>) -> Outcome {
        let page = match item.and_then(|item| match item {
            Item::Page(page) => Ok(page),
            Item::Load(input) => sources::load(&input, &self.http, self.max_body_bytes),
        }) {
            Ok(page) => page,
            Err(e) => return Outcome::Failed(e),
        };
        let name = page.source_name();
        let article = match extract(&page) {
            Ok(article) => article,
            Err(e) => return Outcome::Failed(SourceError::new(&name, e)),
        };
        if article.paragraphs.is_empty() && !self.keep_empty {
            return Outcome::NoArticle(SourceError::new(&name, "no article text found"));
        }
        let annotations = match self.annotator.as_ref().map(|a| a.annotate(&article)).transpose() {
            Ok(annotations) => annotations,
            Err(e) => return Outcome::Failed(SourceError::new(&name, format!("annotation failed: {e:#}"))),
        };
        Outcome::Document(Box::new(Document::new(article, annotations)), name)
    }

    /// Runs every item through the stages. Items are pulled from `items` a chunk at a time, so a
    /// WARC archive streams through without being read whole.
    pub fn run(
        &self,
        items: impl Iterator<Item = Result<Item, SourceError>>,
        sink: &mut dyn Sink,
        progress: &mut Progress,
    ) -> anyhow::Result<Summary> {
        self.run_inner(items, sink, progress, None)
    }

    /// Crawls into the sink: the crawler fetches on its own threads and hands pages over a bounded
    /// channel; after every chunk the sink is made durable and then the crawler saves its state for
    /// the pages committed so far, so that a crash loses no page and fetches none twice. The
    /// crawler's status line is shown as progress.
    pub fn crawl(
        &self,
        crawler: &Arc<Crawler>,
        sink: &mut dyn Sink,
        progress: &mut Progress,
    ) -> anyhow::Result<Summary> {
        let (pages, received) = std::sync::mpsc::sync_channel(CRAWL_CHANNEL_PAGES);
        let fetching = {
            let crawler = Arc::clone(crawler);
            std::thread::spawn(move || crawler.run(pages))
        };
        let mut checkpoint = |consumed: u64| {
            crawler.checkpoint(consumed)?;
            Ok(crawler.status_line())
        };
        let pages = received.into_iter().map(|page| Ok(Item::Page(page)));
        let summary = self.run_inner(pages, sink, progress, Some(&mut checkpoint))?;
        fetching.join().map_err(|_| anyhow::anyhow!("the crawler stopped unexpectedly"))?;
        crawler.checkpoint(u64::MAX)?;
        Ok(summary)
    }

    fn run_inner(
        &self,
        items: impl Iterator<Item = Result<Item, SourceError>>,
        sink: &mut dyn Sink,
        progress: &mut Progress,
        mut checkpoint: Option<&mut dyn FnMut(u64) -> anyhow::Result<String>>,
    ) -> anyhow::Result<Summary> {
        let mut summary = Summary::default();
        let mut items = items.peekable();
        let mut consumed = 0u64;
        while items.peek().is_some() {
            let chunk: Vec<Result<Item, SourceError>> = items.by_ref().take(CHUNK).collect();
            consumed += chunk.len() as u64;
            let outcomes: Vec<Outcome> = chunk.into_par_iter().map(|item| self.process(item)).collect();
            for outcome in outcomes {
                let name = outcome.source_name().to_string();
                match outcome {
                    Outcome::Document(doc, _) => {
                        if let Written::NearDuplicateOf(original) = sink.write(&doc)? {
                            summary.skipped.push(SourceError::new(&name, format!("near-duplicate of {original}")));
                            progress.advance(&name);
                            continue;
                        }
                        summary.documents += 1;
                        for e in doc.entities.iter().flatten() {
                            summary.entities += 1;
                            *summary.entities_by_label.entry(e.label).or_default() += 1;
                        }
                        for d in doc.designations.iter().flatten() {
                            summary.designations += 1;
                            summary.designated.push((doc.id.clone(), d.clone()));
                        }
                    }
                    Outcome::NoArticle(e) => {
                        tracing::debug!(input = %e.input, "skipped: {}", e.reason);
                        summary.skipped.push(e);
                    }
                    Outcome::Failed(e) => {
                        progress.println(&format!("error: {e}"));
                        summary.failures.push(e);
                    }
                }
                progress.advance(&name);
            }
            if let Some(checkpoint) = checkpoint.as_deref_mut() {
                sink.finish()?;
                progress.set_status(&checkpoint(consumed)?);
            }
        }
        sink.finish()?;
        progress.finish();
        Ok(summary)
    }
}
