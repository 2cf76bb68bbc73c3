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

pub fn extract_text(text: &str) -> TextArticle {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    // Runs of consecutive prose lines and the lists they introduce, as [start, end) over `lines`.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if is_prose(lines[i]) {
            let start = i;
            loop {
                while i < lines.len() && is_prose(lines[i]) {
                    i += 1;
                }
                if !lines[i - 1].ends_with(':') {
                    break;
                }
                let end = list_end(&lines, i);
                if end == i {
                    break;
                }
                i = end;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    // Join runs separated by a single subheading line.
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for run in runs {
        match merged.last_mut() {
            Some(last) if run.0 == last.1 + 1 && is_subheading(lines[last.1]) => last.1 = run.1,
            _ => merged.push(run),
        }
    }
    let size = |&(s, e): &(usize, usize)| lines[s..e].iter().map(|l| l.len()).sum::<usize>();
    let Some(&(start, end)) = merged.iter().max_by_key(|r| size(r)) else {
        return TextArticle { title: None, published: None, paragraphs: Vec::new() };
    };
    let run = &lines[start..end];
    // A standfirst printed above the article and repeated inside it is kept where the article has it.
    let paragraphs: Vec<String> = run
        .iter()
        .enumerate()
        .filter(|(i, line)| !run[i + 1..].contains(line))
        .map(|(_, l)| LIST_MARKER.replace(l, "").into_owned())
        .collect();
    let header = &lines[..start];
    let published = header.iter().find_map(|l| find_date_in_text(l)).map(midnight);
    // The headline: the nearest preceding line that is not a date and has a few words; pages often
    // print it twice (breadcrumb and heading), which is a strong hint.
    let title = header
        .iter()
        .rev()
        .find(|l| l.split_whitespace().count() >= 3 && find_date_in_text(l).is_none())
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
    fn no_prose_means_no_body() {
        assert!(extract_text("Home\nWorld\nSport\n").paragraphs.is_empty());
    }
}
