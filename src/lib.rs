//! newshound reads the news for people who track sanctions: it extracts articles from news pages,
//! finds the entities and sanctions designations they report, and indexes them for search.
//!
//! The modules are the pipeline's stages; data flows one way through the types in [`document`]:
//! [`sources`] → [`extract`] → [`annotate`] → [`sinks`], with [`index`] the store that the index sink
//! writes and search reads, and [`serve`] its HTTP front (API, web page, Atom feed). [`queue`] shares
//! the same stages across processes and machines through Redis Streams.

pub mod annotate;
pub mod config;
pub mod data_file;
pub mod dates;
pub mod document;
pub mod extract;
pub mod identity;
pub mod index;
pub mod labelled;
pub mod lists;
pub mod pipeline;
pub mod progress;
pub mod queue;
pub mod serve;
pub mod sinks;
pub mod sources;
pub mod watch;
