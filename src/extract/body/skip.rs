//! What the block collector leaves out: elements that are boilerplate by their tag, ARIA role,
//! visibility or class/id, weighed against how much of the page's text they hold.

use std::collections::HashSet;

use ego_tree::{NodeId, NodeRef};
use once_cell::sync::Lazy;
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use scraper::{Html, Node};

/// Elements never part of an article's text.
const SKIPPED_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "footer",
    "button",
    "select",
    "option",
    "textarea",
    "input",
    "label",
    "iframe",
    "svg",
    "canvas",
    "object",
    "embed",
    "video",
    "audio",
    "figcaption",
    "menu",
    "dialog",
    "head",
    // Ruby annotations (readings printed above East Asian text) are not part of the running text.
    "rt",
    "rp",
];

/// Elements that are boilerplate on most sites but wrap whole pages or articles on some (ASP.NET
/// forms, themes that open a `<header>` and never close it, layouts that put the story in an
/// `<aside>`): skipped unless they hold a large share of the page's text.
const USUALLY_SKIPPED_TAGS: &[&str] = &["form", "header", "aside"];

const SKIPPED_ROLES: &[&str] =
    &["navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "menu", "menubar", "search"];

/// Class/id words that mark boilerplate whatever else the element is called.
static STRONG_BOILERPLATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?:^|[-_\s])(?:related|recommended|recommendations|more-stories|newsletter|subscribe|subscription|signup|sign-up|share|sharing|social|comments?|disqus|cookie|consent|gdpr|promo|advert|advertisement|sponsored|outbrain|taboola|caption|trending|most-popular|most-read|popular|(?:audio|video|media|podcast)[-_]?player|jwplayer|breadcrumbs?|skip-link|toolbar|print-only)(?:$|[-_\s])").unwrap()
});

/// Class/id words of article containers.
static CONTENT_HINT: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?i)article|body|content|entry|main|post|story|text|blog").unwrap());

/// Text outside links an element named like content needs to count as the article despite a
/// boilerplate word in its name: "article-footer" and "post-meta" lines have less.
const CONTENT_NAME_MIN_PROSE: usize = 300;

/// Class/id words that mark boilerplate unless the element is text itself, wraps most of the prose
/// or is named and built like the article.
static WEAK_BOILERPLATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?:^|[-_\s])(?:nav|navbar|navigation|menu|sidebar|footer|masthead|header|tags?|bio|ad|ads|banner|widget|meta|byline|dateline|caption|credit|author|copyright)(?:$|[-_\s])").unwrap()
});

/// Decides which elements the block collector leaves out.
pub(super) struct Skipper {
    /// Boilerplate class/id names and `<form>`/`<header>` wrappers are not skipped when they hold at
    /// least this share of the page's text: on some sites they wrap the whole page.
    max_share: f32,
    /// Visible text under each element: all of it, and the part inside links.
    text_len: FxHashMap<NodeId, TextLen>,
    page: TextLen,
    /// Class names with a boilerplate word that the page gives to so many elements that they are
    /// its layout's vocabulary ("elementor-widget" on every block of a page builder), not marks.
    layout_classes: HashSet<String>,
    /// Whether captions hold the page's text (see [`GALLERY_CAPTION_SHARE`]).
    gallery: bool,
    /// `<article>` and `<main>` elements with prose: where the page itself says its article is.
    marked_articles: Vec<NodeId>,
    /// Those elements and their ancestors.
    around_marked_articles: FxHashSet<NodeId>,
}

/// A page whose figure captions hold this share of its text is a gallery (a slideshow, a listicle
/// of pictures): the captions are its article, not notes beside one.
const GALLERY_CAPTION_SHARE: f32 = 0.5;

/// Elements that must carry a class name for it to be the layout's vocabulary.
const LAYOUT_CLASS_MIN_ELEMENTS: usize = 5;

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TextLen {
    pub(super) all: usize,
    pub(super) in_links: usize,
}

impl TextLen {
    pub(super) fn prose(self) -> usize {
        self.all.saturating_sub(self.in_links)
    }
}

/// A class name that usually marks boilerplate ("sidebar", "widget", "nav") is not trusted on an
/// element holding at least this share of the page's text outside links: layout wrappers
/// ("c-fixed-sidebar-layout", "elementor-widget-container") carry such names too.
const WEAK_NAME_MAX_PROSE_SHARE: f32 = 0.3;

/// Inline elements: a phrase of the text around them.
const INLINE_TAGS: &[&str] =
    &["span", "a", "em", "strong", "b", "i", "u", "small", "time", "abbr", "cite", "font", "mark", "sup", "sub"];

/// Text outside an inline element its paragraph needs for the element to be a phrase of it.
const PHRASE_MIN_SURROUNDING_CHARS: usize = 100;

impl Skipper {
    pub(super) fn new(html: &Html, max_share: f32) -> Self {
        let mut text_len: FxHashMap<NodeId, TextLen> = FxHashMap::default();
        let mut captions = 0;
        for edge in html.tree.root().traverse() {
            let ego_tree::iter::Edge::Close(node) = edge else { continue };
            let len = match node.value() {
                Node::Element(el) if matches!(el.name(), "script" | "style" | "noscript" | "template" | "head") => {
                    TextLen::default()
                }
                Node::Element(_) | Node::Document => {
                    let mut len = TextLen::default();
                    for child in node.children() {
                        let child_len = match child.value() {
                            Node::Text(t) => TextLen { all: t.trim().len(), in_links: 0 },
                            _ => text_len.get(&child.id()).copied().unwrap_or_default(),
                        };
                        len.all += child_len.all;
                        len.in_links += child_len.in_links;
                    }
                    match node.value().as_element().map(|e| e.name()) {
                        Some("a") => len.in_links = len.all,
                        Some("figcaption") => captions += len.all,
                        _ => {}
                    }
                    len
                }
                _ => continue,
            };
            text_len.insert(node.id(), len);
        }
        let page = text_len.get(&html.tree.root().id()).copied().unwrap_or_default();
        let page = TextLen { all: page.all.max(1), in_links: page.in_links };
        let mut class_counts: FxHashMap<&str, usize> = FxHashMap::default();
        for el in html.tree.root().descendants().filter_map(|n| n.value().as_element()) {
            for class in el.classes() {
                *class_counts.entry(class).or_default() += 1;
            }
        }
        let layout_classes = class_counts
            .into_iter()
            .filter(|(class, count)| *count >= LAYOUT_CLASS_MIN_ELEMENTS && WEAK_BOILERPLATE.is_match(class))
            .map(|(class, _)| class.to_string())
            .collect();
        let gallery = captions as f32 >= GALLERY_CAPTION_SHARE * page.all as f32;
        let marked: Vec<NodeRef<Node>> = html
            .tree
            .root()
            .descendants()
            .filter(|n| n.value().as_element().is_some_and(|e| matches!(e.name(), "article" | "main")))
            .filter(|n| text_len.get(&n.id()).is_some_and(|l| l.prose() >= CONTENT_NAME_MIN_PROSE))
            .collect();
        let around_marked_articles =
            marked.iter().flat_map(|n| std::iter::once(*n).chain(n.ancestors())).map(|n| n.id()).collect();
        let marked_articles = marked.iter().map(|n| n.id()).collect();
        Skipper { max_share, text_len, page, layout_classes, gallery, marked_articles, around_marked_articles }
    }

    pub(super) fn with_share(self, max_share: f32) -> Self {
        Skipper { max_share, ..self }
    }

    pub(super) fn skips(&self, node: &NodeRef<Node>) -> bool {
        let Some(el) = node.value().as_element() else { return false };
        let tag = el.name();
        if tag == "figcaption" && self.gallery {
            return false;
        }
        if SKIPPED_TAGS.contains(&tag) {
            return true;
        }
        if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
            return true;
        }
        if el.attr("style").is_some_and(|s| s.replace(' ', "").to_ascii_lowercase().contains("display:none")) {
            return true;
        }
        if el.attr("role").is_some_and(|r| SKIPPED_ROLES.contains(&r.to_ascii_lowercase().as_str())) {
            return true;
        }
        if matches!(tag, "html" | "body" | "article" | "main") {
            return false;
        }
        let len = self.text_len.get(&node.id()).copied().unwrap_or_default();
        if len.all as f32 / self.page.all as f32 >= self.max_share && self.may_wrap_the_article(node) {
            return false;
        }
        if USUALLY_SKIPPED_TAGS.contains(&tag) {
            // The article's own header holds its headline and often its lead.
            let holds_headline =
                tag == "header" && node.descendants().any(|d| d.value().as_element().is_some_and(|e| e.name() == "h1"));
            return !holds_headline;
        }
        // A box that describes a person by microdata is the author's: name, picture, biography. (Inline
        // elements so marked are names in the text.)
        let describes_person = el.attr("itemprop").is_some_and(|p| p.split_whitespace().any(|p| p == "author"))
            || el.attr("itemtype").is_some_and(|t| t.trim_end_matches('/').ends_with("/Person"));
        if describes_person && matches!(tag, "div" | "section" | "aside" | "footer") {
            return true;
        }
        let names = format!("{} {}", el.attr("class").unwrap_or_default(), el.attr("id").unwrap_or_default());
        if names.trim().is_empty() {
            return false;
        }
        let ad_slot = names
            .split_whitespace()
            .any(|n| matches!(n.to_ascii_lowercase().as_str(), "ad" | "ads" | "advert" | "ad-slot"));
        let lower = names.to_ascii_lowercase();
        if ad_slot || lower.contains("caption") || STRONG_BOILERPLATE.is_match(&names) {
            return true;
        }
        // Most pages have no layout vocabulary: their names are matched as they are, without a copy.
        let telling_names: std::borrow::Cow<str> = if self.layout_classes.is_empty() {
            names.as_str().into()
        } else {
            names.split_whitespace().filter(|n| !self.layout_classes.contains(*n)).collect::<Vec<_>>().join(" ").into()
        };
        if !WEAK_BOILERPLATE.is_match(&telling_names) {
            return false;
        }
        // A paragraph or subheading is text whatever it is called, and so is a phrase inside a
        // paragraph's sentences ("<p><span class=dateline>KOBE –</span> A total of…"); a wrapper of
        // most of the page's prose is the layout, not a sidebar; a post or content element with a
        // good deal of text is the article, whatever its tags ("post tag-news", "widget Blog").
        let text_element = matches!(tag, "p" | "h2" | "h3" | "h4" | "h5" | "h6") || self.phrase_in_sentences(node, len);
        let prose_share = len.prose() as f32 / self.page.prose().max(1) as f32;
        let named_content = CONTENT_HINT.is_match(&names) && len.prose() >= CONTENT_NAME_MIN_PROSE;
        !text_element && !named_content && prose_share < WEAK_NAME_MAX_PROSE_SHARE
    }

    /// Whether an element could be the layout around the article: always, unless the page marks its
    /// article elsewhere (a sidebar beside an `<article>` is not the article, however long it is).
    fn may_wrap_the_article(&self, node: &NodeRef<Node>) -> bool {
        self.marked_articles.is_empty()
            || self.around_marked_articles.contains(&node.id())
            || node.ancestors().any(|a| self.marked_articles.contains(&a.id()))
    }

    /// Visible text under an element: all of it, and the part inside links.
    pub(super) fn text_len(&self, node: NodeId) -> TextLen {
        self.text_len.get(&node).copied().unwrap_or_default()
    }

    /// An inline element inside a paragraph that holds much more text than the element.
    fn phrase_in_sentences(&self, node: &NodeRef<Node>, len: TextLen) -> bool {
        let is_inline = node.value().as_element().is_some_and(|e| INLINE_TAGS.contains(&e.name()));
        let paragraph =
            node.ancestors().find(|a| a.value().as_element().is_some_and(|e| !INLINE_TAGS.contains(&e.name())));
        is_inline
            && paragraph.is_some_and(|p| {
                p.value().as_element().is_some_and(|e| e.name() == "p")
                    && self
                        .text_len
                        .get(&p.id())
                        .is_some_and(|p_len| p_len.prose().saturating_sub(len.all) >= PHRASE_MIN_SURROUNDING_CHARS)
            })
    }
}
