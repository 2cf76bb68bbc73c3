//! The element holding the article: paragraphs vote for their ancestors (as in Arc90's
//! readability), link-heavy candidates and listings of teasers lose, and the winner climbs to the
//! ancestor holding the article's other sections and gathers the elements that continue it.

use ego_tree::{NodeId, NodeRef};
use rustc_hash::FxHashMap;
use scraper::{Html, Node};

use super::blocks::{Block, BlockKind, LINKS_MIN_LINK_DENSITY, describe};
use super::skip::Skipper;

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

/// Blocks shorter than this do not vote: labels, bylines, dates.
const VOTER_MIN_CHARS: usize = 25;

/// A vote is one point, one per comma (sentences of prose have them, lists of links do not) and one
/// per this many characters, up to `VOTE_LENGTH_MAX_POINTS`: length counts, but one huge block does
/// not outvote the article.
const VOTE_CHARS_PER_POINT: f32 = 100.0;
const VOTE_LENGTH_MAX_POINTS: f32 = 3.0;

/// A vote's weight halves, then thirds… per level (1, 1/2, 1/4 at `VOTE_DECAY` 2): the nearest
/// element is most likely the container.
const VOTE_DECAY: f32 = 2.0;

/// Blocks with less link text than this count as prose when following an article's other parts.
const PROSE_MAX_LINK_DENSITY: f32 = 0.25;

/// Prose an element needs to continue the article beside its container (a sibling section, an
/// element built alike elsewhere on the page).
const CONTINUATION_MIN_PROSE: usize = 150;

/// `<article>` teasers a container holds at least to be a listing of them.
const LISTING_MIN_TEASERS: usize = 3;

/// Picks the element holding the article (plus sibling elements that continue it), or `None` for
/// pages without one such as section fronts.
pub(super) fn choose_containers(html: &Html, blocks: &[Block], skipper: &Skipper) -> Option<Vec<NodeId>> {
    let mut scores: FxHashMap<NodeId, f32> = FxHashMap::default();
    for block in blocks {
        let chars = block.chars();
        if chars < VOTER_MIN_CHARS || block.kind == BlockKind::Heading || block.link_density() > LINKS_MIN_LINK_DENSITY
        {
            continue;
        }
        let commas = block.text.matches([',', '，', '、']).count() as f32;
        let vote = 1.0 + commas + (chars as f32 / VOTE_CHARS_PER_POINT).min(VOTE_LENGTH_MAX_POINTS);
        let Some(node) = html.tree.get(block.node) else { continue };
        // Text directly inside a container element votes for that element first.
        let start = if node.value().as_element().is_some_and(|e| e.name() == "p") { node.parent() } else { Some(node) };
        for (level, ancestor) in
            start.into_iter().flat_map(|s| std::iter::once(s).chain(s.ancestors())).take(VOTE_LEVELS).enumerate()
        {
            let weight = if level == 0 { 1.0 } else { 1.0 / (level as f32 * VOTE_DECAY) };
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
    for block in blocks.iter().filter(|b| b.kind != BlockKind::Heading && b.link_density() < PROSE_MAX_LINK_DENSITY) {
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
                && prose_of(other.id()) >= CONTINUATION_MIN_PROSE
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
            if prose_of(sibling.id()) >= CONTINUATION_MIN_PROSE && !skipper.skips(&sibling) && !holds_listing {
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
    if articles.len() < LISTING_MIN_TEASERS {
        return false;
    }
    let prose_under = |id: NodeId| -> usize {
        blocks
            .iter()
            .filter(|b| b.kind != BlockKind::Heading && b.link_density() < LINKS_MIN_LINK_DENSITY)
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
