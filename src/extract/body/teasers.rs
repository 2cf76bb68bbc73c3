//! Teasers of other articles inside the article's container: a short excerpt in a card with a
//! headline linking elsewhere, built like the cards beside it.

use scraper::Html;

use super::blocks::{Block, TEXT_MAX_LINK_DENSITY};
use super::furniture::TEASER_MAX_CHARS;
use super::skip::Skipper;

/// Levels above an excerpt where its teaser card is looked for, the link text its headline needs,
/// and the text besides excerpt and headline the card may hold (a date, a section's name).
const TEASER_CARD_LEVELS: usize = 4;
const TEASER_HEADLINE_MIN_CHARS: usize = 20;
const TEASER_CARD_EXTRA_CHARS: usize = 100;

/// The element repeated among its siblings may hold up to this many times the card's text (a
/// wrapper adding a label or a picture's credit) and still be the teaser, not a section of them.
const TEASER_UNIT_MAX_CARD_MULTIPLE: usize = 2;

/// A short text that, with a headline linking elsewhere and little else, makes up a card built
/// like its neighbours: the excerpt of a teaser in a list of them.
pub(super) fn is_teaser_excerpt(html: &Html, skipper: &Skipper, block: &Block) -> bool {
    let Some(node) = html.tree.get(block.node) else { return false };
    let own = skipper.text_len(block.node);
    if block.chars() >= TEASER_MAX_CHARS || block.link_density() > TEXT_MAX_LINK_DENSITY {
        return false;
    }
    let Some(card) = node.ancestors().take(TEASER_CARD_LEVELS).find(|card| {
        let len = skipper.text_len(card.id());
        len.in_links >= TEASER_HEADLINE_MIN_CHARS && len.prose() <= own.prose() + TEASER_CARD_EXTRA_CHARS
    }) else {
        return false;
    };
    let card_len = skipper.text_len(card.id()).all;
    std::iter::once(card).chain(card.ancestors()).take(TEASER_CARD_LEVELS).any(|unit| {
        let Some(el) = unit.value().as_element() else { return false };
        skipper.text_len(unit.id()).all <= TEASER_UNIT_MAX_CARD_MULTIPLE * card_len
            && unit.next_siblings().chain(unit.prev_siblings()).any(|sibling| {
                sibling
                    .value()
                    .as_element()
                    .is_some_and(|s| s.name() == el.name() && s.attr("class") == el.attr("class"))
                    && skipper.text_len(sibling.id()).in_links >= TEASER_HEADLINE_MIN_CHARS
            })
    })
}
