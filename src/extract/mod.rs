//! Extract: a fetched page → the article it carries (body paragraphs and metadata), with the site's
//! boilerplate removed.

mod body;
mod byline;
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

/// How far into the first paragraph a dateline's date is looked for.
const DATELINE_CHARS: usize = 120;

/// The declared `articleBody` replaces the visible text when it is this many times longer.
const DECLARED_BODY_RATIO: usize = 5;

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
            // Only a page fetched over the network was read at a time its "3 hours ago" counts from.
            let read_at =
                (page.url.starts_with("http://") || page.url.starts_with("https://")).then_some(page.fetched_at);
            let meta = metadata::extract_metadata(&html, &page.url, read_at);
            let shown = body::extract_paragraphs(
                &html,
                body::Announced {
                    title: meta.title.as_deref(),
                    summaries: &meta.summaries,
                    byline: meta.byline.as_deref(),
                },
            );
            let chars = |paragraphs: &[String]| paragraphs.iter().map(|p| p.chars().count()).sum::<usize>();
            // A page that shows a fraction of the article it declares (the rest rendered by script
            // or held back for subscribers) is read from the declaration.
            article.paragraphs = if chars(&meta.declared_body) > DECLARED_BODY_RATIO * chars(&shown) {
                tracing::debug!(input = %page.id, "visible text is a fraction of the declared articleBody; using that");
                meta.declared_body
            } else {
                shown
            };
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
    if article.published.is_none() {
        // A dateline opening the article: "WASHINGTON, July 23, 2024 — …".
        article.published = article
            .paragraphs
            .first()
            .and_then(|p| crate::dates::find_date_in_text(&p.chars().take(DATELINE_CHARS).collect::<String>()))
            .map(crate::dates::midnight);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_html(url: &str, html: &str) -> Article {
        let page = FetchedPage {
            id: "t".into(),
            url: url.into(),
            fetched_at: chrono::Utc::now(),
            headers: vec![],
            kind: ContentKind::Html,
            bytes: html.as_bytes().to_vec(),
        };
        extract(&page).unwrap()
    }

    const BODY: &str = "<p>The ministry said the measures, agreed after long talks with partners, take effect at once and cover all listed firms.</p><p>Officials added that further steps, including reviews of existing licences, would follow in the coming weeks.</p>";

    #[test]
    fn publication_date_from_url_path_then_dateline() {
        let from_url = extract_html(
            "https://news.example/world/2023/03/14/story",
            &format!("<html><body><article>{BODY}</article></body></html>"),
        );
        assert_eq!(from_url.published.unwrap().date_naive().to_string(), "2023-03-14");
        let dateline = format!(
            "<html><body><article><p>WASHINGTON, July 23, 2024 — The Treasury acted against three firms that officials said helped move funds abroad.</p>{BODY}</article></body></html>"
        );
        let from_text = extract_html("https://news.example/story", &dateline);
        assert_eq!(from_text.published.unwrap().date_naive().to_string(), "2024-07-23");
    }

    #[test]
    fn a_page_that_shows_a_fraction_of_its_declared_article_is_read_from_the_declaration() {
        let declared = "The ministry said the measures take effect at once and cover all listed firms in the sector.\n\
                        Officials added that further steps would follow in the coming weeks, after reviews of licences.\n\
                        The opposition called the package overdue and asked for a debate in parliament next month.";
        let ld = serde_json::json!({"@type": "OpinionNewsArticle", "headline": "Measures", "articleBody": declared});
        let page = |shown: &str| {
            format!(
                r#"<html><head><script type="application/ld+json">{ld}</script></head><body><article><h1>Measures</h1>{shown}</article></body></html>"#
            )
        };
        // Rendered by script: the page shows only a teaser.
        let teaser =
            extract_html("https://news.example/a", &page("<p>The ministry acted today against the firms.</p>"));
        assert_eq!(teaser.paragraphs, declared.lines().map(str::trim).collect::<Vec<_>>());
        // A page that shows its article keeps what it shows.
        let shown = extract_html("https://news.example/a", &page(BODY));
        assert!(shown.paragraphs[0].starts_with("The ministry said the measures, agreed"));
    }

    #[test]
    fn relative_dates_count_from_the_fetch_only_for_pages_fetched_over_the_network() {
        let html = format!("<html><body><article><h1>Sturm</h1><p>vor 2 Tagen</p>{BODY}</article></body></html>");
        let page = |url: &str| FetchedPage {
            id: "t".into(),
            url: url.into(),
            fetched_at: chrono::DateTime::parse_from_rfc3339("2024-03-10T12:00:00Z").unwrap().to_utc(),
            headers: vec![],
            kind: ContentKind::Html,
            bytes: html.as_bytes().to_vec(),
        };
        let published = |url: &str| extract(&page(url)).unwrap().published.map(|d| d.date_naive().to_string());
        assert_eq!(published("https://news.example/sturm").as_deref(), Some("2024-03-08"));
        assert_eq!(published("file:///tmp/sturm.html"), None);
    }

    #[test]
    fn language_detected_when_undeclared() {
        let german = "<html><body><article><p>Die Bundesregierung hat am Dienstag neue Sanktionen gegen mehrere Unternehmen verhängt, die nach Angaben des Ministeriums Bauteile für Drohnen geliefert haben.</p><p>Die Maßnahmen treten sofort in Kraft und gelten auch für Tochtergesellschaften im Ausland, teilte das Ministerium mit.</p></article></body></html>";
        assert_eq!(extract_html("https://news.example/de", german).language.as_deref(), Some("de"));
    }
}
