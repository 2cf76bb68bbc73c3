//! Sources: where pages come from. Each source turns a user-given input into [`FetchedPage`]s and
//! knows nothing about what happens to them next.

pub mod crawl;
mod files;
mod http;
mod warc;

use std::fmt;

pub use files::{expand_path, load_file};
pub use http::{FetchError, HttpFetcher, Response, RobotsAnswer, Validators, page_kind};
pub use warc::warc_pages;

use crate::document::FetchedPage;

/// One thing a user asked to ingest, after directories were expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(std::path::PathBuf),
    Url(String),
    /// A WARC archive: many pages in one file.
    Warc(std::path::PathBuf),
}

/// One unit of work for the pipeline: an input still to be read, or a page already read (from an
/// archive).
pub enum Item {
    Load(Input),
    Page(FetchedPage),
}

impl fmt::Display for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::File(p) | Input::Warc(p) => write!(f, "{}", p.display()),
            Input::Url(u) => f.write_str(u),
        }
    }
}

/// A page that could not be read, with the input it came from.
#[derive(Debug, Clone)]
pub struct SourceError {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.input, self.reason)
    }
}

impl std::error::Error for SourceError {}

impl SourceError {
    pub fn new(input: impl fmt::Display, reason: impl fmt::Display) -> Self {
        SourceError { input: input.to_string(), reason: reason.to_string() }
    }
}

/// Turns command-line arguments into inputs: URLs stay as they are, directories expand to their
/// supported files (sorted), and paths that cannot be listed become errors.
pub fn resolve_inputs(args: &[String]) -> (Vec<Input>, Vec<SourceError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.starts_with("http://") || arg.starts_with("https://") {
            inputs.push(Input::Url(arg.clone()));
            continue;
        }
        match expand_path(std::path::Path::new(arg)) {
            Ok(paths) => inputs
                .extend(paths.into_iter().map(|p| if warc::is_warc(&p) { Input::Warc(p) } else { Input::File(p) })),
            Err(e) => errors.push(e),
        }
    }
    (inputs, errors)
}

/// Reads one page-sized input with the source that handles it.
pub fn load(input: &Input, http: &HttpFetcher, max_bytes: u64) -> Result<FetchedPage, SourceError> {
    match input {
        Input::File(path) => load_file(path, max_bytes),
        Input::Url(url) => http.fetch(url),
        Input::Warc(path) => {
            Err(SourceError::new(path.display(), "a WARC archive holds many pages; read it with `items`"))
        }
    }
}

/// The pipeline's work, in input order: archives expand to their pages as they are read, other
/// inputs are read by the pipeline's workers.
pub fn items(inputs: Vec<Input>, max_bytes: u64) -> impl Iterator<Item = Result<Item, SourceError>> {
    inputs.into_iter().flat_map(move |input| -> Box<dyn Iterator<Item = Result<Item, SourceError>>> {
        match input {
            Input::Warc(path) => match warc_pages(&path, max_bytes) {
                Ok(pages) => Box::new(pages.map(|page| page.map(Item::Page))),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
            other => Box::new(std::iter::once(Ok(Item::Load(other)))),
        }
    })
}
