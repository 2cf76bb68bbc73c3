//! Lines that are site furniture by their words even inside the article's container: widgets,
//! headings that end the article, the site talking to its readers, picture credits, filing lines,
//! bylines and date lines. The word lists are data files beside this one.

use once_cell::sync::Lazy;
use regex::Regex;

use crate::extract::byline;
use crate::extract::metadata::is_date_line;

/// Short lines that are site furniture even inside the article container.
pub(super) static WIDGET_TEXT: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)^[-–—\s]*(advertisement|ad|sponsored|share( this( article| story)?)?|read more|continue reading|related( articles| stories)?|newsletter|sign up.*|subscribe.*|follow us.*|click here.*|loading\.*|close|advert|anzeige|werbung|publicité|publicidad|pubblicità|\d{1,2}:\d{2}|(?:(?:bild|bilder|fotos?|quellen) (?:anzeigen|schließen|ausblenden|einblenden|vergrößern)\s*)+|(?:(?:show|hide|close|view|enlarge) (?:image|images|photo|photos|sources)\s*)+)[-–—\s]*$").unwrap()
});

/// Headings that open what follows an article: related links, comments, recommendations
/// (`end-of-article.txt`).
pub(super) static END_OF_ARTICLE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(r"(?i)^(?:{})[.:…!?]*$", patterns(include_str!("end-of-article.txt"))))
        .expect("end-of-article.txt holds valid patterns")
});

/// Blocks shorter than this after a "Related" heading are taken for teasers.
pub(super) const TEASER_MAX_CHARS: usize = 250;

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

/// Characters of a line that can be a credit or a caption ending with one; of a filing line; of a
/// line giving the date and the author side by side.
const CREDIT_MAX_CHARS: usize = 150;
const CAPTION_WITH_CREDIT_MAX_CHARS: usize = 250;
const FILING_LINE_MAX_CHARS: usize = 150;
const DATED_BYLINE_MAX_CHARS: usize = 100;

/// Words a name in a dated byline has at most.
const DATED_BYLINE_NAME_MAX_WORDS: usize = 4;

fn is_picture_credit(text: &str) -> bool {
    let chars = text.chars().count();
    (chars < CREDIT_MAX_CHARS && PICTURE_CREDIT.is_match(text))
        || (chars < CAPTION_WITH_CREDIT_MAX_CHARS && text.contains('©') && CREDIT_AT_END.is_match(text.trim_end()))
}

/// A line filing the article under categories or tags (`filed-under.txt`).
static FILED_UNDER: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(r"(?i)^(?:{})\s*:?\s+\S", patterns(include_str!("filed-under.txt"))))
        .expect("filed-under.txt holds valid patterns")
});

/// A sentence that happens to start like one ("Posted in 2019, the video…") ends like a sentence.
fn is_filing_line(text: &str) -> bool {
    text.chars().count() < FILING_LINE_MAX_CHARS
        && FILED_UNDER.is_match(text)
        && !text.trim_end().ends_with(['.', '!', '?'])
}

/// A line giving the article's date and its author side by side ("24. März 2004, 19:49 | Jane Roe",
/// "Jane Roe · June 3, 2024"): the page's metadata printed, not its text.
fn is_dated_byline(text: &str) -> bool {
    if !text.contains(['|', '·', '•']) {
        return false;
    }
    let parts: Vec<&str> = text.split(['|', '·', '•']).map(str::trim).filter(|p| !p.is_empty()).collect();
    let is_name = |part: &str| {
        let words: Vec<&str> = part.split_whitespace().skip_while(|w| byline::is_dated_line_cue(w)).collect();
        (1..=DATED_BYLINE_NAME_MAX_WORDS).contains(&words.len())
            && words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase))
    };
    text.chars().count() <= DATED_BYLINE_MAX_CHARS
        && parts.len() >= 2
        && parts.iter().any(|p| is_date_line(p))
        && parts.iter().all(|p| is_date_line(p) || is_name(p))
}

/// A line of the page's furniture by its words alone: a widget's label, a byline, a date line, a
/// picture's credit, a filing line or the site talking.
pub(super) fn is_furniture(text: &str) -> bool {
    WIDGET_TEXT.is_match(text)
        || byline::is_byline_line(text)
        || is_dated_byline(text)
        || is_site_talk(text)
        || is_date_line(text)
        || is_picture_credit(text)
        || is_filing_line(text)
}
