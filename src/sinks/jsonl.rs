//! Writes each document as one JSON object per line (or pretty-printed objects).

use std::io::Write;

use super::{Sink, SinkError, Written};
use crate::document::Document;

pub struct JsonlSink<W: Write> {
    out: W,
    pretty: bool,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W, pretty: bool) -> Self {
        JsonlSink { out, pretty }
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn write(&mut self, doc: &Document) -> Result<Written, SinkError> {
        if self.pretty {
            serde_json::to_writer_pretty(&mut self.out, doc)?;
        } else {
            serde_json::to_writer(&mut self.out, doc)?;
        }
        self.out.write_all(b"\n")?;
        Ok(Written::Stored)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.out.flush()?;
        Ok(())
    }
}
