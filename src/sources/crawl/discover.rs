//! What a fetched document points to: links and feeds in HTML pages, entries of RSS/Atom feeds,
//! pages and child sitemaps of sitemaps (news sitemaps included).

use once_cell::sync::Lazy;
use quick_xml::events::Event;
use scraper::{Html, Selector};
use url::Url;

use super::urls::normalize;

pub struct PageLinks {
    pub links: Vec<Url>,
    pub feeds: Vec<Url>,
    pub canonical: Option<Url>,
}

static ANCHORS: Lazy<Selector> = Lazy::new(|| Selector::parse("a[href]").expect("static selector"));
static FEEDS: Lazy<Selector> = Lazy::new(|| {
    Selector::parse(
        r#"link[rel~="alternate"][type="application/rss+xml"], link[rel~="alternate"][type="application/atom+xml"]"#,
    )
    .expect("static selector")
});
static CANONICAL: Lazy<Selector> = Lazy::new(|| Selector::parse(r#"link[rel~="canonical"]"#).expect("static selector"));

pub fn page_links(html: &str, base: &Url) -> PageLinks {
    let doc = Html::parse_document(html);
    let resolve = |href: Option<&str>| href.and_then(|h| normalize(h, Some(base)));
    PageLinks {
        links: doc
            .select(&ANCHORS)
            .filter(|a| a.value().attr("rel") != Some("nofollow"))
            .filter_map(|a| resolve(a.value().attr("href")))
            .collect(),
        feeds: doc.select(&FEEDS).filter_map(|l| resolve(l.value().attr("href"))).collect(),
        canonical: doc.select(&CANONICAL).find_map(|l| resolve(l.value().attr("href"))),
    }
}

/// Entry links of an RSS or Atom feed.
pub fn feed_links(body: &[u8], base: &Url) -> Result<Vec<Url>, String> {
    let feed = feed_rs::parser::parse(body).map_err(|e| format!("not a valid feed: {e}"))?;
    Ok(feed.entries.iter().flat_map(|e| e.links.iter()).filter_map(|l| normalize(&l.href, Some(base))).collect())
}

/// What a sitemap lists: pages (`<urlset>`) or further sitemaps (`<sitemapindex>`).
pub struct SitemapLinks {
    pub pages: Vec<Url>,
    pub sitemaps: Vec<Url>,
}

pub fn sitemap_links(body: &[u8], base: &Url) -> Result<SitemapLinks, String> {
    let text = std::str::from_utf8(body).map_err(|_| "sitemap is not UTF-8".to_string())?;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = SitemapLinks { pages: Vec::new(), sitemaps: Vec::new() };
    let mut in_loc = false;
    let mut in_index = false;
    let mut seen_root = false;
    loop {
        match reader.read_event().map_err(|e| format!("not a valid sitemap: {e}"))? {
            Event::Start(e) => {
                let name = e.local_name();
                if !seen_root {
                    seen_root = true;
                    match name.as_ref() {
                        "sitemapindex" => in_index = true,
                        "urlset" => {}
                        _ => return Err("not a sitemap (no <urlset> or <sitemapindex>)".into()),
                    }
                }
                in_loc = name.as_ref() == "loc";
            }
            Event::Text(t) if in_loc => {
                let raw = t.xml10_content();
                let loc = quick_xml::escape::unescape(&raw).map_err(|e| format!("bad sitemap text: {e}"))?;
                if let Some(url) = normalize(&loc, Some(base)) {
                    if in_index { out.sitemaps.push(url) } else { out.pages.push(url) }
                }
            }
            Event::End(_) => in_loc = false,
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sitemaps_feeds_and_pages() {
        let base = Url::parse("https://news.example/").unwrap();
        let news = br#"<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://news.example/a?utm_source=x</loc><news:news><news:title>A</news:title></news:news></url><url><loc>/b</loc></url></urlset>"#;
        let s = sitemap_links(news, &base).unwrap();
        assert_eq!(
            s.pages.iter().map(Url::as_str).collect::<Vec<_>>(),
            ["https://news.example/a", "https://news.example/b"]
        );
        let index = br#"<sitemapindex><sitemap><loc>https://news.example/s1.xml</loc></sitemap></sitemapindex>"#;
        assert_eq!(sitemap_links(index, &base).unwrap().sitemaps.len(), 1);
        assert!(sitemap_links(b"<html></html>", &base).is_err());

        let rss = br#"<rss version="2.0"><channel><title>T</title><item><title>X</title><link>https://news.example/x</link></item></channel></rss>"#;
        assert_eq!(feed_links(rss, &base).unwrap()[0].as_str(), "https://news.example/x");

        let page = r#"<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"><link rel="canonical" href="https://news.example/story"></head><body><a href="/other#x">o</a><a href="mailto:a@b">m</a></body></html>"#;
        let links = page_links(page, &base);
        assert_eq!(links.links.iter().map(Url::as_str).collect::<Vec<_>>(), ["https://news.example/other"]);
        assert_eq!(links.feeds[0].as_str(), "https://news.example/feed.xml");
        assert_eq!(links.canonical.unwrap().as_str(), "https://news.example/story");
    }
}
