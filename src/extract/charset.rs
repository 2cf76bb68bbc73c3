//! Bytes → text. The order follows the HTML standard's encoding sniffing: byte order mark, the
//! transport's Content-Type, a `<meta>` declaration in the first bytes, then statistical detection.

use encoding_rs::Encoding;

use super::ExtractError;

/// How many leading bytes are scanned for a `<meta charset>` declaration (the HTML standard says 1024;
/// real pages put long `<head>`s first, so look a little further).
const META_PRESCAN_BYTES: usize = 4096;

#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static Encoding,
    /// True when no declaration was found and the encoding was guessed from the bytes.
    pub guessed: bool,
}

pub fn decode(bytes: &[u8], content_type: Option<&str>, is_html: bool) -> Result<Decoded, ExtractError> {
    if let Some(kind) = binary_kind(bytes) {
        return Err(ExtractError::Binary(kind));
    }
    let declared = Encoding::for_bom(bytes)
        .map(|(enc, _)| enc)
        .or_else(|| content_type.and_then(charset_param).and_then(|l| Encoding::for_label(l.as_bytes())))
        .or_else(|| if is_html { meta_charset(&bytes[..bytes.len().min(META_PRESCAN_BYTES)]) } else { None })
        // A page cannot really be UTF-16 once its bytes were read as ASCII-compatible (HTML standard).
        .map(|enc| {
            if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                if Encoding::for_bom(bytes).is_some() { enc } else { encoding_rs::UTF_8 }
            } else {
                enc
            }
        });
    let (encoding, guessed) = match declared {
        Some(enc) => (enc, false),
        None if std::str::from_utf8(bytes).is_ok() => (encoding_rs::UTF_8, false),
        None => {
            let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(bytes, true);
            (detector.guess(None, chardetng::Utf8Detection::Allow), true)
        }
    };
    let (text, _, _) = encoding.decode(bytes);
    Ok(Decoded { text: text.into_owned(), encoding, guessed })
}

/// `charset=` from a Content-Type value.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|part| {
        let (key, value) = part.split_once('=')?;
        key.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches(['"', '\'']).to_string())
    })
}

/// `<meta charset="...">` or `<meta http-equiv="Content-Type" content="...; charset=...">`.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    static META: once_cell::sync::Lazy<regex::bytes::Regex> = once_cell::sync::Lazy::new(|| {
        regex::bytes::Regex::new(r#"(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_:.\-]+)"#).unwrap()
    });
    let caps = META.captures(head)?;
    Encoding::for_label(caps.get(1)?.as_bytes())
}

/// Recognises content that is not text at all: known binary signatures, or NUL and control bytes
/// that no text encoding produces in quantity.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF", "a PDF document"),
        (b"\x89PNG", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF8", "a GIF image"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b", "gzip-compressed data"),
        (b"\x7fELF", "an executable"),
    ];
    if let Some((_, kind)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(kind);
    }
    // UTF-16 text legitimately contains NULs; its BOM says so.
    if Encoding::for_bom(bytes).is_some_and(|(e, _)| e != encoding_rs::UTF_8) {
        return None;
    }
    let sample = &bytes[..bytes.len().min(8192)];
    let control =
        sample.iter().filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))).count();
    (control * 100 > sample.len() * 2 || sample.contains(&0)).then_some("binary data")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_declared_windows_1252_is_decoded() {
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>Caf\xe9 \x93quoted\x94</body></html>";
        let d = decode(page, None, true).unwrap();
        assert_eq!(d.encoding, encoding_rs::WINDOWS_1252);
        assert!(d.text.contains("Café “quoted”"));
    }

    #[test]
    fn header_beats_meta_and_bom_beats_header() {
        let page = "<meta charset=\"iso-8859-1\"><p>é</p>".as_bytes();
        assert_eq!(decode(page, Some("text/html; charset=utf-8"), true).unwrap().encoding, encoding_rs::UTF_8);
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(page);
        assert_eq!(decode(&bom, Some("text/html; charset=iso-8859-1"), true).unwrap().encoding, encoding_rs::UTF_8);
    }

    #[test]
    fn undeclared_legacy_bytes_are_detected() {
        let text = "Der Bundesrat hat die Maßnahmen gegen die Gesellschaft für Außenhandel verlängert, teilte das Ministerium mit. Die Behörde prüft weitere Schritte gegenüber Händlern.";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let d = decode(&bytes, None, false).unwrap();
        assert!(d.guessed);
        assert_eq!(d.text, text);
    }

    #[test]
    fn binary_content_is_refused() {
        assert!(matches!(decode(b"\x89PNG\r\n\x1a\n....", None, true), Err(ExtractError::Binary(_))));
        assert!(matches!(decode(&[0u8, 1, 2, 3, 200, 150, 0, 0, 9], None, true), Err(ExtractError::Binary(_))));
    }
}
