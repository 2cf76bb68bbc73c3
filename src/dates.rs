//! Dates shared by extraction and annotation, as pages write them: ISO 8601 / RFC 3339 in
//! metadata, RFC 2822 in feeds, and English prose such as "Friday, Jul 26, 2024" or "26 July 2024".

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};
use once_cell::sync::Lazy;
use regex::Regex;

/// A publication time in the publisher's own offset, so that its calendar date is the publisher's.
pub type Published = DateTime<FixedOffset>;

/// Parses a date written in metadata or in text, keeping its UTC offset. Dates without a time or an
/// offset are taken at 00:00 UTC.
pub fn parse_date(raw: &str) -> Option<Published> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M:%S%z"] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&d).fixed_offset());
        }
    }
    find_date_in_text(s).map(midnight)
}

pub fn midnight(date: NaiveDate) -> Published {
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight exists")).fixed_offset()
}

/// The last `weekday` on or before `day` ("Tuesday" in an article published on a Thursday).
pub fn weekday_on_or_before(day: NaiveDate, weekday: chrono::Weekday) -> NaiveDate {
    use chrono::Datelike;
    let back = (day.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
    day - chrono::Duration::days(back as i64)
}

pub fn month_number(name: &str) -> Option<u32> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    if lower.len() < 3 {
        return None;
    }
    let idx = MONTHS.iter().position(|m| lower.starts_with(m))?;
    // Reject words that merely start like a month ("marvel", "mayor").
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let ok = lower == MONTHS[idx] || FULL[idx].starts_with(&lower) || (idx == 8 && lower == "sept");
    ok.then_some(idx as u32 + 1)
}

const MONTH_PATTERN: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";

/// Matches full dates in English prose: "July 26, 2024", "26 July 2024", "2024-07-26".
pub static PROSE_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(&format!(
        r"(?-u:\b)(?:(?P<m1>{m})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{m}),?\s+(?P<y2>\d{{4}})|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))(?-u:\b)",
        m = MONTH_PATTERN
    ))
    .unwrap()
});

/// The first full date written anywhere in `text`.
pub fn find_date_in_text(text: &str) -> Option<NaiveDate> {
    PROSE_DATE.captures_iter(text).find_map(|c| {
        let (y, m, d) = if let Some(y) = c.name("y1") {
            (y.as_str().parse().ok()?, month_number(&c["m1"])?, c["d1"].parse().ok()?)
        } else if let Some(y) = c.name("y2") {
            (y.as_str().parse().ok()?, month_number(&c["m2"])?, c["d2"].parse().ok()?)
        } else {
            (c["y3"].parse().ok()?, c["m3"].parse().ok()?, c["d3"].parse().ok()?)
        };
        NaiveDate::from_ymd_opt(y, m, d)
    })
}

/// A date in a URL path such as `/2024/07/26/` or `/2024-07-26-`.
pub fn date_in_url(url: &str) -> Option<Published> {
    static URL_DATE: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:[/-]|$)").unwrap());
    let c = URL_DATE.captures(url)?;
    NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?).map(midnight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(d: Published) -> String {
        d.format("%Y-%m-%d").to_string()
    }

    #[test]
    fn parses_metadata_and_prose_dates() {
        assert_eq!(ymd(parse_date("2024-07-26T14:00:00Z").unwrap()), "2024-07-26");
        assert_eq!(ymd(parse_date("2024-07-26T23:30:00-05:00").unwrap()), "2024-07-26");
        assert_eq!(ymd(parse_date("Fri, 26 Jul 2024 10:00:00 GMT").unwrap()), "2024-07-26");
        assert_eq!(ymd(parse_date("Friday, Jul 26, 2024").unwrap()), "2024-07-26");
        assert_eq!(ymd(parse_date("26 July 2024").unwrap()), "2024-07-26");
        assert_eq!(ymd(parse_date("Sept. 3, 2023").unwrap()), "2023-09-03");
        assert!(parse_date("Marvel 12, 2024").is_none());
        assert!(parse_date("yesterday").is_none());
    }

    #[test]
    fn finds_dates_in_url_paths() {
        assert_eq!(ymd(date_in_url("https://x.com/world/2024/07/26/story.html").unwrap()), "2024-07-26");
        assert!(date_in_url("https://x.com/world/story-123").is_none());
    }
}
