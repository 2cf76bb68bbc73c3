//! WARC archives (`.warc`, `.warc.gz`, as Common Crawl's CC-NEWS publishes them): the HTML responses
//! they hold, streamed one record at a time.

use std::io::BufReader;
use std::path::Path;

use warc::{RecordType, WarcHeader, WarcReader};

use super::SourceError;
use crate::document::{ContentKind, FetchedPage};

pub fn is_warc(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    name.ends_with(".warc") || name.ends_with(".warc.gz")
}

/// The HTML responses of a WARC file, in file order. Other records (requests, metadata, non-HTML
/// responses, errors) are skipped; a damaged record ends the file with an error naming it.
pub fn warc_pages(
    path: &Path,
    max_bytes: u64,
) -> Result<impl Iterator<Item = Result<FetchedPage, SourceError>> + use<>, SourceError> {
    let file = std::fs::File::open(path).map_err(|e| SourceError::new(path.display(), e))?;
    let reader: Box<dyn std::io::BufRead> = if path.to_string_lossy().to_ascii_lowercase().ends_with(".gz") {
        // Common Crawl compresses each record as its own gzip member.
        Box::new(BufReader::new(flate2::read::MultiGzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    let source = path.display().to_string();
    let mut failed = false;
    Ok(WarcReader::new(reader).iter_records().enumerate().filter_map(move |(n, record)| {
        if failed {
            return None;
        }
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                failed = true;
                return Some(Err(SourceError::new(&source, format!("record {} is damaged: {e}", n + 1))));
            }
        };
        if *record.warc_type() != RecordType::Response {
            return None;
        }
        let url = record.header(WarcHeader::TargetURI)?.trim_matches(['<', '>']).to_string();
        let response = parse_http_response(record.body())?;
        let content_type = response.header("content-type").unwrap_or_default().to_ascii_lowercase();
        if response.status != 200 || !(content_type.is_empty() || content_type.contains("html")) {
            return None;
        }
        if response.body.len() as u64 > max_bytes {
            return Some(Err(SourceError::new(
                &url,
                format!("larger than the {max_bytes}-byte limit (fetch.max_body_bytes)"),
            )));
        }
        Some(Ok(FetchedPage {
            id: url.clone(),
            url,
            fetched_at: *record.date(),
            headers: response.headers,
            kind: ContentKind::Html,
            bytes: response.body.to_vec(),
        }))
    }))
}

struct HttpResponse<'a> {
    status: u16,
    headers: Vec<(String, String)>,
    body: &'a [u8],
}

impl HttpResponse<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// A recorded HTTP response: status line, headers, blank line, payload.
fn parse_http_response(raw: &[u8]) -> Option<HttpResponse<'_>> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Some(HttpResponse { status, headers, body: &raw[split + 4..] })
}
