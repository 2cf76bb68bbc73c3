//! Local files: `.html`, `.htm`, `.html.gz`, `.txt` (page text as is), and directories of them.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::SourceError;
use crate::document::{ContentKind, FetchedPage};

/// Extensions picked up when a directory is expanded. Explicitly named files are read whatever
/// their extension.
const SUPPORTED_SUFFIXES: &[&str] = &[".html", ".htm", ".html.gz", ".htm.gz", ".txt", ".txt.gz", ".warc", ".warc.gz"];

fn is_supported(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_lowercase();
    SUPPORTED_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// A file expands to itself; a directory to its supported files, recursively, sorted by path.
pub fn expand_path(path: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let meta = std::fs::metadata(path).map_err(|e| SourceError::new(path.display(), io_reason(&e)))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path).follow_links(true) {
        let entry = entry.map_err(|e| SourceError::new(path.display(), e))?;
        if entry.file_type().is_file() && is_supported(entry.path()) {
            files.push(entry.into_path());
        }
    }
    files.sort();
    Ok(files)
}

/// The document id of a file: its name without `.gz` and `.html`/`.htm`/`.txt`.
pub fn file_id(path: &Path) -> String {
    let mut name = path.file_name().and_then(|n| n.to_str()).unwrap_or("document").to_string();
    for suffix in [".gz", ".html", ".htm", ".txt"] {
        if name.len() > suffix.len() && name.to_ascii_lowercase().ends_with(suffix) {
            name.truncate(name.len() - suffix.len());
        }
    }
    name
}

/// The size the file's contents will have, as far as it can tell without reading them: a plain
/// file's length, or the one a gzip file's trailer gives (of its last member); the file is left at
/// its start.
fn expected_len(file: &mut std::fs::File, gzipped: bool) -> u64 {
    if !gzipped {
        return file.metadata().map_or(0, |m| m.len());
    }
    let mut trailer = [0; 4];
    let read = file.seek(SeekFrom::End(-4)).and_then(|_| file.read_exact(&mut trailer));
    let at_start = file.seek(SeekFrom::Start(0));
    match (read, at_start) {
        (Ok(()), Ok(_)) => u32::from_le_bytes(trailer) as u64,
        _ => 0,
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

pub fn load_file(path: &Path, max_bytes: u64) -> Result<FetchedPage, SourceError> {
    let fail = |reason: String| SourceError::new(path.display(), reason);
    let mut file = std::fs::File::open(path).map_err(|e| fail(io_reason(&e)))?;
    let lower = path.to_string_lossy().to_ascii_lowercase();
    let gzipped = lower.ends_with(".gz");
    let expected = expected_len(&mut file, gzipped);
    // Read one byte past the limit so an oversized file is detected without reading it whole.
    let mut limited: Box<dyn Read> = if gzipped {
        Box::new(flate2::read::MultiGzDecoder::new(file).take(max_bytes.saturating_add(1)))
    } else {
        Box::new(file.take(max_bytes.saturating_add(1)))
    };
    // Room for the whole page at once (a gzip file ends with its size unpacked, modulo 4 GiB), not
    // grown by doubling and copying.
    let mut bytes = Vec::with_capacity(expected.min(max_bytes.saturating_add(1)) as usize);
    limited
        .read_to_end(&mut bytes)
        .map_err(|e| if gzipped { fail(format!("not a valid gzip file ({e})")) } else { fail(io_reason(&e)) })?;
    if bytes.len() as u64 > max_bytes {
        return Err(fail(format!("larger than the {max_bytes}-byte limit (fetch.max_body_bytes)")));
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(fail("empty file".into()));
    }
    let kind = if lower.trim_end_matches(".gz").ends_with(".txt") { ContentKind::Text } else { ContentKind::Html };
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    Ok(FetchedPage {
        id: file_id(path),
        url: url::Url::from_file_path(&absolute)
            .map(|u| u.to_string())
            .unwrap_or_else(|_| absolute.display().to_string()),
        fetched_at: Utc::now(),
        headers: Vec::new(),
        kind,
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_drop_page_extensions() {
        assert_eq!(file_id(Path::new("a/000_f293.txt")), "000_f293");
        assert_eq!(file_id(Path::new("x/abc.html.gz")), "abc");
        assert_eq!(file_id(Path::new("page.HTM")), "page");
        assert_eq!(file_id(Path::new("report.v2.html")), "report.v2");
    }

    #[test]
    fn oversized_and_empty_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.html");
        std::fs::write(&big, vec![b'a'; 2000]).unwrap();
        let err = load_file(&big, 1000).unwrap_err();
        assert!(err.reason.contains("limit"), "{err}");
        let empty = dir.path().join("empty.html");
        std::fs::write(&empty, b"  \n").unwrap();
        assert_eq!(load_file(&empty, 1000).unwrap_err().reason, "empty file");
        let bad_gz = dir.path().join("bad.html.gz");
        std::fs::write(&bad_gz, b"not gzip at all").unwrap();
        assert!(load_file(&bad_gz, 1000).unwrap_err().reason.contains("gzip"));
    }
}
