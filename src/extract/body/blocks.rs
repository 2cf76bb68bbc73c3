//! The page flattened into blocks of text, one per paragraph-level element, in reading order.

use std::cell::OnceCell;

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

use super::skip::Skipper;

/// Below this share of link text a block reads as text: a teaser's excerpt, a deck, a sentence.
pub(super) const TEXT_MAX_LINK_DENSITY: f32 = 0.2;

/// Above this share of link text a block is links (a list of them, a headline linking elsewhere).
pub(super) const LINKS_MIN_LINK_DENSITY: f32 = 0.5;

/// Characters a paragraph of prose has at least: shorter text is a headline, a label or a teaser.
const PROSE_MIN_CHARS: usize = 100;

/// Words a sentence has at least: fewer are a byline, a date or a tool's label.
const SENTENCE_MIN_WORDS: usize = 6;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockKind {
    Heading,
    Text,
    ListItem,
    /// A table row, its cells separated by spaces.
    Row,
}

#[derive(Debug)]
pub(super) struct Block {
    /// The element whose text this is.
    pub(super) node: NodeId,
    pub(super) kind: BlockKind,
    pub(super) text: String,
    chars: usize,
    pub(super) link_chars: usize,
    /// The text as [`normalize`] writes it, made on first use: several rules compare it.
    normalized: OnceCell<String>,
}

impl Block {
    fn new(node: NodeId, kind: BlockKind, text: &str, link_chars: usize) -> Self {
        let chars = text.chars().count();
        Block { node, kind, text: text.to_string(), chars, link_chars, normalized: OnceCell::new() }
    }

    pub(super) fn chars(&self) -> usize {
        self.chars
    }

    pub(super) fn normalized(&self) -> &str {
        self.normalized.get_or_init(|| normalize(&self.text))
    }

    pub(super) fn link_density(&self) -> f32 {
        self.link_chars as f32 / self.chars().max(1) as f32
    }

    /// A paragraph of running text: sentences, few links. Teasers are headlines and links, so text
    /// like this after a "Read also" box means the article goes on.
    pub(super) fn reads_as_prose(&self) -> bool {
        self.chars() >= PROSE_MIN_CHARS && self.reads_as_sentences()
    }

    /// Words ending like a sentence (or one that introduces a list), with few links: text, not a
    /// byline, a date, a tool or a teaser.
    pub(super) fn reads_as_sentences(&self) -> bool {
        self.link_density() < TEXT_MAX_LINK_DENSITY
            && self.text.split_whitespace().count() >= SENTENCE_MIN_WORDS
            && self.text.trim_end().ends_with(['.', '!', '?', '…', '"', '”', '»', '“', ':'])
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

/// Soft hyphen, zero-width space, word joiner and byte-order mark: invisible, not text.
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

pub(super) fn collect_blocks(html: &Html, skipper: &Skipper) -> Vec<Block> {
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

/// Letters and digits only, in lower case: text compared whatever its punctuation and spacing.
pub(super) fn normalize(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// `tag.class#id`, to say in logs which element was taken for what.
pub(super) fn describe(node: NodeRef<Node>) -> String {
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
