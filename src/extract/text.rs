//! Pages given as their visible text (`.txt`): one line per block, as a browser's "select all, copy"
//! gives. The article is the longest run of prose lines; menus, headline lists and widgets are short
//! lines without sentence punctuation.

use crate::dates::{find_date_in_text, midnight};

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

pub fn extract_text(text: &str) -> TextArticle {
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    // Runs of consecutive prose lines, as [start, end) over `lines`.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if is_prose(lines[i]) {
            let start = i;
            while i < lines.len() && is_prose(lines[i]) {
                i += 1;
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
    let paragraphs: Vec<String> =
        run.iter().enumerate().filter(|(i, line)| !run[i + 1..].contains(line)).map(|(_, l)| l.to_string()).collect();
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
    fn no_prose_means_no_body() {
        assert!(extract_text("Home\nWorld\nSport\n").paragraphs.is_empty());
    }
}
