//! Article metadata from a parsed page: JSON-LD first (what publishers maintain for search engines),
//! then Open Graph and other `<meta>` tags, then the markup itself.

use std::collections::HashMap;

use once_cell::sync::Lazy;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use crate::dates::{date_in_url, find_date_in_text, midnight, parse_date};

#[derive(Debug, Default)]
pub struct Metadata {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<crate::dates::Published>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

static META: Lazy<Selector> = Lazy::new(|| selector("meta"));
static JSON_LD: Lazy<Selector> = Lazy::new(|| selector(r#"script[type="application/ld+json"]"#));
static TITLE: Lazy<Selector> = Lazy::new(|| selector("title"));
static H1: Lazy<Selector> = Lazy::new(|| selector("h1"));
static CANONICAL: Lazy<Selector> = Lazy::new(|| selector(r#"link[rel~="canonical"]"#));
static HTML_TAG: Lazy<Selector> = Lazy::new(|| selector("html"));
static TIME: Lazy<Selector> = Lazy::new(|| selector("time"));
static AUTHOR_MARKUP: Lazy<Selector> =
    Lazy::new(|| selector(r#"[rel="author"], [itemprop="author"], .byline, .author, .article-author, .story-byline"#));
static DATE_MARKUP: Lazy<Selector> =
    Lazy::new(|| selector(".date, .dateline, .published, .timestamp, .article-date, .post-date"));

const ARTICLE_TYPES: &[&str] =
    &["NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting", "WebPage", "Report"];

/// `<meta>` names (lower-cased) that carry the publication time, most reliable first.
const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
    "citation_publication_date",
    "og:updated_time",
];

pub fn extract_metadata(html: &Html, page_url: &str) -> Metadata {
    let metas = meta_map(html);
    let ld = json_ld_article(html);
    let get = |k: &str| metas.get(k).map(String::as_str).filter(|v| !v.trim().is_empty());

    let site_name = get("og:site_name")
        .map(str::to_string)
        .or_else(|| ld.as_ref().and_then(|a| a.get("publisher")).and_then(name_of))
        .or_else(|| get("application-name").map(str::to_string))
        .map(|s| clean(&s));

    let title = choose_title(html, &metas, ld.as_ref(), site_name.as_deref());

    let byline = ld
        .as_ref()
        .and_then(|a| a.get("author"))
        .and_then(names_of)
        .or_else(|| get("author").map(str::to_string))
        .or_else(|| get("article:author").filter(|a| !a.starts_with("http")).map(str::to_string))
        .or_else(|| get("byl").map(str::to_string))
        .or_else(|| html.select(&AUTHOR_MARKUP).map(|e| text_of(&e)).find(|t| !t.is_empty() && t.len() < 120))
        .map(|b| strip_by(&clean(&b)))
        .filter(|b| !b.is_empty());

    let published = ld
        .as_ref()
        .and_then(|a| a.get("datePublished").or_else(|| a.get("dateCreated")))
        .and_then(Value::as_str)
        .and_then(parse_date)
        .or_else(|| PUBLISHED_META.iter().find_map(|k| get(k).and_then(parse_date)))
        .or_else(|| html.select(&TIME).find_map(|t| t.value().attr("datetime").and_then(parse_date)))
        .or_else(|| html.select(&TIME).find_map(|t| find_date_in_text(&text_of(&t)).map(midnight)))
        .or_else(|| date_in_url(page_url))
        .or_else(|| html.select(&DATE_MARKUP).find_map(|e| find_date_in_text(&text_of(&e)).map(midnight)));

    let canonical_url = html
        .select(&CANONICAL)
        .find_map(|l| l.value().attr("href"))
        .or_else(|| get("og:url"))
        .and_then(|href| resolve(page_url, href));

    let language = html
        .select(&HTML_TAG)
        .find_map(|h| h.value().attr("lang").or_else(|| h.value().attr("xml:lang")))
        .or_else(|| get("content-language"))
        .or_else(|| get("og:locale"))
        .or_else(|| ld.as_ref().and_then(|a| a.get("inLanguage")).and_then(Value::as_str))
        .and_then(primary_language);

    Metadata { title, byline, published, language, canonical_url, site_name }
}

/// `<meta name|property|itemprop|http-equiv = content>`, keys lower-cased; the first value wins.
fn meta_map(html: &Html) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for meta in html.select(&META) {
        let el = meta.value();
        let Some(content) = el.attr("content") else { continue };
        for key in ["property", "name", "itemprop", "http-equiv"].iter().filter_map(|a| el.attr(a)) {
            map.entry(key.trim().to_ascii_lowercase()).or_insert_with(|| content.trim().to_string());
        }
    }
    map
}

/// The first JSON-LD object describing an article (looking inside arrays and `@graph`).
fn json_ld_article(html: &Html) -> Option<Value> {
    fn is_article(v: &Value) -> bool {
        match v.get("@type") {
            Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(|t| ARTICLE_TYPES.contains(&t)),
            _ => false,
        }
    }
    fn find(v: Value) -> Option<Value> {
        match v {
            Value::Array(items) => items.into_iter().find_map(find),
            Value::Object(ref o) if o.contains_key("@graph") => find(o["@graph"].clone()),
            obj @ Value::Object(_) if is_article(&obj) => Some(obj),
            _ => None,
        }
    }
    let mut candidates: Vec<Value> = html
        .select(&JSON_LD)
        .filter_map(|s| serde_json::from_str::<Value>(s.text().collect::<String>().trim()).ok())
        .filter_map(find)
        .collect();
    // A NewsArticle beats a generic WebPage description of the same page.
    candidates.sort_by_key(|v| v.get("@type").and_then(Value::as_str) == Some("WebPage"));
    candidates.into_iter().next()
}

fn name_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
        Value::Array(items) => items.iter().find_map(name_of),
        _ => None,
    }
}

fn names_of(v: &Value) -> Option<String> {
    let names: Vec<String> = match v {
        Value::Array(items) => items.iter().filter_map(name_of).collect(),
        other => name_of(other).into_iter().collect(),
    };
    let names: Vec<String> = names.into_iter().filter(|n| !n.trim().is_empty() && !n.starts_with("http")).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

fn choose_title(
    html: &Html,
    metas: &HashMap<String, String>,
    ld: Option<&Value>,
    site_name: Option<&str>,
) -> Option<String> {
    let h1 = html.select(&H1).map(|h| text_of(&h)).find(|t| t.split_whitespace().count() >= 2);
    let meta_title = metas
        .get("og:title")
        .or_else(|| metas.get("twitter:title"))
        .cloned()
        .or_else(|| ld.and_then(|a| a.get("headline")).and_then(Value::as_str).map(str::to_string));
    let doc_title = html.select(&TITLE).next().map(|t| text_of(&t));
    let candidates = [meta_title.clone(), doc_title.clone()];
    // The <h1> is the title when the page's own metadata agrees with it.
    if let Some(h1) = &h1 {
        let key = squash(h1);
        if candidates.iter().flatten().any(|c| squash(c).contains(&key)) {
            return Some(clean(h1));
        }
    }
    meta_title.or(doc_title).or(h1).map(|t| strip_site_suffix(&clean(&t), site_name)).filter(|t| !t.is_empty())
}

/// "Story title | Site" → "Story title". Separators with a site part on either side are common.
pub fn strip_site_suffix(title: &str, site_name: Option<&str>) -> String {
    for sep in [" | ", " - ", " – ", " — ", " :: ", " · "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            let site_like = site_name
                .is_some_and(|s| squash(tail).contains(&squash(s)) || squash(s).contains(&squash(tail)))
                || tail.split_whitespace().count() <= 3;
            if site_like && head.split_whitespace().count() >= 2 {
                return head.trim().to_string();
            }
        }
    }
    title.to_string()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn text_of(el: &ElementRef) -> String {
    clean(&el.text().collect::<String>())
}

fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn strip_by(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("by ") { s[3..].trim().to_string() } else { s.to_string() }
}

fn resolve(base: &str, href: &str) -> Option<String> {
    let href = href.trim();
    let url = match url::Url::parse(base) {
        Ok(b) => b.join(href).ok()?,
        Err(_) => url::Url::parse(href).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

/// "en-US" / "en_GB" → "en".
fn primary_language(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    (primary.len() == 2 || primary.len() == 3).then_some(primary).filter(|p| p.chars().all(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_and_meta_tags() {
        let page = r#"<html lang="en-GB"><head><title>Big story | The Daily</title>
            <meta property="og:site_name" content="The Daily">
            <link rel="canonical" href="/news/big-story">
            <script type="application/ld+json">{"@graph":[{"@type":"WebSite"},{"@type":"NewsArticle","headline":"Big story","datePublished":"2024-03-01T09:30:00+01:00","author":[{"@type":"Person","name":"Ann Lee"},{"name":"Bo Chan"}]}]}</script>
            </head><body><h1>Big story</h1></body></html>"#;
        let m = extract_metadata(&Html::parse_document(page), "https://daily.example/x?utm_source=a");
        assert_eq!(m.title.as_deref(), Some("Big story"));
        assert_eq!(m.byline.as_deref(), Some("Ann Lee, Bo Chan"));
        assert_eq!(m.published.unwrap().to_rfc3339(), "2024-03-01T09:30:00+01:00");
        assert_eq!(m.language.as_deref(), Some("en"));
        assert_eq!(m.canonical_url.as_deref(), Some("https://daily.example/news/big-story"));
        assert_eq!(m.site_name.as_deref(), Some("The Daily"));
    }

    #[test]
    fn falls_back_to_markup() {
        let page = r#"<html><head><title>Ministers meet in Brussels - Euro Wire</title></head><body>
            <span class="byline">By Jane Roe</span><time datetime="2023-11-02">2 Nov</time></body></html>"#;
        let m = extract_metadata(&Html::parse_document(page), "file:///x.html");
        assert_eq!(m.title.as_deref(), Some("Ministers meet in Brussels"));
        assert_eq!(m.byline.as_deref(), Some("Jane Roe"));
        assert_eq!(m.published.unwrap().date_naive().to_string(), "2023-11-02");
        assert_eq!(m.canonical_url, None);
    }
}
