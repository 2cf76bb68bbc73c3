//! Extract: a fetched page → the article it carries (body paragraphs and metadata), with the site's
//! boilerplate removed.

mod body;
mod charset;
mod metadata;
mod text;

use scraper::Html;
use sha2::{Digest, Sha256};

use crate::document::{Article, ContentKind, FetchedPage};

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("not a text or HTML page: looks like {0}")]
    Binary(&'static str),
}

/// Below this many letters, statistical language identification is guesswork.
const MIN_CHARS_FOR_LANGUAGE_DETECTION: usize = 80;

pub fn extract(page: &FetchedPage) -> Result<Article, ExtractError> {
    let is_html = page.kind == ContentKind::Html;
    let decoded = charset::decode(&page.bytes, page.header("content-type"), is_html)?;
    if decoded.guessed {
        tracing::warn!(input = %page.id, encoding = decoded.encoding.name(), "no charset declared and not UTF-8; decoded with the detected encoding");
    }
    let mut article = Article {
        id: page.id.clone(),
        url: page.url.clone(),
        content_hash: hex::encode(Sha256::digest(&page.bytes)),
        ..Article::default()
    };
    match page.kind {
        ContentKind::Html => {
            let html = Html::parse_document(&decoded.text);
            let meta = metadata::extract_metadata(&html, &page.url);
            article.paragraphs = body::extract_paragraphs(&html, meta.title.as_deref());
            article.title = meta.title;
            article.byline = meta.byline;
            article.published = meta.published;
            article.language = meta.language;
            article.canonical_url = meta.canonical_url;
            article.site_name = meta.site_name;
        }
        ContentKind::Text => {
            let t = text::extract_text(&decoded.text);
            article.title = t.title;
            article.published = t.published;
            article.paragraphs = t.paragraphs;
        }
    }
    if article.language.is_none() {
        article.language = detect_language(&article.paragraphs);
    }
    Ok(article)
}

fn detect_language(paragraphs: &[String]) -> Option<String> {
    let sample: String = paragraphs.iter().take(5).map(String::as_str).collect::<Vec<_>>().join(" ");
    if sample.chars().filter(|c| c.is_alphabetic()).count() < MIN_CHARS_FOR_LANGUAGE_DETECTION {
        return None;
    }
    let info = whatlang::detect(&sample).filter(|i| i.is_reliable())?;
    iso639_1(info.lang()).map(str::to_string)
}

/// whatlang speaks ISO 639-3; articles carry the two-letter codes pages declare.
fn iso639_1(lang: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match lang {
        Eng => "en",
        Fra => "fr",
        Deu => "de",
        Spa => "es",
        Por => "pt",
        Ita => "it",
        Nld => "nl",
        Rus => "ru",
        Ukr => "uk",
        Pol => "pl",
        Ces => "cs",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Fin => "fi",
        Tur => "tr",
        Ara => "ar",
        Heb => "he",
        Pes => "fa",
        Hin => "hi",
        Cmn => "zh",
        Jpn => "ja",
        Kor => "ko",
        Vie => "vi",
        Ind => "id",
        Ron => "ro",
        Hun => "hu",
        Ell => "el",
        Bul => "bg",
        Srp => "sr",
        Hrv => "hr",
        Tha => "th",
        _ => return None,
    })
}
