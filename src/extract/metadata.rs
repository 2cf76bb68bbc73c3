//! Article metadata from a parsed page: JSON-LD first (what publishers maintain for search engines),
//! then Open Graph and other `<meta>` tags, then the markup itself.

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
use ego_tree::NodeId;
use once_cell::sync::Lazy;
use rustc_hash::FxHashSet;
use scraper::{ElementRef, Html, Selector};
use serde_json::Value;

use super::byline;
use crate::dates::{date_in_url, find_page_date, midnight, page_dates, parse_date, relative_date};

#[derive(Debug, Default)]
pub struct Metadata {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<crate::dates::Published>,
    pub language: Option<String>,
    pub canonical_url: Option<String>,
    pub site_name: Option<String>,
    /// The article's text as its JSON-LD declares it (`articleBody`), one paragraph a line.
    pub declared_body: Vec<String>,
    /// The page's own summaries of the article (its meta, Open Graph and Twitter descriptions),
    /// which layouts often show as the standfirst under the headline.
    pub summaries: Vec<String>,
}

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("static selector")
}

static META: Lazy<Selector> = Lazy::new(|| selector("meta"));
static JSON_LD: Lazy<Selector> = Lazy::new(|| selector(r#"script[type="application/ld+json"]"#));
static TITLE: Lazy<Selector> = Lazy::new(|| selector("title"));
static H1: Lazy<Selector> = Lazy::new(|| selector("h1"));
static H2: Lazy<Selector> = Lazy::new(|| selector("h2"));
static CANONICAL: Lazy<Selector> = Lazy::new(|| selector(r#"link[rel~="canonical"]"#));
static HTML_TAG: Lazy<Selector> = Lazy::new(|| selector("html"));
static TIME: Lazy<Selector> = Lazy::new(|| selector("time"));
static SCRIPT: Lazy<Selector> = Lazy::new(|| selector("script"));
static AUTHOR_MARKUP: Lazy<Selector> = Lazy::new(|| {
    selector(
        r#"[itemprop="author"] [itemprop="name"], [itemprop="author"], [rel="author"], .vcard .fn, [class*="author"] .fn, .byline, .author, .article-author, .story-byline, [class*="author-name"], [class*="authorname"], [class*="byline"], [class*="author"]"#,
    )
});
/// Characters of a line that can be a byline.
const BYLINE_LINE_CHARS: usize = 120;
/// Where pages write the publication date as an attribute.
static DATE_ATTRIBUTE: Lazy<Selector> = Lazy::new(|| {
    selector(
        r#"[itemprop="datePublished"], [itemprop="dateCreated"], abbr.published, abbr[class*="date"], [class*="published"][title], [class*="updated"][title]"#,
    )
});
/// Elements whose class or id says they hold a date.
static DATE_MARKUP: Lazy<Selector> = Lazy::new(|| {
    selector(
        r#"[class*="date"], [id*="date"], [class*="Date"], [class*="time"], [class*="publish"], [class*="posted"], [class*="datum"], [class*="byline"], [class*="meta"]"#,
    )
});
static SHORT_TEXT: Lazy<Selector> =
    Lazy::new(|| selector("h2, h3, h4, h5, h6, p, span, div, li, td, small, em, strong, b, i, font, nobr"));
/// Words that say a date is the publication date, or that it is the date of a later change.
const PUBLISHED_CUES: &[&str] = &[
    "published",
    "posted",
    "veröffentlicht",
    "publiziert",
    "erschienen",
    "publié",
    "publicado",
    "pubblicato",
    "gepubliceerd",
    "opublikowano",
];
const UPDATED_CUES: &[&str] = &[
    "updated",
    "modified",
    "aktualisiert",
    "geändert",
    "mis à jour",
    "actualizado",
    "aggiornato",
    "bijgewerkt",
    "zaktualizowano",
];
/// Other words that label a line holding only a date: "Last updated:", "Stand:", "Posted on".
const DATE_LABEL_WORDS: &[&str] =
    &["last", "on", "at", "am", "um", "le", "el", "il", "de", "op", "the", "stand", "datum", "date"];
/// Class or id of readers' comments and of lists of other stories.
/// (Words found by Aho-Corasick: every element's names are checked, and a case-insensitive regex
/// of words has no fast literal search.)
static OTHER_STORIES: Lazy<AhoCorasick> = Lazy::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["comment", "related", "recommend", "more-stories", "trending", "popular", "most-read"])
        .expect("plain words")
});
/// Characters of a line that is little more than a date.
const SHORT_DATE_LINE: usize = 100;
/// Characters of an element marked as a date (its class or id) in which the date is looked for.
const DATE_MARKUP_CHARS: usize = 200;

/// A line that only dates the page: dates, maybe times, maybe words saying which date it is
/// ("Aktualisiert: 11.04.2020, 10:27", "Last updated: 13 July 2020", "19.11.2012").
pub(super) fn is_date_line(text: &str) -> bool {
    if text.chars().count() > SHORT_DATE_LINE || !text.contains(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let (rest, dates) = crate::dates::without_dates_and_times(text);
    dates > 0 && only_date_labels(&rest)
}

/// A line that only dates the page relative to when it was read ("Posted 3 hours ago", "vor 2 Tagen",
/// "Gestern, 18:30 Uhr"): the day it names.
fn relative_date_line(line: &str, read_at: chrono::DateTime<chrono::Utc>) -> Option<chrono::NaiveDate> {
    let (day, at) = relative_date(line, read_at)?;
    let rest = format!("{} {}", &line[..at.start], &line[at.end..]);
    only_date_labels(&crate::dates::without_dates_and_times(&rest).0).then_some(day)
}

/// Whether `rest`, what a line says besides its dates and times, only labels them ("Last updated:",
/// "Veröffentlicht am").
fn only_date_labels(rest: &str) -> bool {
    let mut rest = rest.to_lowercase();
    for cue in PUBLISHED_CUES.iter().chain(UPDATED_CUES) {
        rest = rest.replace(cue, " ");
    }
    rest.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).all(|w| DATE_LABEL_WORDS.contains(&w))
}

/// JSON-LD types that describe the article besides those named "…Article" and "…Posting".
const OTHER_ARTICLE_TYPES: &[&str] = &["WebPage", "Report"];

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
    "article.published",
    "article:published",
    "og:article:published_time",
    "datecreated",
    "dc.date.created",
    "dcterms.date",
    "dcterms.issued",
    "publication_date",
    "date_published",
    "published_time",
    "pub_date",
    "original-publish-date",
    "release_date",
    "created",
    "uploaddate",
];

/// A `<meta>` name for the publication time: a known one, or one that says so in its own words
/// ("cXenseParse:publishtime", "dcterms.publishedDate").
fn is_published_key(key: &str) -> bool {
    PUBLISHED_META.contains(&key)
        || (key.contains("publish") && !["publisher", "modif", "updat"].iter().any(|other| key.contains(other)))
}

/// A key and an ISO 8601 value in a script's data (`"publishedDate":"2016-11-04T20:37:27Z"`): the state
/// that script-built pages carry, in any framework's spelling.
static SCRIPT_DATE: Lazy<regex::Regex> = Lazy::new(|| {
    regex::Regex::new(
        r#""([A-Za-z_]{1,40})"\s*:\s*"((?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.]+(?:Z|[+-][0-9:]+)?)?)""#,
    )
    .expect("a valid pattern")
});

/// A script data key for the time a page was published or created ("publishedDate", "created_at",
/// "firstPublishedAt"), never one of a change.
fn is_script_published_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    is_published_key(&key)
        || ((key.contains("created") || key.starts_with("pubdate") || key.starts_with("pub_date"))
            && !["modif", "updat"].iter().any(|other| key.contains(other)))
}

/// `<meta>` names of the time a page was last changed: used only when nothing says when it was published.
const MODIFIED_META: &[&str] =
    &["article:modified_time", "og:updated_time", "datemodified", "dateupdate", "last-modified", "dcterms.modified"];

/// `read_at`: when the page was fetched over the network, against which "3 hours ago" is read (a
/// local file has no such time).
pub fn extract_metadata(html: &Html, page_url: &str, read_at: Option<chrono::DateTime<chrono::Utc>>) -> Metadata {
    let metas = meta_map(html);
    let ld = json_ld_article(html);
    let get = |k: &str| metas.get(k).map(String::as_str).filter(|v| !v.trim().is_empty());

    let site_name = get("og:site_name")
        .map(str::to_string)
        .or_else(|| ld.as_ref().and_then(|a| a.get("publisher")).and_then(name_of))
        .or_else(|| get("application-name").map(str::to_string))
        .map(|s| clean(&s));

    let title = choose_title(html, &metas, ld.as_ref(), site_name.as_deref());

    let other = OtherContent::of(html);
    let short_lines = ShortLines::new(html, &other);
    let byline = byline(html, &other, &short_lines, ld.as_ref(), &get, site_name.as_deref(), title.as_deref());

    let canonical_url = html
        .select(&CANONICAL)
        .find_map(|l| l.value().attr("href"))
        .or_else(|| get("og:url"))
        .and_then(|href| resolve(page_url, href));

    let urls = [Some(page_url), canonical_url.as_deref()];
    let published =
        publication_date(html, &other, &short_lines, ld.as_ref(), &get, urls.into_iter().flatten(), read_at);

    let language = html
        .select(&HTML_TAG)
        .find_map(|h| h.value().attr("lang").or_else(|| h.value().attr("xml:lang")))
        .or_else(|| get("content-language"))
        .or_else(|| get("og:locale"))
        .or_else(|| ld.as_ref().and_then(|a| a.get("inLanguage")).and_then(Value::as_str))
        .and_then(primary_language);

    let declared_body = ld.as_ref().and_then(|a| a.get("articleBody")).and_then(Value::as_str).map(paragraphs_of);

    let mut summaries: Vec<String> = ["description", "og:description", "twitter:description"]
        .into_iter()
        .filter_map(|k| get(k).map(clean))
        .collect();
    summaries.dedup();

    Metadata {
        title,
        byline,
        published,
        language,
        canonical_url,
        site_name,
        declared_body: declared_body.unwrap_or_default(),
        summaries,
    }
}

/// Paragraphs of a text declared in metadata, which some sites write as HTML.
fn paragraphs_of(declared: &str) -> Vec<String> {
    let text = if declared.contains('<') {
        Html::parse_fragment(declared).root_element().text().collect::<Vec<_>>().join("\n")
    } else {
        declared.to_string()
    };
    text.lines().map(clean).filter(|line| !line.is_empty()).collect()
}

/// Who wrote the article: JSON-LD (authors given by reference too), `<meta>` tags, author markup,
/// then a byline written in a short line ("Von Jane Roe", "By Jane Roe"). Never the site's name, a
/// URL or a date.
fn byline<'a>(
    html: &Html,
    other: &OtherContent,
    short_lines: &ShortLines,
    ld: Option<&Value>,
    get: &impl Fn(&str) -> Option<&'a str>,
    site_name: Option<&str>,
    title: Option<&str>,
) -> Option<String> {
    let squashed = |s: &str| s.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect::<String>();
    let not_a_name =
        [site_name, title].into_iter().flatten().map(squashed).filter(|s| !s.is_empty()).collect::<Vec<_>>();
    let acceptable = |b: &String| {
        let key = squashed(b);
        let lower = b.to_lowercase();
        !key.is_empty()
            && b.chars().count() <= BYLINE_LINE_CHARS
            && !b.contains("http")
            && !b.chars().any(|c| c.is_ascii_digit())
            && !not_a_name.contains(&key)
            // A date's label ("Veröffentlicht am", "Posted on") or a comment's ("Art says:").
            && !PUBLISHED_CUES.iter().chain(UPDATED_CUES).any(|cue| lower.contains(cue))
            && !lower.ends_with(':')
    };
    let tidy = |b: &str| byline::strip_cue(&clean(b));
    let ld_authors = ld.and_then(|a| a.get("author")).map(|author| resolve_ld_references(html, author));
    ld_authors
        .as_ref()
        .and_then(names_of)
        .map(|b| tidy(&b))
        .filter(acceptable)
        .or_else(|| {
            ["author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author"]
                .into_iter()
                .find_map(|k| get(k).map(tidy).filter(acceptable))
        })
        .or_else(|| other.outside(html, &AUTHOR_MARKUP).map(|e| tidy(&text_of(&e))).find(acceptable))
        .or_else(|| {
            short_lines.within(BYLINE_LINE_CHARS).find_map(|t| byline::name_after_cue(t).map(tidy).filter(acceptable))
        })
}

/// JSON-LD that names its authors by reference (`{"@id": …}`), with each reference replaced by the
/// object of that `@id` elsewhere in the page's JSON-LD.
fn resolve_ld_references(html: &Html, value: &Value) -> Value {
    let id_of = |v: &Value| v.get("@id").and_then(Value::as_str).map(str::to_string);
    let referenced = |v: &Value| v.as_object().is_some_and(|o| o.len() == 1 && o.contains_key("@id"));
    let needs = match value {
        Value::Array(items) => items.iter().any(referenced),
        other => referenced(other),
    };
    if !needs {
        return value.clone();
    }
    fn collect(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
            Value::Object(o) => {
                if o.len() > 1 && o.contains_key("@id") {
                    out.push(v.clone());
                }
                o.values().for_each(|i| collect(i, out));
            }
            _ => {}
        }
    }
    let mut objects = Vec::new();
    for script in html.select(&JSON_LD) {
        if let Ok(v) = serde_json::from_str::<Value>(script.text().collect::<String>().trim()) {
            collect(&v, &mut objects);
        }
    }
    let resolve = |v: &Value| match id_of(v).filter(|_| referenced(v)) {
        Some(id) => objects.iter().find(|o| id_of(o).as_deref() == Some(id.as_str())).cloned().unwrap_or(v.clone()),
        None => v.clone(),
    };
    match value {
        Value::Array(items) => Value::Array(items.iter().map(resolve).collect()),
        other => resolve(other),
    }
}

/// When the page was published: the `<time>` under the headline, then `<meta>` tags, then JSON-LD,
/// then date attributes and other `<time>`s, then the URL, then text marked as a date, then date
/// lines, then text right after the headline; the time it was
/// last modified only when none of those says. Never a date in the future, nor a placeholder: the
/// zero dates of common platforms (0001-01-01, 1900-01-01, 1970-01-01) and anything before 1901.
fn publication_date<'a>(
    html: &Html,
    other: &OtherContent,
    short_lines: &ShortLines,
    ld: Option<&Value>,
    get: &impl Fn(&str) -> Option<&'a str>,
    mut urls: impl Iterator<Item = &'a str>,
    read_at: Option<chrono::DateTime<chrono::Utc>>,
) -> Option<crate::dates::Published> {
    let latest = (chrono::Utc::now() + chrono::Duration::days(1)).date_naive();
    let earliest = chrono::NaiveDate::from_ymd_opt(1901, 1, 1).expect("a date");
    let unix_zero = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    let plausible = |d: crate::dates::Published| {
        let day = d.date_naive();
        day <= latest && day >= earliest && day != unix_zero
    };
    let parsed = |raw: &str| parse_date(raw).filter(|d| plausible(*d));
    let language = html.select(&HTML_TAG).find_map(|h| h.value().attr("lang")).unwrap_or_default().to_lowercase();
    // 07/26/2024: the page's own dates that can only be read one way say its order; else only
    // American pages (and those that say English without a country) write the month first.
    // Read once, by the first text with a slash in it.
    let month_first = once_cell::unsync::Lazy::new(|| {
        html.root_element()
            .descendants()
            .filter(|node| !is_code(node))
            .filter_map(|node| {
                node.value().as_text().filter(|t| t.contains('/')).and_then(|t| crate::dates::slash_order(t))
            })
            .next()
            .unwrap_or(language == "en-us" || language == "en")
    });
    let month_first = || *month_first;
    let in_text = |text: &str| find_page_date(text, text.contains('/') && month_first(), latest).map(midnight);
    let ld_date = |key: &str| ld.and_then(|a| a.get(key)).and_then(Value::as_str).and_then(parsed);
    let url_date = urls.find_map(|url| date_in_url(url).filter(|d| plausible(*d)));
    // Short lines, some little more than a date ("<h3>21.01.2022</h3>", "am 29.12.2010, 13:36 Uhr",
    // "vor 3 Stunden").
    let date_lines: once_cell::unsync::Lazy<Vec<(String, crate::dates::Published)>, _> =
        once_cell::unsync::Lazy::new(|| {
            short_lines.within(SHORT_DATE_LINE).filter_map(|t| Some((t.to_lowercase(), in_text(t)?))).collect()
        });
    let says = |line: &str, cues: &[&str]| cues.iter().any(|cue| line.contains(cue));
    type Source<'s> = (&'static str, Box<dyn Fn() -> Option<crate::dates::Published> + 's>);
    let sources: Vec<Source> = vec![
        (
            "<time> under the headline",
            Box::new(|| {
                headline_time(html, other)
                    .and_then(|t| t.value().attr("datetime").and_then(parsed).or_else(|| in_text(&text_of(&t))))
            }),
        ),
        (
            // In the page's order: the first such tag is the one the page's template puts first.
            "<meta>",
            Box::new(|| {
                html.select(&META).find_map(|meta| {
                    let el = meta.value();
                    let published = ["property", "name", "itemprop"]
                        .iter()
                        .filter_map(|a| el.attr(a))
                        .any(|key| is_published_key(&key.trim().to_ascii_lowercase()));
                    published.then(|| el.attr("content").and_then(parsed)).flatten()
                })
            }),
        ),
        ("JSON-LD datePublished", Box::new(|| ld_date("datePublished").or_else(|| ld_date("dateCreated")))),
        (
            "date attribute",
            Box::new(|| {
                other.outside(html, &DATE_ATTRIBUTE).find_map(|e| {
                    let v = e.value();
                    let attribute = v.attr("content").or_else(|| v.attr("datetime")).or_else(|| v.attr("title"));
                    attribute.and_then(parsed).or_else(|| attribute.and_then(in_text)).or_else(|| in_text(&text_of(&e)))
                })
            }),
        ),
        (
            "<time>",
            Box::new(|| {
                other
                    .outside(html, &TIME)
                    .find_map(|t| t.value().attr("datetime").and_then(parsed))
                    .or_else(|| other.outside(html, &TIME).find_map(|t| in_text(&text_of(&t))))
            }),
        ),
        ("URL", Box::new(|| url_date)),
        (
            "date markup",
            Box::new(|| {
                other
                    .outside(html, &DATE_MARKUP)
                    .filter_map(|e| text_within(&e, DATE_MARKUP_CHARS))
                    .find_map(|t| in_text(&t))
            }),
        ),
        (
            // The first that says it is the publication date, else the first that does not say it
            // is an update.
            "date line",
            Box::new(|| {
                date_lines
                    .iter()
                    .find(|(line, _)| says(line, PUBLISHED_CUES))
                    .or_else(|| date_lines.iter().find(|(line, _)| !says(line, UPDATED_CUES)))
                    .map(|(_, date)| *date)
            }),
        ),
        (
            "relative date line",
            Box::new(|| {
                let read_at = read_at?;
                short_lines.within(SHORT_DATE_LINE).find_map(|line| relative_date_line(line, read_at)).map(midnight)
            }),
        ),
        ("text after the headline", Box::new(|| text_after_headline(html).and_then(|t| in_text(&t)))),
        (
            "script data",
            Box::new(|| {
                html.select(&SCRIPT).find_map(|script| {
                    let code = script.text().collect::<String>();
                    SCRIPT_DATE
                        .captures_iter(&code)
                        .filter(|c| is_script_published_key(&c[1]))
                        .find_map(|c| parsed(&c[2]))
                })
            }),
        ),
        ("JSON-LD dateModified", Box::new(|| ld_date("dateModified"))),
        ("<meta> modified", Box::new(|| MODIFIED_META.iter().find_map(|k| get(k).and_then(parsed)))),
        ("update line", Box::new(|| date_lines.first().map(|(_, date)| *date))),
        ("the page's text", Box::new(|| most_written_date(html, other, month_first(), latest).map(midnight))),
    ];
    let date = sources.iter().find_map(|(source, find)| {
        let date = find()?;
        tracing::debug!(source, %date, "publication date");
        Some(date)
    })?;
    // A date in the URL is the publisher's calendar day; a time a day off is the same moment
    // written in another offset (UTC in metadata, local time in the path).
    Some(match url_date {
        Some(day) if (day.date_naive() - date.date_naive()).num_days().abs() == 1 => day,
        _ => date,
    })
}

/// The date the page's text writes most often, outside readers' comments and lists of other stories
/// (ties: the first written); where nothing marks a date, the story's own is the one its text keeps
/// repeating (in its header, its footer, its print line), and one-off dates are the events it tells.
fn most_written_date(
    html: &Html,
    other: &OtherContent,
    month_first: bool,
    latest: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    let mut counts: Vec<(chrono::NaiveDate, usize)> = Vec::new();
    let texts = html
        .root_element()
        .descendants()
        .filter(|node| node.value().is_text() && !is_code(node))
        .filter(|node| node.parent().and_then(ElementRef::wrap).is_none_or(|e| !other.holds(&e)));
    for node in texts {
        let text = node.value().as_text().expect("a text node");
        for date in page_dates(text, month_first, latest) {
            match counts.iter_mut().find(|(d, _)| *d == date) {
                Some((_, n)) => *n += 1,
                None => counts.push((date, 1)),
            }
        }
    }
    // max_by_key keeps the last of equals: reversed, the first written.
    counts.into_iter().rev().max_by_key(|(_, n)| *n).map(|(date, _)| date)
}

/// Characters after the headline where a date without markup is looked for ("Pressemitteilung vom
/// 25. Januar 2022 | Berlin – …").
const AFTER_HEADLINE_CHARS: usize = 200;
/// Characters of text after the headline within which a `<time>` belongs to the story's header.
const HEADLINE_TIME_CHARS: usize = 300;

/// The nodes after the page's first `<h1>`, in document order, leaving out what scripts and styles hold.
fn after_headline(html: &Html) -> impl Iterator<Item = ego_tree::NodeRef<'_, scraper::Node>> {
    html.select(&H1).next().into_iter().flat_map(|h1| {
        h1.next_siblings()
            .chain(h1.ancestors().flat_map(|a| a.next_siblings()))
            .flat_map(|node| node.descendants())
            .filter(|node| !is_code(node))
    })
}

/// The start of the text that follows the page's `<h1>`.
fn text_after_headline(html: &Html) -> Option<String> {
    html.select(&H1).next()?;
    let mut text = String::new();
    for t in after_headline(html).filter_map(|node| node.value().as_text().map(|t| &**t)) {
        text.push_str(t);
        text.push(' ');
        if text.chars().count() >= AFTER_HEADLINE_CHARS {
            break;
        }
    }
    Some(text.chars().take(AFTER_HEADLINE_CHARS).collect())
}

/// The `<time>` in the story's header, right after its headline: the day readers see on the story,
/// where metadata may carry a later edit, or the same moment in another time zone's day. An empty
/// `<time>` shows readers nothing: it is metadata like any other.
fn headline_time<'a>(html: &'a Html, other: &OtherContent) -> Option<ElementRef<'a>> {
    let mut chars = 0;
    after_headline(html)
        .take_while(|node| {
            chars += node.value().as_text().map_or(0, |t| t.trim().chars().count());
            chars <= HEADLINE_TIME_CHARS
        })
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "time" && !text_of(e).trim().is_empty() && !other.holds(e))
}

/// The page's readers' comments, forms and lists of other stories, whose dates and names are not the
/// article's. Found once a page: every candidate byline and date is checked against them.
struct OtherContent(FxHashSet<NodeId>);

impl OtherContent {
    fn of(html: &Html) -> Self {
        let is_other = |e: &ElementRef| {
            let v = e.value();
            // A form is another's content (a comment box, a search), unless the page itself is one
            // form holding its headline, as ASP.NET pages are.
            (v.name() == "form" && e.select(&H1).next().is_none())
                || (!matches!(v.name(), "body" | "html")
                    && [v.attr("class"), v.attr("id")].into_iter().flatten().any(|name| OTHER_STORIES.is_match(name)))
        };
        OtherContent(
            html.root_element().descendants().filter_map(ElementRef::wrap).filter(is_other).map(|e| e.id()).collect(),
        )
    }

    /// Whether the element sits in other content.
    fn holds(&self, e: &ElementRef) -> bool {
        !self.0.is_empty() && e.ancestors().any(|a| self.0.contains(&a.id()))
    }

    /// The elements `selector` finds outside other content.
    fn outside<'a>(&'a self, html: &'a Html, selector: &'a Selector) -> impl Iterator<Item = ElementRef<'a>> + 'a {
        html.select(selector).filter(|e| !self.holds(e))
    }
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
        // Any of schema.org's kinds of article ("OpinionNewsArticle", "LiveBlogPosting"), or a page.
        let is_article_type =
            |t: &str| t.ends_with("Article") || t.ends_with("Posting") || OTHER_ARTICLE_TYPES.contains(&t);
        match v.get("@type") {
            Some(Value::String(t)) => is_article_type(t),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is_article_type),
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

/// The page's one headline: its only `<h1>` of two words or more, leaving out those in links and
/// navigation and in a page header outside the article, where a site puts its name as a logo.
fn sole_headline(html: &Html) -> Option<String> {
    let mut headlines = html
        .select(&H1)
        .filter(|h| {
            let names: Vec<&str> = h.ancestors().filter_map(ElementRef::wrap).map(|a| a.value().name()).collect();
            let in_article = names.iter().any(|n| matches!(*n, "article" | "main"));
            !names.iter().any(|n| matches!(*n, "a" | "nav")) && (in_article || !names.contains(&"header"))
        })
        .map(|h| text_of(&h))
        .filter(|t| t.split_whitespace().count() >= 2);
    let first = headlines.next()?;
    headlines.next().is_none().then_some(first)
}

fn choose_title(
    html: &Html,
    metas: &HashMap<String, String>,
    ld: Option<&Value>,
    site_name: Option<&str>,
) -> Option<String> {
    // Metadata that names the site or its home page, not the article.
    let names_the_site = |t: &str| {
        site_name.is_some_and(|s| squash(s) == squash(t))
            || ["home", "homepage", "startseite", "accueil", "inicio", "start"].contains(&squash(t).as_str())
    };
    // The headline readers see is the title: metadata titles are often rewritten for search engines
    // and social media.
    if let Some(headline) = sole_headline(html).filter(|h| !names_the_site(h)) {
        return Some(clean(&headline));
    }
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
    let chosen = meta_title
        .or(doc_title)
        .or(h1.clone())
        .map(|t| strip_site_suffix(&clean(&t), site_name))
        .filter(|t| !t.is_empty());
    match chosen {
        Some(t) if names_the_site(&t) => {
            h1.or_else(|| html.select(&H2).map(|h| text_of(&h)).find(|t| t.split_whitespace().count() >= 2)).or(Some(t))
        }
        other => other,
    }
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

/// The element's text (see [`text_of`]) when it has at most `max_chars` characters; the text of a
/// longer one is never gathered (most candidate lines are containers holding much of the page).
fn text_within(el: &ElementRef, max_chars: usize) -> Option<String> {
    if !shows_at_most(el, max_chars) {
        return None;
    }
    Some(text_of(el)).filter(|t| t.chars().count() <= max_chars)
}

/// Whether the element shows at most `max_chars` characters other than spaces: those all stay in
/// its cleaned text, so a longer one is known to be too long before its text is gathered.
fn shows_at_most(el: &ElementRef, max_chars: usize) -> bool {
    let mut visible = 0;
    for piece in visible_pieces(el) {
        visible += piece.chars().filter(|c| !c.is_whitespace()).count();
        if visible > max_chars {
            return false;
        }
    }
    true
}

/// The texts of the page's short elements outside other content, gathered once (by the first
/// source that needs them) for both the byline and the date lines, which read them under
/// different lengths.
struct ShortLines<'a> {
    html: &'a Html,
    other: &'a OtherContent,
    /// Each text with its length in characters.
    lines: std::cell::OnceCell<Vec<(String, usize)>>,
}

impl<'a> ShortLines<'a> {
    /// The longest line any reader asks for.
    const MAX_CHARS: usize = if BYLINE_LINE_CHARS > SHORT_DATE_LINE { BYLINE_LINE_CHARS } else { SHORT_DATE_LINE };

    fn new(html: &'a Html, other: &'a OtherContent) -> Self {
        ShortLines { html, other, lines: std::cell::OnceCell::new() }
    }

    /// The texts [`text_within`] gives for `max_chars`, in document order.
    fn within(&self, max_chars: usize) -> impl Iterator<Item = &str> {
        debug_assert!(max_chars <= Self::MAX_CHARS);
        let lines = self.lines.get_or_init(|| {
            self.other
                .outside(self.html, &SHORT_TEXT)
                .filter_map(|e| text_within(&e, Self::MAX_CHARS))
                .map(|text| {
                    let chars = text.chars().count();
                    (text, chars)
                })
                .collect()
        });
        lines.iter().filter(move |(_, chars)| *chars <= max_chars).map(|(text, _)| text.as_str())
    }
}

/// The element's text, without what its scripts and styles hold nor the labels only screen readers
/// say ("Author", "Post date"); hidden punctuation that joins a kicker to a headline stays.
fn text_of(el: &ElementRef) -> String {
    clean(&visible_pieces(el).collect::<String>())
}

/// The element's text nodes as a reader sees them: code left out, a screen-reader label a space.
fn visible_pieces<'a>(el: &'a ElementRef<'a>) -> impl Iterator<Item = &'a str> + 'a {
    el.descendants().filter(|node| !is_code(node)).filter_map(move |node| {
        let text = node.value().as_text()?;
        let label = for_screen_readers(&node, el) && text.chars().any(char::is_alphabetic);
        Some(if label { " " } else { &**text })
    })
}

/// Class names that the common themes and CSS frameworks give text hidden from sight and kept for
/// screen readers.
const SCREEN_READER_CLASSES: &[&str] = &["screen-reader-text", "sr-only", "visually-hidden", "visuallyhidden"];

/// A text node inside `el` that only screen readers say.
fn for_screen_readers(node: &ego_tree::NodeRef<scraper::Node>, el: &ElementRef) -> bool {
    node.value().is_text()
        && node
            .ancestors()
            .take_while(|a| a.id() != el.id())
            .any(|a| a.value().as_element().is_some_and(|e| e.classes().any(|c| SCREEN_READER_CLASSES.contains(&c))))
}

/// Text a script or style holds: code, not words a reader sees.
fn is_code(node: &ego_tree::NodeRef<scraper::Node>) -> bool {
    node.value().is_text()
        && node
            .parent()
            .and_then(|p| p.value().as_element())
            .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript"))
}

/// Text with its whitespace collapsed and character references decoded: pages put HTML-escaped text
/// into JSON-LD ("Redacci&oacute;n") and escape some attributes twice.
fn clean(s: &str) -> String {
    let decoded;
    let s = if s.contains('&') && s.contains(';') {
        decoded = Html::parse_fragment(s).root_element().text().collect::<String>();
        &decoded
    } else {
        s
    };
    s.split_whitespace().collect::<Vec<_>>().join(" ")
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
        let m = extract_metadata(&Html::parse_document(page), "https://daily.example/x?utm_source=a", None);
        assert_eq!(m.title.as_deref(), Some("Big story"));
        assert_eq!(m.byline.as_deref(), Some("Ann Lee, Bo Chan"));
        assert_eq!(m.published.unwrap().to_rfc3339(), "2024-03-01T09:30:00+01:00");
        assert_eq!(m.language.as_deref(), Some("en"));
        assert_eq!(m.canonical_url.as_deref(), Some("https://daily.example/news/big-story"));
        assert_eq!(m.site_name.as_deref(), Some("The Daily"));
    }

    #[test]
    fn labels_for_screen_readers_are_not_read_as_text() {
        let page = r#"<html><head><title>x</title></head><body><article>
            <h1><span class="kicker">Rail</span><span class="visually-hidden">: </span>A night train to Rome</h1>
            <span class="byline"><span class="screen-reader-text">Author</span><a href="/a/jr">Jane Roe</a></span>
            </article></body></html>"#;
        let m = extract_metadata(&Html::parse_document(page), "", None);
        assert_eq!(m.byline.as_deref(), Some("Jane Roe"));
        // Hidden punctuation between a kicker and the headline is kept: it is what joins them.
        assert_eq!(m.title.as_deref(), Some("Rail: A night train to Rome"));
    }

    #[test]
    fn escaped_text_in_json_ld_is_decoded() {
        let page = r#"<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"Lluvias &amp; cortes",
            "author":{"@type":"Person","name":"Redacci&oacute;n Central"}}</script></head><body></body></html>"#;
        let m = extract_metadata(&Html::parse_document(page), "", None);
        assert_eq!(m.byline.as_deref(), Some("Redacción Central"));
        assert_eq!(m.title.as_deref(), Some("Lluvias & cortes"));
    }

    #[test]
    fn falls_back_to_markup() {
        let page = r#"<html><head><title>Ministers meet in Brussels - Euro Wire</title></head><body>
            <span class="byline">By Jane Roe</span><time datetime="2023-11-02">2 Nov</time></body></html>"#;
        let m = extract_metadata(&Html::parse_document(page), "file:///x.html", None);
        assert_eq!(m.title.as_deref(), Some("Ministers meet in Brussels"));
        assert_eq!(m.byline.as_deref(), Some("Jane Roe"));
        assert_eq!(m.published.unwrap().date_naive().to_string(), "2023-11-02");
        assert_eq!(m.canonical_url, None);
    }

    #[test]
    fn a_title_that_names_the_site_gives_way_to_the_headline() {
        let page = r#"<html><head><title>Home</title></head><body><h2>Time to say goodbye</h2></body></html>"#;
        assert_eq!(
            extract_metadata(&Html::parse_document(page), "", None).title.as_deref(),
            Some("Time to say goodbye")
        );
        let page = r#"<html><head><meta property="og:title" content="Euro Wire"><meta property="og:site_name"
            content="Euro Wire"></head><body><h1>Ministers meet</h1></body></html>"#;
        assert_eq!(extract_metadata(&Html::parse_document(page), "", None).title.as_deref(), Some("Ministers meet"));
    }

    #[test]
    fn authors_by_reference_and_in_text_never_the_site() {
        let page = r##"<html><head><meta property="og:site_name" content="Euro Wire">
            <script type="application/ld+json">{"@graph":[{"@type":"Article","author":{"@id":"#p1"}},
            {"@type":"Person","@id":"#p1","name":"Ann Lee"}]}</script></head><body><h1>Story</h1></body></html>"##;
        assert_eq!(extract_metadata(&Html::parse_document(page), "", None).byline.as_deref(), Some("Ann Lee"));
        let page = r#"<html><head><meta name="author" content="Euro Wire"><meta property="og:site_name" content="Euro Wire">
            </head><body><h1>Ein Bericht</h1>
            <p>Von Jana Roth und Paul Weber</p><p>Text des Artikels, lang genug, um kein Byline zu sein.</p></body></html>"#;
        assert_eq!(
            extract_metadata(&Html::parse_document(page), "", None).byline.as_deref(),
            Some("Jana Roth und Paul Weber")
        );
    }

    #[test]
    fn dates_in_other_languages_and_never_a_comments_or_a_later_changes() {
        let page = r#"<html><body><h1>Bericht</h1><div class="comments"><time datetime="2020-09-23">23.09.</time></div>
            <p>Aktualisiert am 02.03.2020</p><p>Veröffentlicht am 16. August 2019</p></body></html>"#;
        let m = extract_metadata(&Html::parse_document(page), "", None);
        assert_eq!(m.published.unwrap().date_naive().to_string(), "2019-08-16");
        let page = r#"<html><head><meta property="article:modified_time" content="2021-05-05T10:00:00Z"></head>
            <body><p>Nothing dated here.</p></body></html>"#;
        let m = extract_metadata(&Html::parse_document(page), "", None);
        assert_eq!(
            m.published.unwrap().date_naive().to_string(),
            "2021-05-05",
            "the change time only as a last resort"
        );
    }

    #[test]
    fn placeholder_dates_are_no_dates() {
        for placeholder in ["0001-01-01T00:00:00Z", "1900-01-01", "1970-01-01T00:00:00Z"] {
            let page = format!(
                r#"<html><head><meta property="article:published_time" content="{placeholder}"></head>
                <body><h1>Story</h1><time datetime="2022-04-05">5 April</time></body></html>"#
            );
            let m = extract_metadata(&Html::parse_document(&page), "", None);
            assert_eq!(m.published.unwrap().date_naive().to_string(), "2022-04-05", "{placeholder}");
        }
    }

    fn published(page: &str, url: &str) -> Option<String> {
        extract_metadata(&Html::parse_document(page), url, None).published.map(|d| d.date_naive().to_string())
    }

    #[test]
    fn meta_tags_in_page_order_and_any_that_say_publish() {
        let page = r#"<html><head><meta name="date" content="2022-02-04 15:33">
            <meta name="pubdate" content="2021-12-14T15:41:07+01:00"></head><body></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2022-02-04"));
        let page = r#"<html><head><meta name="cXenseParse:publishtime" content="2022-05-03T21:44:52Z">
            <meta name="article:publisher" content="https://example.org/"></head><body></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2022-05-03"));
    }

    #[test]
    fn the_url_gives_the_publishers_calendar_day() {
        let page = r#"<html><head><meta property="article:published_time" content="2018-12-31T23:11:59+00:00">
            <link rel="canonical" href="https://blog.example/2019/01/01/new-year/"></head><body></body></html>"#;
        assert_eq!(published(page, "file:///x.html").as_deref(), Some("2019-01-01"));
        // A URL date far from the metadata's is another matter, and the metadata wins.
        let page = r#"<html><head><meta property="article:published_time" content="2019-03-05T10:00:00Z">
            <link rel="canonical" href="https://blog.example/2019/01/01/new-year/"></head><body></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2019-03-05"));
    }

    #[test]
    fn dates_after_the_headline_and_updates_as_a_last_resort_but_never_other_stories() {
        let page = r#"<html><body><h1>Ministerin besucht Projekt</h1><div><p>Pressemitteilung vom 25. Januar 2022 | Berlin – Die Ministerin hat heute ein Projekt besucht, das seit Jahren läuft und viele Menschen erreicht.</p></div></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2022-01-25"));
        let page = r#"<html><body><h1>Kinder und Arbeit</h1><p>Text.</p><p class="info">Aktualisiert: 30.12.2016</p></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2016-12-30"));
        let page = r#"<html><body><h1>Entlöten</h1><span class="published">22. Oktober 2019</span>
            <ul class="related-posts"><li><time datetime="2009-04-11 18:06:36">11. April 2009</time></li></ul></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2019-10-22"));
    }

    #[test]
    fn the_time_under_the_headline_is_the_day_readers_see() {
        let story = |before: &str, after: &str| {
            format!(
                r#"<html><head><meta property="article:published_time" content="2022-01-15T00:00:00Z"></head>
                <body>{before}<article><h1>Lawinen im Januar</h1>{after}</article></body></html>"#
            )
        };
        let page = story("", r#"<p>Von Ana Roth</p><time datetime="2022-01-25">25.01.2022</time><p>Text.</p>"#);
        assert_eq!(published(&page, "").as_deref(), Some("2022-01-25"));
        // A time before the headline, in a list of other stories, or far down the story is not the story's.
        let page = story(r#"<time datetime="2022-01-20">20.01.2022</time>"#, "<p>Text.</p>");
        assert_eq!(published(&page, "").as_deref(), Some("2022-01-15"));
        let page = story("", r#"<ul class="related"><li><time datetime="2022-01-20">20.01.</time></li></ul>"#);
        assert_eq!(published(&page, "").as_deref(), Some("2022-01-15"));
        let long = "Ein langer Absatz über Schnee und Lawinen in den Alpen. ".repeat(8);
        let page = story("", &format!(r#"<p>{long}</p><time datetime="2022-01-20">20.01.2022</time>"#));
        assert_eq!(published(&page, "").as_deref(), Some("2022-01-15"));
    }

    #[test]
    fn dates_from_script_data_and_then_from_what_the_text_repeats() {
        // A page its scripts build: the date is in their data, under a key that says what it is.
        let page = r#"<html><body><h1>Review</h1><script>window.state = {"review":{"updatedDate":"2016-11-09T20:39:47Z",
            "publishedDate":"2016-11-04T20:37:27Z"}};</script><p>Text.</p></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2016-11-04"));
        // Nothing marks a date: the one the text keeps writing, not the events it tells of; never a comment's.
        let page = r#"<html><body><h1>Ausflug</h1><p>Der Stammtisch trifft sich jeden Monat, und wer mag, kommt einfach vorbei: Wir reden über die Stadt, über Pläne und über alles, was ansteht, bei Kaffee oder einem Bier.</p>
            <p>Wir fahren am 5. Februar 2020 mit dem Zug nach Kassel, besuchen dort das Museum und fahren am 12. März 2020 weiter nach Göttingen.</p>
            <div class="comments"><p>3.4.2020</p><p>3.4.2020</p><p>3.4.2020</p></div>
            <p>Die Seite wurde zuletzt am 29.01.2020 von Ana geändert, die auch die Fotos der letzten Fahrt beigesteuert hat.</p>
            <footer>Diese Seite vom 29.01.2020 steht unter einer freien Lizenz; Fotos und Texte dürfen geteilt werden.</footer></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2020-01-29"));
    }

    #[test]
    fn slashed_dates_are_read_in_the_order_the_page_shows() {
        let page = |footer: &str| {
            format!(
                r#"<html lang="en"><body><h1>Floods</h1><p class="date">05/02/2020</p><p>Text.</p><footer>{footer}</footer></body></html>"#
            )
        };
        // "en" without a country reads month first, unless the page's own dates show the day first.
        assert_eq!(published(&page("Archive"), "").as_deref(), Some("2020-05-02"));
        assert_eq!(published(&page("Archive from 25/12/2019"), "").as_deref(), Some("2020-02-05"));
    }

    #[test]
    fn relative_dates_count_from_when_the_page_was_fetched() {
        let page = r#"<html><body><h1>Sturm über Hamburg</h1><p class="x">vor 3 Stunden</p><p>Text.</p></body></html>"#;
        let read_at = chrono::DateTime::parse_from_rfc3339("2024-03-10T02:00:00Z").unwrap().to_utc();
        let date = |read_at| extract_metadata(&Html::parse_document(page), "https://x.example/a", read_at).published;
        assert_eq!(date(Some(read_at)).map(|d| d.date_naive().to_string()).as_deref(), Some("2024-03-09"));
        // A file read from disk has no time of fetching to count from.
        assert_eq!(date(None), None);
    }

    #[test]
    fn a_page_that_is_one_form_keeps_its_dates() {
        let page = r#"<html><body><form id="main"><h1>Easy upside-down cake</h1><div class="recipeDate">June 13, 2019</div>
            </form></body></html>"#;
        assert_eq!(published(page, "").as_deref(), Some("2019-06-13"));
        let page = r#"<html><body><form><div class="date">June 13, 2019</div></form><h1>Easy upside-down cake</h1></body></html>"#;
        assert_eq!(published(page, "").as_deref(), None);
    }

    #[test]
    fn the_one_headline_readers_see_is_the_title() {
        let title = |page: &str| extract_metadata(&Html::parse_document(page), "", None).title;
        let page = r#"<html><head><meta property="og:title" content="Dead skin cells might be a good thing"></head>
            <body><h1>Wait, are dead skin cells actually a good thing?</h1></body></html>"#;
        assert_eq!(title(page).as_deref(), Some("Wait, are dead skin cells actually a good thing?"));
        // The site's name as a logo, in its header or a link home, is not the story's headline.
        let page = r#"<html><head><meta property="og:title" content="Green deal falls short"></head><body>
            <header><h1>Democracy in Europe</h1></header><a href="/"><h1>Euro Wire News</h1></a><p>Text.</p></body></html>"#;
        assert_eq!(title(page).as_deref(), Some("Green deal falls short"));
        // Two headlines: the metadata decides.
        let page = r#"<html><head><title>Ministers meet - Euro Wire</title></head><body><h1>Ministers meet</h1>
            <h1>Other news today</h1></body></html>"#;
        assert_eq!(title(page).as_deref(), Some("Ministers meet"));
    }
}
