//! Finding the article body in a parsed page.
//!
//! The page is flattened into text blocks (one per paragraph-level element), skipping elements that
//! are boilerplate by their tag, ARIA role or class/id (navigation, related links, newsletter boxes,
//! share bars, players). Paragraph blocks then vote for their ancestors, as in Arc90's readability:
//! the ancestor that gathers the most prose, discounted by its share of link text, is the article
//! container. Its blocks, minus link lists and stray widgets, are the body.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use ego_tree::{NodeId, NodeRef};
use once_cell::sync::Lazy;
use regex::Regex;
use rustc_hash::{FxHashMap, FxHashSet};
use scraper::{Html, Node};

use super::metadata::is_date_line;

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

/// Elements that start a new block of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "dl",
    "dd",
    "dt",
    "blockquote",
    "pre",
    "table",
    "tr",
    "section",
    "article",
    "main",
    "figure",
    "hr",
    "address",
    "center",
    "body",
];

const SKIPPED_ROLES: &[&str] =
    &["navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "menu", "menubar", "search"];

/// Class/id words that mark boilerplate whatever else the element is called.
pub(super) static STRONG_BOILERPLATE: Lazy<Regex> = Lazy::new(|| {
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

/// Short lines that are site furniture even inside the article container.
static WIDGET_TEXT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^[-–—\s]*(advertisement|ad|sponsored|share( this( article| story)?)?|read more|continue reading|related( articles| stories)?|newsletter|sign up.*|subscribe.*|follow us.*|click here.*|loading\.*|close|advert|anzeige|werbung|publicité|publicidad|pubblicità|\d{1,2}:\d{2}|(?:(?:bild|bilder|fotos?|quellen) (?:anzeigen|schließen|ausblenden|einblenden|vergrößern)\s*)+|(?:(?:show|hide|close|view|enlarge) (?:image|images|photo|photos|sources)\s*)+)[-–—\s]*$").unwrap()
});

/// Headings that open what follows an article: related links, comments, recommendations
/// (`end-of-article.txt`).
static END_OF_ARTICLE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(r"(?i)^(?:{})[.:…!?]*$", patterns(include_str!("end-of-article.txt"))))
        .expect("end-of-article.txt holds valid patterns")
});

/// Levels above an excerpt where its teaser card is looked for, the link text its headline needs,
/// and the text besides excerpt and headline the card may hold (a date, a section's name).
const TEASER_CARD_LEVELS: usize = 4;
const TEASER_HEADLINE_MIN_CHARS: usize = 20;
const TEASER_CARD_EXTRA_CHARS: usize = 100;

/// Blocks shorter than this after a "Related" heading are taken for teasers.
const TEASER_MAX_CHARS: usize = 250;

/// A paragraph of running text: sentences, few links. Teasers are headlines and links, so text like
/// this after a "Read also" box means the article goes on.
fn reads_as_prose(block: &Block) -> bool {
    block.chars() >= 100 && reads_as_sentences(block)
}

/// Words ending like a sentence (or one that introduces a list), with few links: text, not a byline,
/// a date, a tool or a teaser.
fn reads_as_sentences(block: &Block) -> bool {
    block.link_density() < 0.2
        && block.text.split_whitespace().count() >= 6
        && block.text.trim_end().ends_with(['.', '!', '?', '…', '"', '”', '»', '“', ':'])
}

/// The site addressing its readers, wherever it stands in the article (`site-talk.txt`).
static SITE_TALK: Lazy<Regex> = Lazy::new(|| {
    // Word edges as characters rather than `\b` assertions, which the fast regex engines cannot
    // evaluate on text beyond ASCII.
    Regex::new(&format!(r"(?i)(?:^|\W)(?:{})(?:\W|$)", patterns(include_str!("site-talk.txt"))))
        .expect("site-talk.txt holds valid patterns")
});

/// A pattern file's entries (one regular expression each) as one alternation.
fn patterns(file: &'static str) -> String {
    crate::data_file::entries(file).collect::<Vec<_>>().join("|")
}

/// A short call to subscribe, follow, share or get in touch: the site talking, not the article. Text
/// that quotes someone is reported speech, whatever words it uses.
fn is_site_talk(text: &str) -> bool {
    text.chars().count() < TEASER_MAX_CHARS
        && !text.contains(['"', '“', '”', '„', '«', '»'])
        && SITE_TALK.is_match(text)
}

/// A picture's credit or caption line (`picture-credits.txt`).
static PICTURE_CREDIT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(r"(?i)^[(\[]?\s*(?:{})\s*[:/]", patterns(include_str!("picture-credits.txt"))))
        .expect("picture-credits.txt holds valid patterns")
});

/// A caption ending with the picture's copyright ("… © AFP / Jane Roe").
static CREDIT_AT_END: Lazy<Regex> = Lazy::new(|| Regex::new(r"©\s*[^.!?:©\d][^.!?:©]{1,60}$").unwrap());

fn is_picture_credit(text: &str) -> bool {
    let chars = text.chars().count();
    (chars < 150 && PICTURE_CREDIT.is_match(text))
        || (chars < 250 && text.contains('©') && CREDIT_AT_END.is_match(text.trim_end()))
}

/// A line filing the article under categories or tags (`filed-under.txt`).
static FILED_UNDER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(r"(?i)^(?:{})\s*:?\s+\S", patterns(include_str!("filed-under.txt"))))
        .expect("filed-under.txt holds valid patterns")
});

/// A sentence that happens to start like one ("Posted in 2019, the video…") ends like a sentence.
fn is_filing_line(text: &str) -> bool {
    text.chars().count() < 150 && FILED_UNDER.is_match(text) && !text.trim_end().ends_with(['.', '!', '?'])
}

/// A line giving the article's date and its author side by side ("24. März 2004, 19:49 | Jane Roe",
/// "Jane Roe · June 3, 2024"): the page's metadata printed, not its text.
fn is_dated_byline(text: &str) -> bool {
    if !text.contains(['|', '·', '•']) {
        return false;
    }
    let parts: Vec<&str> = text.split(['|', '·', '•']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let is_name = |part: &str| {
        let words: Vec<&str> =
            part.split_whitespace().skip_while(|w| BYLINE_WORDS.contains(&w.to_lowercase().as_str())).collect();
        (1..=4).contains(&words.len()) && words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase))
    };
    text.chars().count() <= 100
        && parts.len() >= 2
        && parts.iter().any(|p| is_date_line(p))
        && parts.iter().all(|p| is_date_line(p) || is_name(p))
}

/// Words that introduce an author's name.
const BYLINE_WORDS: &[&str] = &["by", "von", "par", "por", "di", "da"];

/// A byline line printed inside the article ("By Jane Roe, Ottawa – December 3, 2024").
static BYLINE_TEXT: Lazy<Regex> = Lazy::new(|| Regex::new(r"^(?:By|Par|Von|Por)\s+\p{Lu}.{0,100}$").unwrap());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockKind {
    Heading,
    Text,
    ListItem,
    /// A table row, its cells separated by spaces.
    Row,
}

#[derive(Debug)]
struct Block {
    /// The element whose text this is.
    node: NodeId,
    kind: BlockKind,
    text: String,
    chars: usize,
    link_chars: usize,
    /// The text as [`normalize`] writes it, made on first use: several rules compare it.
    normalized: OnceCell<String>,
}

impl Block {
    fn new(node: NodeId, kind: BlockKind, text: &str, link_chars: usize) -> Self {
        let chars = text.chars().count();
        Block { node, kind, text: text.to_string(), chars, link_chars, normalized: OnceCell::new() }
    }

    fn chars(&self) -> usize {
        self.chars
    }

    fn normalized(&self) -> &str {
        self.normalized.get_or_init(|| normalize(&self.text))
    }

    fn link_density(&self) -> f32 {
        self.link_chars as f32 / self.chars().max(1) as f32
    }
}

/// Decides which elements the block collector leaves out.
struct Skipper {
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
struct TextLen {
    all: usize,
    in_links: usize,
}

impl TextLen {
    fn prose(self) -> usize {
        self.all.saturating_sub(self.in_links)
    }
}

/// Share of the page's text above which class names are not trusted, in the first pass and in the
/// retry for pages where the first pass found (almost) nothing.
const STRICT_SHARE: f32 = 0.5;
const LENIENT_SHARE: f32 = 0.15;

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
    fn new(html: &Html, max_share: f32) -> Self {
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
        let mut class_counts: HashMap<&str, usize> = HashMap::new();
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

    fn with_share(self, max_share: f32) -> Self {
        Skipper { max_share, ..self }
    }

    fn skips(&self, node: &NodeRef<Node>) -> bool {
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

    /// A short text that, with a headline linking elsewhere and little else, makes up a card built
    /// like its neighbours: the excerpt of a teaser in a list of them.
    fn is_teaser_excerpt(&self, html: &Html, block: &Block) -> bool {
        let Some(node) = html.tree.get(block.node) else { return false };
        let own = self.text_len.get(&block.node).copied().unwrap_or_default();
        if block.chars() >= TEASER_MAX_CHARS || block.link_density() > 0.2 {
            return false;
        }
        let Some(card) = node.ancestors().take(TEASER_CARD_LEVELS).find(|card| {
            let len = self.text_len.get(&card.id()).copied().unwrap_or_default();
            len.in_links >= TEASER_HEADLINE_MIN_CHARS && len.prose() <= own.prose() + TEASER_CARD_EXTRA_CHARS
        }) else {
            return false;
        };
        let card_len = self.text_len.get(&card.id()).map_or(0, |l| l.all);
        std::iter::once(card).chain(card.ancestors()).take(TEASER_CARD_LEVELS).any(|unit| {
            let Some(el) = unit.value().as_element() else { return false };
            self.text_len.get(&unit.id()).is_some_and(|l| l.all <= 2 * card_len)
                && unit.next_siblings().chain(unit.prev_siblings()).any(|sibling| {
                    sibling
                        .value()
                        .as_element()
                        .is_some_and(|s| s.name() == el.name() && s.attr("class") == el.attr("class"))
                        && self.text_len.get(&sibling.id()).is_some_and(|l| l.in_links >= TEASER_HEADLINE_MIN_CHARS)
                })
        })
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

fn block_kind(tag: &str) -> BlockKind {
    match tag {
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => BlockKind::Heading,
        "li" | "dd" | "dt" => BlockKind::ListItem,
        "tr" => BlockKind::Row,
        _ => BlockKind::Text,
    }
}

const INVISIBLE: [char; 4] = ['\u{ad}', '\u{200b}', '\u{2060}', '\u{feff}'];

/// Accumulates inline text until the next block boundary.
struct BlockBuilder {
    blocks: Vec<Block>,
    text: String,
    link_chars: usize,
}

impl BlockBuilder {
    fn push_text(&mut self, s: &str, in_link: bool) {
        // Soft hyphens and zero-width spaces are invisible break hints, not text.
        let visible: String;
        let s = if s.contains(INVISIBLE) {
            visible = s.replace(INVISIBLE, "");
            visible.as_str()
        } else {
            s
        };
        // Text nodes split by inline elements join as written: "<a>knapp?</a>"." stays `knapp?".`.
        if s.starts_with(char::is_whitespace) {
            self.word_break();
        }
        for (i, word) in s.split_whitespace().enumerate() {
            if i > 0 {
                self.text.push(' ');
            }
            self.text.push_str(word);
            if in_link {
                self.link_chars += word.chars().count() + 1;
            }
        }
        // Keep the space between inline elements ("<b>A</b> <i>B</i>").
        if s.ends_with(char::is_whitespace) && !self.text.is_empty() && !self.text.ends_with([' ', '\n']) {
            self.text.push(' ');
        }
    }

    fn word_break(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with([' ', '\n']) {
            self.text.push(' ');
        }
    }

    fn line_break(&mut self) {
        let trimmed = self.text.trim_end_matches(' ').len();
        self.text.truncate(trimmed);
        if !self.text.is_empty() {
            self.text.push('\n');
        }
    }

    /// Ends the current block; `<br>`-separated lines become blocks of their own.
    fn flush(&mut self, owner: NodeId, kind: BlockKind) {
        let text = std::mem::take(&mut self.text);
        let total: usize = text.chars().count().max(1);
        let link_chars = std::mem::take(&mut self.link_chars).min(total);
        for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
            // Spread link text over the lines in proportion to their length.
            let share = line.chars().count() * link_chars / total;
            self.blocks.push(Block::new(owner, kind, line, share));
        }
    }
}

fn collect_blocks(html: &Html, skipper: &Skipper) -> Vec<Block> {
    let mut builder = BlockBuilder { blocks: Vec::new(), text: String::new(), link_chars: 0 };
    // Stack of open block elements: the innermost one owns the text being read.
    let mut owners: Vec<(NodeId, BlockKind)> = vec![(html.tree.root().id(), BlockKind::Text)];
    let mut skipping: Option<NodeId> = None;
    let mut link_depth = 0usize;
    for edge in html.tree.root().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => builder.push_text(t, link_depth > 0),
                    Node::Element(el) => {
                        if skipper.skips(&node) {
                            if tracing::enabled!(tracing::Level::TRACE) {
                                let text: String = node
                                    .descendants()
                                    .filter_map(|d| d.value().as_text().map(|t| t.to_string()))
                                    .collect::<Vec<_>>()
                                    .join(" ");
                                tracing::trace!(element = %describe(node), %text, "dropped: boilerplate element");
                            }
                            skipping = Some(node.id());
                            continue;
                        }
                        let tag = el.name();
                        if tag == "br" {
                            builder.line_break();
                        } else if matches!(tag, "td" | "th") {
                            builder.word_break();
                        } else if tag == "a" {
                            link_depth += 1;
                        } else if BLOCK_TAGS.contains(&tag) {
                            let (owner, kind) = *owners.last().expect("root stays on the stack");
                            builder.flush(owner, kind);
                            owners.push((node.id(), block_kind(tag)));
                        }
                    }
                    _ => {}
                }
            }
            ego_tree::iter::Edge::Close(node) => {
                if let Some(skipped) = skipping {
                    if skipped == node.id() {
                        skipping = None;
                    }
                    continue;
                }
                let Some(el) = node.value().as_element() else { continue };
                if el.name() == "a" {
                    link_depth = link_depth.saturating_sub(1);
                } else if owners.last().is_some_and(|(id, _)| *id == node.id()) {
                    let (owner, kind) = owners.pop().expect("checked above");
                    builder.flush(owner, kind);
                }
            }
        }
    }
    let (owner, kind) = owners[0];
    builder.flush(owner, kind);
    builder.blocks
}

/// How far up the tree a paragraph's vote reaches, and with what weight.
const VOTE_LEVELS: usize = 3;

/// How many of the best-voted elements are considered as the article's container.
const CANDIDATES: usize = 5;

/// How far up a paragraph's text is counted as prose of its ancestors.
const PROSE_LEVELS: usize = 40;

/// How many levels above the chosen container the rest of an article is looked for.
const CLIMB_LEVELS: usize = 6;

/// A parent replaces the chosen container when it holds at least this much more prose, and at least
/// `CLIMB_MIN_EXTRA_SHARE` of the container's: a long article gains little from a few more lines
/// of its parent, which are more likely a sidebar's than its own.
const CLIMB_MIN_EXTRA_PROSE: usize = 250;
const CLIMB_MIN_EXTRA_SHARE: f32 = 0.5;

/// Above this share of link text, a parent is a list of links around the container, not its article.
const CLIMB_MAX_LINK_DENSITY: f32 = 0.35;

/// Elements that hold a part of an article: chosen as its container, their parent is.
const PART_TAGS: &[&str] = &["ol", "ul", "dl", "li", "table", "tbody", "blockquote", "figure"];

/// Candidate containers need at least this much prose before a page counts as having an article.
const MIN_ARTICLE_CHARS: usize = 80;

/// A strict pass that yields less prose than this is retried leniently.
const RETRY_BELOW_CHARS: usize = 500;

/// What the page's metadata says of its article, which helps tell its headline and lead apart from
/// the rest of the page.
#[derive(Clone, Copy, Default)]
pub struct Announced<'a> {
    pub title: Option<&'a str>,
    /// The page's own summaries of the article (its descriptions).
    pub summaries: &'a [String],
    /// Who the page says wrote it.
    pub byline: Option<&'a str>,
}

/// The article's paragraphs in reading order; empty when the page carries no article.
pub fn extract_paragraphs(html: &Html, announced: Announced) -> Vec<String> {
    let paragraphs = paragraphs_of_page(html, announced);
    if !paragraphs.is_empty() {
        return paragraphs;
    }
    // Pages that build the article with scripts may carry it, for readers without them, as markup
    // inside <noscript> (which a parser with scripting on reads as plain text).
    let Some(markup) = largest_noscript(html) else { return paragraphs };
    tracing::debug!(chars = markup.len(), "no article in the page: reading its <noscript> markup");
    paragraphs_of_page(&Html::parse_document(&markup), announced)
}

/// The markup in the page's longest `<noscript>`, when it holds more than a tracking pixel.
fn largest_noscript(html: &Html) -> Option<String> {
    html.tree
        .root()
        .descendants()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "noscript"))
        .map(|n| n.children().filter_map(|c| c.value().as_text().map(|t| t.to_string())).collect::<String>())
        .max_by_key(String::len)
        .filter(|markup| markup.len() >= RETRY_BELOW_CHARS)
}

fn paragraphs_of_page(html: &Html, announced: Announced) -> Vec<String> {
    let skipper = Skipper::new(html, STRICT_SHARE);
    let strict = paragraphs_in_pass(html, announced, &skipper);
    if prose_chars(&strict) >= RETRY_BELOW_CHARS {
        return into_texts(strict);
    }
    let lenient = paragraphs_in_pass(html, announced, &skipper.with_share(LENIENT_SHARE));
    // Only a much larger lenient result means the strict pass threw the article away.
    into_texts(if prose_chars(&lenient) > 2 * prose_chars(&strict) { lenient } else { strict })
}

fn prose_chars(paragraphs: &[(BlockKind, String)]) -> usize {
    paragraphs.iter().filter(|(k, _)| *k != BlockKind::Heading).map(|(_, t)| t.len()).sum()
}

fn into_texts(paragraphs: Vec<(BlockKind, String)>) -> Vec<String> {
    if prose_chars(&paragraphs) < MIN_ARTICLE_CHARS {
        tracing::debug!(chars = prose_chars(&paragraphs), "too little prose for an article: no body");
        return Vec::new();
    }
    paragraphs.into_iter().map(|(_, t)| nfc(t)).collect()
}

/// Text in Unicode's composed form, so that the same word is the same string whichever way the page
/// encoded it.
fn nfc(text: String) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if is_nfc_quick(text.chars()) == IsNormalized::Yes { text } else { text.nfc().collect() }
}

fn paragraphs_in_pass(html: &Html, announced: Announced, skipper: &Skipper) -> Vec<(BlockKind, String)> {
    let blocks = collect_blocks(html, skipper);
    let Some(containers) = choose_containers(html, &blocks, skipper) else { return Vec::new() };

    let inside = |node: NodeId| -> bool {
        html.tree
            .get(node)
            .is_some_and(|n| containers.contains(&n.id()) || n.ancestors().any(|a| containers.contains(&a.id())))
    };
    let normalized_title = announced.title.map(normalize);
    let summaries: Vec<String> = announced.summaries.iter().map(|s| normalize(s)).collect();
    let is_summary = |block: &Block| shown_summary(block, &summaries);
    let is_headline = |block: &Block| {
        html.tree.get(block.node).and_then(|n| n.value().as_element().map(|e| e.name() == "h1")).unwrap_or(false)
            || normalized_title.as_deref() == Some(block.normalized())
    };
    let pictures = PictureTexts::of(html, blocks.iter().filter(|b| inside(b.node)));
    let lead = lead_before_container(html, &blocks, containers[0], |b| inside(b.node), is_headline, is_summary);
    // Blocks of links are kept apart: they are the article only when it has no other text (a post
    // that is a list of links).
    let mut paragraphs: Vec<(BlockKind, String, bool)> = Vec::new();
    let mut in_teasers = false;
    for (i, block) in blocks.iter().enumerate() {
        if !inside(block.node) && !lead.contains(&i) {
            tracing::trace!(text = %block.text, "dropped: outside the article container");
            continue;
        }
        let chars = block.chars();
        // After a "Related"/"Read more" heading, short blocks are teasers until real prose resumes.
        // (A heading, not a link: "Don't miss: <a>…</a>" boxes inside the article are links.)
        if chars <= 60 && block.link_density() < 0.5 && END_OF_ARTICLE.is_match(&block.text) {
            tracing::trace!(text = %block.text, "dropped: heading that ends the article");
            in_teasers = true;
            continue;
        }
        if in_teasers && chars < TEASER_MAX_CHARS && !reads_as_prose(block) {
            tracing::trace!(text = %block.text, "dropped: teaser after the article's end");
            continue;
        }
        in_teasers = false;
        if WIDGET_TEXT.is_match(&block.text)
            || BYLINE_TEXT.is_match(&block.text)
            || is_dated_byline(&block.text)
            || is_site_talk(&block.text)
            || is_date_line(&block.text)
            || is_picture_credit(&block.text)
            || pictures.describe(block)
            || is_filing_line(&block.text)
        {
            tracing::trace!(text = %block.text, "dropped: widget, byline, date line, picture credit or caption, filing line or site talk");
            continue;
        }
        let links = block.link_density() > 0.5 && chars < 300;
        // The headline is metadata, not body; of the rest of a header (subtitle, byline, dates,
        // tools), only a lead paragraph written in sentences is.
        if is_headline(block) {
            continue;
        }
        let lead_paragraph = block.kind != BlockKind::Heading && (reads_as_sentences(block) || is_summary(block));
        if !lead_paragraph && in_header(html, block.node) {
            tracing::trace!(text = %block.text, "dropped: header furniture");
            continue;
        }
        if paragraphs.last().is_some_and(|(_, last, _)| *last == block.text) {
            continue;
        }
        paragraphs.push((block.kind, block.text.clone(), links));
    }
    let text_chars: usize =
        paragraphs.iter().filter(|(k, _, links)| *k != BlockKind::Heading && !links).map(|(_, t, _)| t.len()).sum();
    let mut paragraphs: Vec<(BlockKind, String)> = if text_chars >= MIN_ARTICLE_CHARS {
        // A heading whose section holds only links ("More on this", "Weitere Themen", "Notas
        // relacionadas", in any language) introduces them, and goes with them.
        for i in 0..paragraphs.len() {
            if paragraphs[i].0 != BlockKind::Heading {
                continue;
            }
            let mut section = paragraphs[i + 1..].iter().take_while(|(k, _, _)| *k != BlockKind::Heading).peekable();
            if section.peek().is_some() && section.all(|(_, _, links)| *links) {
                paragraphs[i].2 = true;
            }
        }
        paragraphs
            .into_iter()
            .filter(|(_, text, links)| {
                if *links {
                    tracing::trace!(%text, "dropped: links");
                }
                !links
            })
            .map(|(kind, text, _)| (kind, text))
            .collect()
    } else {
        paragraphs.into_iter().map(|(kind, text, _)| (kind, text)).collect()
    };
    // The article's tail: a heading with nothing after it introduces something outside the article
    // ("More news").
    while paragraphs.last().is_some_and(|(kind, _)| *kind == BlockKind::Heading) {
        let (_, text) = paragraphs.pop().expect("checked by the loop");
        tracing::trace!(%text, "dropped: heading at the article's end");
    }
    // Teasers of other articles that close the container: a headline link with a short excerpt.
    let teasers: Vec<&str> = blocks
        .iter()
        .filter(|b| inside(b.node) && skipper.is_teaser_excerpt(html, b))
        .map(|b| b.text.as_str())
        .collect();
    let run = paragraphs
        .iter()
        .rev()
        .take_while(|(kind, text)| *kind == BlockKind::Heading || teasers.contains(&text.as_str()))
        .count();
    let start = paragraphs.len() - run;
    // A short post on a page that lists others looks like them; it stays when it is most of the text.
    if prose_chars(&paragraphs[..start]) >= prose_chars(&paragraphs[start..]) {
        for (_, text) in paragraphs.drain(start..) {
            tracing::trace!(%text, "dropped: teaser at the article's end");
        }
    }
    if let Some(bio) = author_biography(&paragraphs, announced.byline) {
        for (_, text) in paragraphs.drain(bio..) {
            tracing::trace!(%text, "dropped: the author's biography");
        }
    }
    paragraphs
}

/// Paragraphs at the article's end among which its author's biography is looked for.
const BIOGRAPHY_TAIL: usize = 3;

/// A paragraph this short can be an author's biography.
const BIOGRAPHY_MAX_CHARS: usize = 600;

/// A name followed by the verb that opens a biography ("Jane is a reporter…", "Max ist Redakteur…").
static BIOGRAPHY_VERB: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^\s(?:is|was|has|writes|covers|joined|lives|ist|war|hat|schreibt|lebt|est|a|vit|es|vive|è)\s").unwrap()
});

/// Where the biography of the article's author starts, when one of the last paragraphs opens with
/// an author's name, or first name, and the verb of a biography: it is the site's box about them.
fn author_biography(paragraphs: &[(BlockKind, String)], byline: Option<&str>) -> Option<usize> {
    let byline = byline?;
    let names: Vec<&str> = byline
        .split([',', '&', ';'])
        .flat_map(|part| part.split(" and ").flat_map(|p| p.split(" und ")))
        .map(str::trim)
        .filter(|name| name.split_whitespace().count() >= 2)
        .collect();
    let opens_with_name = |text: &str| {
        names.iter().any(|name| {
            let first = name.split_whitespace().next().unwrap_or(name);
            [*name, first].iter().any(|n| {
                n.chars().count() >= 3 && text.strip_prefix(n).is_some_and(|rest| BIOGRAPHY_VERB.is_match(rest))
            })
        })
    };
    let start = paragraphs.len().saturating_sub(BIOGRAPHY_TAIL);
    (start..paragraphs.len()).find(|&i| {
        let (kind, text) = &paragraphs[i];
        *kind == BlockKind::Text && text.chars().count() <= BIOGRAPHY_MAX_CHARS && opens_with_name(text)
    })
}

/// What the page's images say of themselves (`alt`, `title`), normalized: a block repeating it is
/// the image's caption, wherever the layout puts it.
struct PictureTexts(Vec<String>);

/// Shorter image texts ("photo", "logo") say too little to recognise a caption by.
const PICTURE_TEXT_MIN_CHARS: usize = 20;

/// Above this share of the article's blocks, text that repeats the images' is the text they
/// illustrate (a recipe's steps), not captions.
const CAPTIONS_MAX_SHARE: f32 = 0.25;

impl PictureTexts {
    fn of<'b>(html: &Html, article: impl Iterator<Item = &'b Block>) -> Self {
        let mut texts: Vec<String> = html
            .tree
            .root()
            .descendants()
            .filter_map(|n| n.value().as_element().filter(|e| e.name() == "img"))
            .flat_map(|img| [img.attr("alt"), img.attr("title")])
            .flatten()
            .map(normalize)
            .filter(|t| t.len() >= PICTURE_TEXT_MIN_CHARS)
            .collect();
        texts.sort();
        texts.dedup();
        let pictures = PictureTexts(texts);
        let (mut blocks, mut described) = (0usize, 0usize);
        for block in article {
            blocks += 1;
            described += usize::from(pictures.describe(block));
        }
        if described as f32 > CAPTIONS_MAX_SHARE * blocks as f32 { PictureTexts(Vec::new()) } else { pictures }
    }

    /// Whether most of the text is an image's own description.
    fn describe(&self, block: &Block) -> bool {
        if self.0.is_empty() {
            return false;
        }
        let text = block.normalized();
        self.0.iter().any(|t| t.len() * 10 >= text.len() * 6 && text.contains(t.as_str()))
    }
}

fn in_header(html: &Html, node: NodeId) -> bool {
    html.tree.get(node).is_some_and(|n| {
        std::iter::once(n).chain(n.ancestors()).any(|a| a.value().as_element().is_some_and(|e| e.name() == "header"))
    })
}

/// How many blocks of text before the article's container the headline is looked for (blocks of
/// links, such as a "most read" list beside the headline, are not counted).
const LEAD_SEARCH_BLOCKS: usize = 8;

/// A page's summary can be cut short ("…"); this much of it shown as a block makes that block the
/// lead.
const SUMMARY_MIN_CHARS: usize = 40;

/// Words a line needs to be a lead (a deck under the headline, a summary shown before the body)
/// rather than a subtitle, which belongs to the headline.
const LEAD_MIN_WORDS: usize = 12;

/// Whether a block shows one of the page's summaries (both normalized): the same text, or one the
/// start of the other, either at least `SUMMARY_MIN_CHARS` long.
fn shown_summary(block: &Block, summaries: &[String]) -> bool {
    if summaries.is_empty() || block.text.split_whitespace().count() < LEAD_MIN_WORDS {
        return false;
    }
    let shorter = |a: &str, b: &str| a.len().min(b.len());
    let block = block.normalized();
    block.len() >= SUMMARY_MIN_CHARS
        && summaries
            .iter()
            .any(|s| shorter(s, block) >= SUMMARY_MIN_CHARS && (s.starts_with(block) || block.starts_with(s.as_str())))
}

/// How many levels above the article's container the lead and the container meet at most.
const LEAD_MAX_LEVELS: usize = 8;

/// The lead (standfirst, "chapô", "bajada") that layouts put between the headline and the body's
/// container, next to it: the blocks between the two that read as sentences, by their index in
/// `blocks`.
fn lead_before_container(
    html: &Html,
    blocks: &[Block],
    container: NodeId,
    inside: impl Fn(&Block) -> bool,
    is_headline: impl Fn(&Block) -> bool,
    is_summary: impl Fn(&Block) -> bool,
) -> Vec<usize> {
    let Some(first) = blocks.iter().position(&inside) else { return Vec::new() };
    let Some(container) = html.tree.get(container) else { return Vec::new() };
    let near: Vec<NodeId> = container.ancestors().take(LEAD_MAX_LEVELS).map(|a| a.id()).collect();
    let is_near = |b: &Block| html.tree.get(b.node).is_some_and(|n| n.ancestors().any(|a| near.contains(&a.id())));
    // Text after the headline that reads as sentences is the lead; so is the page's own summary
    // shown before the body, however far from the headline.
    let candidates = || (0..first).rev().filter(|&i| blocks[i].link_density() <= 0.5).take(LEAD_SEARCH_BLOCKS);
    // A page whose <h1> is its logo titles the story with a lesser heading.
    let headline = candidates()
        .find(|&i| is_headline(&blocks[i]))
        .or_else(|| candidates().find(|&i| blocks[i].kind == BlockKind::Heading));
    // The line right under the headline is its deck when it is as long as a sentence, whether or not
    // it ends like one.
    let deck = headline.map(|h| h + 1).filter(|&i| {
        i < first && blocks[i].link_density() < 0.2 && blocks[i].text.split_whitespace().count() >= LEAD_MIN_WORDS
    });
    (0..first)
        .filter(|&i| {
            let after_headline = headline.is_some_and(|h| i > h) && reads_as_sentences(&blocks[i]);
            (after_headline || deck == Some(i) || is_summary(&blocks[i])) && is_near(&blocks[i])
        })
        .collect()
}

fn normalize(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Picks the element holding the article (plus sibling elements that continue it), or `None` for
/// pages without one such as section fronts.
fn choose_containers(html: &Html, blocks: &[Block], skipper: &Skipper) -> Option<Vec<NodeId>> {
    let mut scores: FxHashMap<NodeId, f32> = FxHashMap::default();
    for block in blocks {
        let chars = block.chars();
        if chars < 25 || block.kind == BlockKind::Heading || block.link_density() > 0.5 {
            continue;
        }
        let commas = block.text.matches([',', '，', '、']).count() as f32;
        let vote = 1.0 + commas + (chars as f32 / 100.0).min(3.0);
        let Some(node) = html.tree.get(block.node) else { continue };
        // Text directly inside a container element votes for that element first.
        let start = if node.value().as_element().is_some_and(|e| e.name() == "p") { node.parent() } else { Some(node) };
        for (level, ancestor) in
            start.into_iter().flat_map(|s| std::iter::once(s).chain(s.ancestors())).take(VOTE_LEVELS).enumerate()
        {
            let weight = if level == 0 { 1.0 } else { 1.0 / (level as f32 * 2.0) };
            *scores.entry(ancestor.id()).or_default() += vote * weight;
        }
    }
    // Link-heavy containers are lists of links, not articles.
    let mut ranked: Vec<(NodeId, f32)> = scores.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    ranked.truncate(CANDIDATES);
    for (id, score) in &mut ranked {
        *score *= 1.0 - link_density_under(html, blocks, *id);
    }
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    // A listing of teasers (a "more stories" slider, a section front) can gather more votes than an
    // article spread over many sections: the best candidate that neither is nor holds a listing wins.
    let mut listings: Vec<NodeId> = Vec::new();
    let mut best_node = None;
    for &(id, _) in &ranked {
        let Some(node) = html.tree.get(id) else { continue };
        let overlaps = |l: &NodeId| node.ancestors().any(|a| a.id() == *l) || node.descendants().any(|d| d.id() == *l);
        if listings.iter().any(overlaps) {
            continue;
        }
        tracing::debug!(container = %describe(node), "article container by paragraph votes");
        if is_listing(html, blocks, node) {
            tracing::debug!("the container is a listing of teasers");
            listings.push(id);
            continue;
        }
        best_node = Some(node);
        break;
    }
    let best_node = best_node?;
    // Prose (paragraph text with few links) under each element, to follow articles split over
    // several sibling elements (sections between ad slots, "companion columns").
    let mut prose: FxHashMap<NodeId, usize> = FxHashMap::default();
    for block in blocks.iter().filter(|b| b.kind != BlockKind::Heading && b.link_density() < 0.25) {
        let Some(node) = html.tree.get(block.node) else { continue };
        for ancestor in std::iter::once(node).chain(node.ancestors()).take(PROSE_LEVELS) {
            *prose.entry(ancestor.id()).or_default() += block.chars();
        }
    }
    let prose_of = |id: NodeId| prose.get(&id).copied().unwrap_or(0);
    // Climb to an ancestor (a few levels up at most) that adds a substantial amount of prose and is
    // not mostly links: the article's other sections.
    let mut top = best_node;
    // A list, table or quotation is part of an article, never all of it.
    while top.value().as_element().is_some_and(|e| PART_TAGS.contains(&e.name())) {
        let Some(parent) = top.parent().filter(|p| link_density_under(html, blocks, p.id()) <= CLIMB_MAX_LINK_DENSITY)
        else {
            break;
        };
        top = parent;
    }
    'climb: loop {
        for ancestor in top.ancestors().take(CLIMB_LEVELS) {
            if ancestor.value().as_element().is_none_or(|e| matches!(e.name(), "body" | "html")) {
                break 'climb;
            }
            let extra = CLIMB_MIN_EXTRA_PROSE.max((CLIMB_MIN_EXTRA_SHARE * prose_of(top.id()) as f32) as usize);
            if prose_of(ancestor.id()) >= prose_of(top.id()) + extra {
                if link_density_under(html, blocks, ancestor.id()) > CLIMB_MAX_LINK_DENSITY {
                    tracing::debug!(ancestor = %describe(ancestor), "not climbing to a link-heavy ancestor");
                    break 'climb;
                }
                top = ancestor;
                continue 'climb;
            }
        }
        break;
    }
    let mut containers = vec![top.id()];
    // Elements built like the container (same tag and class) elsewhere on the page hold the rest of
    // an article that the layout split apart ("StoryBodyCompanionColumn", "post__content").
    if let Some(el) = top.value().as_element().filter(|e| e.attr("class").is_some_and(|c| !c.trim().is_empty())) {
        for other in html.tree.root().descendants().filter(|n| n.id() != top.id()) {
            let Some(other_el) = other.value().as_element() else { continue };
            if other_el.name() == el.name()
                && other_el.attr("class") == el.attr("class")
                && prose_of(other.id()) >= 150
                && !other.ancestors().any(|a| a.id() == top.id())
                && !top.ancestors().any(|a| a.id() == other.id())
            {
                containers.push(other.id());
            }
        }
    }
    if let Some(parent) = top.parent() {
        for sibling in parent.children().filter(|s| s.id() != top.id()) {
            let holds_listing =
                listings.iter().any(|l| sibling.id() == *l || sibling.descendants().any(|d| d.id() == *l));
            if prose_of(sibling.id()) >= 150 && !skipper.skips(&sibling) && !holds_listing {
                containers.push(sibling.id());
            }
        }
    }
    if tracing::enabled!(tracing::Level::DEBUG) {
        let described: Vec<String> = containers.iter().filter_map(|&id| html.tree.get(id)).map(describe).collect();
        tracing::debug!(containers = ?described, "the article's elements");
    }
    Some(containers)
}

/// `tag.class#id`, to say in logs which element was taken for what.
fn describe(node: NodeRef<Node>) -> String {
    let Some(el) = node.value().as_element() else { return "#document".into() };
    let mut out = el.name().to_string();
    if let Some(class) = el.attr("class") {
        out.extend(class.split_whitespace().map(|c| format!(".{c}")));
    }
    if let Some(id) = el.attr("id") {
        out.push_str(&format!("#{id}"));
    }
    out
}

fn link_density_under(html: &Html, blocks: &[Block], container: NodeId) -> f32 {
    let (mut total, mut links) = (0usize, 0usize);
    for block in blocks {
        let under = block.node == container
            || html.tree.get(block.node).is_some_and(|n| n.ancestors().any(|a| a.id() == container));
        if under {
            total += block.chars();
            links += block.link_chars;
        }
    }
    links as f32 / total.max(1) as f32
}

/// A container whose prose sits mostly in several `<article>` teasers, none of which carries most of
/// it, is a listing page (section front, search results), not an article.
fn is_listing(html: &Html, blocks: &[Block], container: NodeRef<Node>) -> bool {
    let articles: Vec<NodeId> = container
        .descendants()
        .filter(|d| d.value().as_element().is_some_and(|e| e.name() == "article"))
        .map(|d| d.id())
        .collect();
    if articles.len() < 3 {
        return false;
    }
    let prose_under = |id: NodeId| -> usize {
        blocks
            .iter()
            .filter(|b| b.kind != BlockKind::Heading && b.link_density() < 0.5)
            .filter(|b| b.node == id || html.tree.get(b.node).is_some_and(|n| n.ancestors().any(|a| a.id() == id)))
            .map(Block::chars)
            .sum()
    };
    let total = prose_under(container.id()).max(1);
    let per_article: Vec<usize> = articles.iter().map(|&a| prose_under(a)).collect();
    let in_articles: usize = per_article.iter().sum();
    let largest = per_article.iter().copied().max().unwrap_or(0);
    // Teasers hold most of the prose and none of them dominates.
    in_articles * 2 >= total && largest * 2 < total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(html: &str) -> Vec<String> {
        extract_paragraphs(&Html::parse_document(html), Announced::default())
    }

    const PROSE: &str = "The ministry said on Tuesday that the measures, which follow months of talks, would take effect immediately and apply to all listed firms.";

    /// A page whose article is a headline and then `inner`.
    fn article_page(inner: &str) -> String {
        format!(r#"<html><body><article><h1>Title</h1>{inner}</article></body></html>"#)
    }

    #[test]
    fn drops_navigation_related_lists_and_newsletters() {
        let page = format!(
            r#"<html><body><nav><a href="/">Home</a><a href="/world">World</a></nav>
            <div class="page"><article><h1>Title</h1><p>{PROSE}</p><p>{PROSE} Second.</p>
            <div class="newsletter-box"><h4>Newsletter</h4><p>Get the best stories in your inbox, every day, for free.</p></div></article>
            <section class="related-articles"><h3>Related Articles</h3><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></section></div>
            <footer>© Site</footer></body></html>"#
        );
        let paragraphs = body(&page);
        assert_eq!(paragraphs, vec![PROSE.to_string(), format!("{PROSE} Second.")]);
    }

    #[test]
    fn headings_that_open_what_follows_end_the_article_in_its_language() {
        for heading in [
            "Schon gelesen?",
            "NOTAS RELACIONADAS",
            "Sur le même sujet",
            "Explore further",
            "Über den Autor",
            "3 Kommentare",
        ] {
            let teaser = r#"<p><a href="/a">Other story one</a> and its short teaser</p>"#;
            let page = article_page(&format!("<p>{PROSE}</p><h3>{heading}</h3>{teaser}"));
            assert_eq!(body(&page), vec![PROSE.to_string()], "{heading}");
        }
    }

    #[test]
    fn picture_credits_and_lines_that_only_date_the_page_are_dropped() {
        for line in [
            "Foto: Kay Nietfeld",
            "(Credit: Jane Roe / Grist)",
            "Crédits photos : Agence",
            "Titelbild: dpa",
            "Aktualisiert: 11.04.2020, 10:27",
            "Last updated: 13 July 2020",
            "opublikowano: 7 kwietnia 2021",
            "19.11.2012",
            "Marco Odermatt, Ski-Star aus der Schweiz. © AFP / Jane Roe",
            "24. März 2004, 19:49 | Genesis",
            "Jane Roe · June 3, 2024",
            "Bild anzeigen Bild schließen",
        ] {
            let page = article_page(&format!("<p>{line}</p><p>{PROSE}</p>"));
            assert_eq!(body(&page), vec![PROSE.to_string()], "{line}");
        }
        // The source of a figure belongs to the text that cites it; a date the article gives, with
        // what happens then, is text.
        for kept in [
            "Quelle: Statistisches Bundesamt, 2020",
            "Termin: 28.02.2020, 18:30 Uhr",
            "Neu ab sofort (gilt auch für das Wake News © Angebot):",
        ] {
            let page = article_page(&format!("<p>{PROSE}</p><p>{kept}</p>"));
            assert_eq!(body(&page), vec![PROSE.to_string(), kept.to_string()]);
        }
    }

    #[test]
    fn an_author_box_marked_as_a_person_is_dropped_and_names_in_the_text_kept() {
        let named = r#"<p>The pastor, <span itemscope itemtype="https://schema.org/Person">Dagmar Posner</span>, opened the sale, which raised far more than the parish had hoped for.</p>"#;
        let author = r#"<div itemprop="author" itemscope itemtype="http://schema.org/Person"><p>Jane Roe has written about wine and food for twenty-five years, as a freelance author for many magazines.</p></div>"#;
        let page = article_page(&format!("<p>{PROSE}</p>{named}{author}"));
        assert_eq!(
            body(&page),
            vec![
                PROSE.to_string(),
                "The pastor, Dagmar Posner, opened the sale, which raised far more than the parish had hoped for."
                    .to_string()
            ]
        );
    }

    #[test]
    fn the_authors_biography_at_the_end_is_dropped_and_their_name_in_the_text_kept() {
        let html = |last: &str| article_page(&format!("<p>{PROSE}</p><p>{PROSE} Second.</p><p>{last}</p>"));
        let by = |html: &str| {
            let announced = Announced { byline: Some("Matthew Humphries, Jane Roe"), ..Announced::default() };
            extract_paragraphs(&Html::parse_document(html), announced)
        };
        for bio in [
            "Matthew is the site's UK-based editor and news reporter.",
            "Jane Roe ist Redakteurin im Ressort Wirtschaft.",
        ] {
            assert_eq!(by(&html(bio)), vec![PROSE.to_string(), format!("{PROSE} Second.")], "{bio}");
        }
        // The same words are text when nobody of that name signed the article, or when the name is
        // someone else's that starts the same.
        let kept = "Matthew is the site's UK-based editor and news reporter.";
        assert_eq!(body(&html(kept)).len(), 3);
        assert_eq!(by(&html("Matthew Perry has said the show would go on.")).len(), 3);
    }

    #[test]
    fn the_site_talking_and_its_filing_lines_are_dropped_in_any_main_language() {
        let ende = "Die Ministerin sagte am Dienstag, die Maßnahmen würden sofort gelten und alle gelisteten Firmen betreffen.";
        for talk in [
            "Abonnieren Sie unseren Newsletter.",
            "Den Artikel mit anderen teilen:",
            "Pour lire la suite, abonnez-vous.",
            "¿Ya sabías que tenemos canal de Telegram? Únete desde tu celular.",
            "Submit a tip or follow us on Twitter.",
            "Wir respektieren deine Privatsphäre.",
            "Kategorie: News, Politik",
            "Veröffentlicht unter Allgemein",
            "- Anzeige -",
            "If you’re seeing this message but you’re already a subscriber, you can log in.",
            "Der Beitrag wurde am Mittwoch, den 27. November 2019 um 15:21 Uhr veröffentlicht.",
            "Klicken Sie auf den unteren Button, um den Inhalt von www.example.org zu laden.",
            "(Noch keine Bewertungen)",
            "Alles über nachhaltige Wanderschuhe findest Du hier.",
            "SUGGESTED CITATION Roe, Jane: Title, Blog, 2020/4/09, https://example.org/title/.",
        ] {
            // At the article's end, or between its paragraphs (a paywall's or a newsletter's box).
            for page in [
                format!(
                    r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p><p>{ende}</p><p>{talk}</p></article></body></html>"#
                ),
                format!(
                    r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p><p>{talk}</p><p>{ende}</p></article></body></html>"#
                ),
            ] {
                assert_eq!(body(&page), vec![PROSE.to_string(), ende.to_string()], "{talk}");
            }
        }
        // A sentence of the article that shares a word with such calls stays, and so does a quotation.
        for kept in [
            "Die Ergebnisse wollen die Forscher im Herbst mit anderen Instituten teilen.",
            "„Kein Abonnement erforderlich“, schrieb der Sender über sein neues Angebot.",
            "Posted in 2019, the video was seen a million times in a week.",
        ] {
            let page =
                format!(r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p><p>{kept}</p></article></body></html>"#);
            assert_eq!(body(&page), vec![PROSE.to_string(), kept.to_string()]);
        }
    }

    #[test]
    fn a_heading_over_links_alone_goes_with_them() {
        let more = r#"<h2>Rund um die Rente</h2><ul><li><a href="/a">Rente mit 63</a></li><li><a href="/b">Riester-Rente</a></li></ul>"#;
        let page = format!(
            r#"<html><body><article><h1>Titel</h1><p>{PROSE}</p>{more}<h2>Was folgt</h2><p>{PROSE} Ende.</p></article></body></html>"#
        );
        assert_eq!(body(&page), vec![PROSE.to_string(), "Was folgt".to_string(), format!("{PROSE} Ende.")]);
    }

    #[test]
    fn keeps_br_lines_lists_quotes_and_subheadings() {
        let page = format!(
            r#"<html><body><div id="story"><p>{PROSE}<br><br>Line two of the same story, written after a break, with more words.</p>
            <h2>What happens next</h2><blockquote>{PROSE}</blockquote><ul><li>First point of the list, stated in full.</li><li>Second point.</li></ul>
            <table><tr><td>Company</td><td>Country</td></tr></table><p>{PROSE} End.</p></div></body></html>"#
        );
        let paragraphs = body(&page);
        assert!(
            paragraphs.contains(&"Line two of the same story, written after a break, with more words.".to_string())
        );
        assert!(paragraphs.contains(&"What happens next".to_string()));
        assert!(paragraphs.contains(&"First point of the list, stated in full.".to_string()));
        assert!(paragraphs.contains(&"Company Country".to_string()));
        assert!(paragraphs.last().unwrap().ends_with("End."));
    }

    #[test]
    fn listing_pages_have_no_body() {
        let teaser = |n: usize| {
            format!(
                r#"<article><h2><a href="/s{n}">Story {n} headline here</a></h2><p>A short teaser, of a story, on the front.</p></article>"#
            )
        };
        let page = format!("<html><body><main>{}</main></body></html>", (0..8).map(teaser).collect::<String>());
        assert!(body(&page).is_empty());
        assert!(body("<html><body><ul><li><a href=/a>A</a></li></ul></body></html>").is_empty());
    }

    #[test]
    fn text_reads_as_a_browser_shows_it() {
        let page = format!(
            r#"<html><body><article><p>{PROSE}</p><p>Mehr dazu in unserem Artikel "<a href="/x">Warum wird das Erdöl knapp?</a>". Die Fri&shy;sche bleibt.</p>
            <p>新しい<ruby>法律<rt>ほうりつ</rt></ruby>ができました。</p></article></body></html>"#
        );
        let paragraphs = body(&page);
        assert!(paragraphs.contains(
            &r#"Mehr dazu in unserem Artikel "Warum wird das Erdöl knapp?". Die Frische bleibt."#.to_string()
        ));
        assert!(paragraphs.contains(&"新しい法律ができました。".to_string()));
        // Decomposed input comes out composed.
        let decomposed = format!("<html><body><article><p>{PROSE} Cafe{}.</p></article></body></html>", '\u{301}');
        assert!(body(&decomposed)[0].ends_with("Caf\u{e9}."));
    }

    #[test]
    fn the_lead_between_headline_and_body_is_kept_and_header_furniture_is_not() {
        let page = format!(
            r#"<html><body><div class="story"><header><h1>Title</h1><h2>A subtitle that is part of the headline</h2>
            <p class="lead">The government announced new measures on Tuesday, aimed at firms that evade the rules.</p>
            <p>Updated 11:21 pm, Tuesday</p><p><a href="/print">Print</a></p></header>
            <div class="body"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
        );
        assert_eq!(
            body(&page),
            vec![
                "The government announced new measures on Tuesday, aimed at firms that evade the rules.".to_string(),
                PROSE.to_string(),
                format!("{PROSE} Second.")
            ]
        );
    }

    #[test]
    fn under_a_logo_in_the_h1_a_lesser_heading_titles_the_story_and_its_lead_is_kept() {
        let lead = "Child labour is not the problem in itself, the association says, but the conditions of the work.";
        let page = format!(
            r#"<html><body><h1><a href="/">Site name</a></h1><div class="content"><h2>Children and work</h2>
            <div class="leader"><p>{lead}</p></div><p><a href="/print">Print</a></p>
            <div class="text"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
        );
        assert_eq!(body(&page), vec![lead.to_string(), PROSE.to_string(), format!("{PROSE} Second.")]);
    }

    #[test]
    fn the_page_summary_shown_before_the_body_is_its_lead_however_far_from_the_headline() {
        let summary = "Penalties for those who refuse to isolate are to rise to a maximum of ten thousand pounds for repeat offenders";
        let most_read: String = (1..=12).map(|n| format!("<li>Story {n}</li>")).collect();
        let page = format!(
            r#"<html><body><div class="story"><h1>Title</h1><ul>{most_read}</ul>
            <div class="standfirst"><p>{summary}</p></div>
            <div class="body"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
        );
        let summaries = [format!("{summary}."), "A short subtitle".to_string()];
        let announced = Announced { title: Some("Title"), summaries: &summaries, ..Announced::default() };
        assert_eq!(
            extract_paragraphs(&Html::parse_document(&page), announced),
            vec![summary.to_string(), PROSE.to_string(), format!("{PROSE} Second.")]
        );
        // Without the summary, the line is neither lead (no sentence) nor next to the headline.
        assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
    }

    #[test]
    fn a_deck_under_the_headline_is_kept_whether_or_not_it_ends_like_a_sentence() {
        let deck = "In the United States activists are calling for a rent freeze in the crisis and warn landlords";
        let page = format!(
            r#"<html><body><div class="story"><h1>Title</h1><h2>{deck}</h2><p class="byline">Jane Roe</p>
            <div class="body"><p>{PROSE}</p><p>{PROSE} Second.</p></div></div></body></html>"#
        );
        assert_eq!(body(&page), vec![deck.to_string(), PROSE.to_string(), format!("{PROSE} Second.")]);
        let subtitle = page.replace(deck, "Activists call for a rent freeze");
        assert_eq!(body(&subtitle), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
    }

    #[test]
    fn text_repeating_an_image_description_is_its_caption_unless_images_illustrate_most_of_it() {
        let alt = "A small round cut-out for the front camera in the display";
        let picture = format!(
            r#"<div class="pic"><img src="/a.jpg" alt="{alt}"><div class="box"><b>Enlarge</b> {alt}.</div></div>"#
        );
        let page = article_page(&format!("<p>{PROSE}</p>{picture}<p>{PROSE} Second.</p>"));
        assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
        // Steps each shown with a picture of themselves are the text.
        let steps: Vec<String> = (1..=3)
            .map(|n| format!("Step {n}: stir the butter, the sugar and the eggs into a smooth dough."))
            .collect();
        let illustrated: String = steps.iter().map(|s| format!(r#"<img src="/s.jpg" alt="{s}"><p>{s}</p>"#)).collect();
        let page = article_page(&format!("<p>{PROSE}</p>{illustrated}"));
        assert_eq!(body(&page), std::iter::once(PROSE.to_string()).chain(steps).collect::<Vec<_>>());
    }

    #[test]
    fn a_class_name_the_page_builder_gives_every_block_marks_nothing() {
        let block = |text: &str| {
            format!(r#"<div class="pb-widget"><div class="pb-widget-container"><p>{text}</p></div></div>"#)
        };
        let texts: Vec<String> = (1..=5).map(|i| format!("{PROSE} Part {i}.")).collect();
        let sidebar =
            r#"<div class="widget"><p>Our shop has new offers every week, with free shipping on all orders.</p></div>"#;
        let page = format!(
            "<html><body><div class=main>{}</div>{sidebar}</body></html>",
            texts.iter().map(|t| block(t)).collect::<String>()
        );
        assert_eq!(body(&page), texts);
    }

    #[test]
    fn a_list_that_outweighs_the_paragraphs_around_it_is_still_part_of_the_article() {
        let items: String = (1..=6).map(|i| format!("<li>{PROSE} Tip {i}, with more words, and more.</li>")).collect();
        let intro = "Here are the tips, in order:";
        let page = format!(
            r#"<html><body><div class="entry"><p>{intro}</p><ol>{items}</ol><p>Good luck!</p></div></body></html>"#
        );
        let paragraphs = body(&page);
        assert_eq!(paragraphs.first().map(String::as_str), Some(intro));
        assert_eq!(paragraphs.last().map(String::as_str), Some("Good luck!"));
        assert_eq!(paragraphs.len(), 8);
    }

    #[test]
    fn teasers_built_alike_that_close_the_article_are_dropped_and_a_short_post_among_them_kept() {
        let card = |i: usize| {
            format!(
                r#"<div class="card"><h3><a href="/story-{i}">Another story of the day, number {i}</a></h3><p>What happened next in story {i}, told in brief.</p></div>"#
            )
        };
        let cards: String = (1..=3).map(card).collect();
        let page = format!(
            r#"<html><body><div class="story"><p>{PROSE}</p><p>{PROSE} Second.</p>{cards}</div></body></html>"#
        );
        assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
        // A blog's front page showing one short post in full, as a card like the others.
        let post = format!(
            r#"<div class="card"><h3><a href="/post">The post of the day, in full here</a></h3><p>{PROSE}</p></div>"#
        );
        let page = format!(r#"<html><body><div class="posts">{post}{}</div></body></html>"#, card(1));
        assert!(body(&page).contains(&PROSE.to_string()));
    }

    #[test]
    fn captions_are_the_article_only_on_a_gallery() {
        let figure = |n: usize| {
            format!(
                r#"<figure><img src="/{n}.jpg"><figcaption class="slide-caption">Look {n}: a long coat, a wide hat and boots, and the costume is ready for the night.</figcaption></figure>"#
            )
        };
        let gallery = article_page(&format!("<p>{PROSE}</p>{}", (1..=6).map(figure).collect::<String>()));
        let paragraphs = body(&gallery);
        assert_eq!(paragraphs.len(), 7);
        assert!(paragraphs[6].starts_with("Look 6: a long coat"));
        // One picture beside an article: its caption is a note, not the text.
        let article = article_page(&format!("<p>{PROSE}</p>{}<p>{PROSE} Second.</p>", figure(1)));
        assert_eq!(body(&article), vec![PROSE.to_string(), format!("{PROSE} Second.")]);
    }

    #[test]
    fn a_long_sidebar_beside_a_marked_article_is_not_the_article() {
        let widget = (1..=8)
            .map(|n| format!("<p>{n}. The party wants more of this, more of that, and all of it, soon.</p>"))
            .collect::<String>();
        let page = format!(
            r#"<html><body><div id="content"><article><h1>Title</h1><p>{PROSE}</p><p>{PROSE} Second.</p><p>{PROSE} Third.</p></article></div><aside class="widget"><div class="textwidget">{widget}</div></aside></body></html>"#
        );
        assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} Second."), format!("{PROSE} Third.")]);
        // Without an `<article>` or `<main>`, an `<aside>` holding most of the text may be the layout.
        let unmarked = page.replace("<article>", "<div>").replace("</article>", "</div>");
        assert!(body(&unmarked).iter().any(|p| p.starts_with("8. The party")));
    }

    #[test]
    fn a_phrase_of_a_paragraph_is_kept_whatever_its_class() {
        let page = article_page(&format!(
            r#"<p><span class="dateline">KOBE – </span>{PROSE}</p><p><span class="byline">By Jane Roe</span></p><p>{PROSE} Second.</p>"#
        ));
        assert_eq!(body(&page), vec![format!("KOBE – {PROSE}"), format!("{PROSE} Second.")]);
    }

    #[test]
    fn a_listing_gives_way_to_the_article_and_scripted_pages_are_read_from_noscript() {
        let teaser = |n: usize| {
            format!(
                r#"<article><h2><a href="/s{n}">Story {n} headline here</a></h2><p>A short teaser, of a story, on the front, with, commas, to, win, votes.</p></article>"#
            )
        };
        let page = format!(
            r#"<html><body><div class="slider">{}</div><section><p>{PROSE}</p><p>{PROSE} One.</p><p>{PROSE} Two.</p></section></body></html>"#,
            (0..8).map(teaser).collect::<String>()
        );
        assert_eq!(body(&page), vec![PROSE.to_string(), format!("{PROSE} One."), format!("{PROSE} Two.")]);
        let scripted = format!(
            r#"<html><body><div id="app"></div><noscript><article><p>{PROSE}</p><p>{PROSE} One.</p><p>{PROSE} Two.</p><p>{PROSE} Three.</p></article></noscript></body></html>"#
        );
        assert_eq!(body(&scripted).len(), 4);
    }
}
