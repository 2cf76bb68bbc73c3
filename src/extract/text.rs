//! Pages given as their visible text (`.txt`): one line per block, as a browser's "select all, copy"
//! gives. The article is the longest run of prose lines; menus, headline lists and widgets are short
//! lines without sentence punctuation. A list that a prose line introduces ("The five individuals
//! are:") is part of the run, however short its items.

use once_cell::sync::Lazy;
use regex::Regex;

use crate::dates::{find_date_in_text, midnight};

/// A list marker opening a line: a bullet, or an item number or letter ("1.", "2)", "(a)").
static LIST_MARKER: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"^(?:[-–—•·▪‣◦●○*]|\(?(?:[0-9]{1,3}|[a-z])[.)])\s+").expect("valid regex"));

/// Unmarked lines after an introducing colon are list items up to this many words.
const MAX_UNMARKED_ITEM_WORDS: usize = 12;

pub struct TextArticle {
    pub title: Option<String>,
    pub published: Option<crate::dates::Published>,
    pub paragraphs: Vec<String>,
}

/// A line of running prose: long enough, or a sentence that ends like one.
fn is_prose(line: &str) -> bool {
    let words = line.split_whitespace().count();
    let ends_sentence = line.trim_end_matches(['"', '\'', '”', '’', ')']).ends_with(['.', '!', '?', ':']);
    (words >= 8 && ends_sentence) || words >= 25
}

/// Short line that may sit between two runs of prose: a subheading inside the article.
fn is_subheading(line: &str) -> bool {
    let words = line.split_whitespace().count();
    (2..=12).contains(&words) && !line.ends_with(['.', ','])
}

/// Where the list introduced by the line before `start` ends: marked items, or short unmarked ones,
/// but not a mix that switches from marked to unmarked (the page's own links after the list).
fn list_end(lines: &[&str], start: usize) -> usize {
    let marked = lines.get(start).is_some_and(|l| LIST_MARKER.is_match(l));
    let is_item = |l: &str| {
        if marked {
            LIST_MARKER.is_match(l)
        } else {
            !is_prose(l) && l.split_whitespace().count() <= MAX_UNMARKED_ITEM_WORDS
        }
    };
    start + lines[start..].iter().take_while(|l| is_item(l)).count()
}

/// Non-list lines that may separate two parts of one article: a subheading, a "Loading" or
/// "Advertisement" line, a few teaser headlines placed inside it.
const MAX_GAP_LINES: usize = 4;

/// A run of prose, or a stretch of them joined over short gaps, long enough to count on its own.
fn is_substantial(lines: &[&str], kept: &[usize]) -> bool {
    kept.len() >= 2 || kept.iter().map(|&i| lines[i].len()).sum::<usize>() >= 200
}

/// Runs of consecutive prose lines and the lists they introduce or are made of, as [start, end)
/// over `lines`.
fn prose_runs(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_prose(lines[i]) {
            i += 1;
            continue;
        }
        let start = i;
        loop {
            while i < lines.len() && is_prose(lines[i]) {
                i += 1;
            }
            // A list goes on after an introducing colon, or after items that were themselves prose.
            let last = lines[i - 1];
            let list_continues = last.ends_with(':') || (LIST_MARKER.is_match(last) && i < lines.len());
            if !list_continues {
                break;
            }
            let end = list_end(lines, i);
            if end == i {
                break;
            }
            i = end;
        }
        runs.push((start, i));
    }
    runs
}

/// The runs joined into stretches of one article each (the indices of the lines kept, in order).
/// Two runs are one article when what separates them is a list, or at most [`MAX_GAP_LINES`] other
/// lines; of a gap, list items are kept, and other lines only when a single subheading or a list's
/// introduction. Several lines of a gap without a list (teasers) join only runs of substance.
fn join_runs(lines: &[&str], runs: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut stretches: Vec<Vec<usize>> = Vec::new();
    for &(start, end) in runs {
        let run: Vec<usize> = (start..end).collect();
        // A stretch always ends with the run before this one.
        let Some(gap_start) = stretches.last().and_then(|s| s.last()).map(|&l| l + 1) else {
            stretches.push(run);
            continue;
        };
        let gap = gap_start..start;
        let marked: Vec<usize> = gap.clone().filter(|&g| LIST_MARKER.is_match(lines[g])).collect();
        let unmarked: Vec<usize> = gap.clone().filter(|g| !marked.contains(g)).collect();
        let last = stretches.last_mut().expect("a run before the gap");
        let joins = unmarked.len() <= MAX_GAP_LINES
            && (!marked.is_empty()
                || unmarked.len() <= 1
                || (is_substantial(lines, last) && is_substantial(lines, &run)));
        if !joins {
            stretches.push(run);
            continue;
        }
        let introduces_list = |g: usize| lines[g].ends_with(':') && marked.iter().any(|&m| m > g);
        let keep_unmarked = |g: usize| introduces_list(g) || (unmarked.len() == 1 && is_subheading(lines[g]));
        last.extend(gap.filter(|g| marked.contains(g) || keep_unmarked(*g)));
        last.extend(run);
    }
    stretches
}

pub fn extract_text(text: &str) -> TextArticle {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let stretches = join_runs(&lines, &prose_runs(&lines));
    let size = |kept: &&Vec<usize>| kept.iter().map(|&i| lines[i].len()).sum::<usize>();
    let Some(kept) = stretches.iter().max_by_key(size) else {
        return TextArticle { title: None, published: None, paragraphs: Vec::new() };
    };
    let run: Vec<&str> = kept.iter().map(|&i| lines[i]).collect();
    // A standfirst printed above the article and repeated inside it is kept where the article has it.
    let paragraphs: Vec<String> = run
        .iter()
        .enumerate()
        .filter(|(i, line)| !run[i + 1..].contains(line))
        .map(|(_, l)| LIST_MARKER.replace(l, "").into_owned())
        .collect();
    let header = &lines[..kept[0]];
    let published = header.iter().find_map(|l| find_date_in_text(l)).map(midnight);
    // The headline: the nearest preceding line that is not a date or a list item and has a few words.
    let title = header
        .iter()
        .rev()
        .find(|l| {
            l.split_whitespace().count() >= 3
                && find_date_in_text(l).is_none()
                && !LIST_MARKER.is_match(l)
                && !l.starts_with("By ")
        })
        .map(|l| l.to_string());
    TextArticle { title, published, paragraphs }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_prose_run_and_drops_menus_and_headline_lists() {
        let page = "Site\nHome\nWorld\n\nMonday, Mar 4, 2024\n\nMinisters Agree New Rules\n\nThe ministers agreed on Monday to a new set of rules for the sector, officials said.\nThe rules take effect next year and apply to all member states, the statement said.\n\nWhat comes next\n\nA review is planned for 2026, when the commission will report on how the rules work.\nNewsletter\nRelated Articles\nOther headline one\nOther headline two goes here\n";
        let a = extract_text(page);
        assert_eq!(a.title.as_deref(), Some("Ministers Agree New Rules"));
        assert_eq!(a.published.unwrap().date_naive().to_string(), "2024-03-04");
        assert_eq!(a.paragraphs.len(), 4);
        assert_eq!(a.paragraphs[2], "What comes next");
        assert!(a.paragraphs.iter().all(|p| !p.contains("Newsletter") && !p.contains("headline")));
    }

    #[test]
    fn keeps_the_list_a_sentence_introduces() {
        let page = "Headline Of The Story Here\n\nThe ministry said on Monday that it had imposed sanctions on these people:\n\n\
                    - Alpha Person, former minister\n- Beta Person\n\nThe measures take effect at once, the ministry said in a statement.\n\n\
                    The five firms are:\nGamma Trading LLC\n\nRelated\n- Other headline one\n";
        let a = extract_text(page);
        assert_eq!(
            a.paragraphs[..4],
            [
                "The ministry said on Monday that it had imposed sanctions on these people:",
                "Alpha Person, former minister",
                "Beta Person",
                "The measures take effect at once, the ministry said in a statement."
            ]
        );
        assert!(a.paragraphs.iter().all(|p| !p.contains("headline")), "{:?}", a.paragraphs);
    }

    #[test]
    fn one_article_across_lists_and_teasers_placed_inside_it() {
        let page = "Ministers Agree New Rules\n\
                    The ministry said on Monday that it had imposed sanctions on three people and two firms.\n\
                    The three people are:\n- Alpha Person\n- Beta Person\n- Gamma Person\n\
                    The measures take effect at once, the ministry said in a statement on its website.\n\
                    Listed entities\n• Delta Trading LLC\n• Epsilon Shipping Co\n\
                    Both firms are registered abroad and own the vessels named in the decision today.\n\
                    Other story headline that runs on for a while\nAnother story headline here\nLoading\n\
                    The ministry added that further listings would follow in the coming weeks and months.\n\
                    It said the listings were agreed with partners in Europe and North America last week.\n";
        let a = extract_text(page);
        assert_eq!(a.title.as_deref(), Some("Ministers Agree New Rules"));
        for kept in ["The three people are:", "Alpha Person", "Gamma Person", "Listed entities", "Delta Trading LLC"] {
            assert!(a.paragraphs.iter().any(|p| p == kept), "{kept} missing: {:?}", a.paragraphs);
        }
        assert!(a.paragraphs.iter().any(|p| p.starts_with("It said the listings")));
        assert!(a.paragraphs.iter().all(|p| !p.contains("headline") && p != "Loading"), "{:?}", a.paragraphs);
    }

    #[test]
    fn a_prose_block_apart_from_the_article_stays_out() {
        let page = "Cookie notice: this site uses cookies to improve your experience of reading it.\n\
                    Home\nWorld\nSport\nBusiness\nCulture\nOpinion\n\
                    The ministry said on Monday that it had imposed sanctions on three people and two firms.\n\
                    The measures take effect at once, the ministry said in a statement on its website.\n";
        let a = extract_text(page);
        assert_eq!(a.paragraphs.len(), 2, "{:?}", a.paragraphs);
    }

    #[test]
    fn no_prose_means_no_body() {
        assert!(extract_text("Home\nWorld\nSport\n").paragraphs.is_empty());
    }
}
