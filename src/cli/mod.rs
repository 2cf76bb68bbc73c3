//! The binary's commands, apart from the library: the flags in [`flags`], each group of commands
//! in a module of its own.

pub mod flags;
pub mod ingest;
pub mod lists;
pub mod queue;
pub mod read;
pub mod train;
