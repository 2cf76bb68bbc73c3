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

/// Month names and abbreviations in the main European languages (lower case), with their number;
/// Polish, Czech, Russian and Ukrainian in the nominative or the genitive that dates use ("7 kwietnia
/// 2021", "19 февраля 2020"), Finnish in the partitive ("19. helmikuuta 2020").
#[rustfmt::skip]
const MONTH_WORDS: &[(&str, u32)] = &[
    ("january", 1), ("januar", 1), ("jänner", 1), ("janvier", 1), ("enero", 1), ("gennaio", 1), ("januari", 1), ("janeiro", 1), ("jan", 1), ("styczeń", 1), ("stycznia", 1), ("tammikuuta", 1), ("ledna", 1), ("ocak", 1), ("января", 1), ("січня", 1), ("ianuarie", 1), ("gener", 1), ("siječnja", 1), ("januára", 1), ("január", 1),
    ("february", 2), ("februar", 2), ("février", 2), ("fevrier", 2), ("febrero", 2), ("febbraio", 2), ("februari", 2), ("fevereiro", 2), ("feb", 2), ("févr", 2), ("luty", 2), ("lutego", 2), ("helmikuuta", 2), ("února", 2), ("şubat", 2), ("февраля", 2), ("лютого", 2), ("februarie", 2), ("febrer", 2), ("veljače", 2), ("február", 2), ("februára", 2),
    ("march", 3), ("märz", 3), ("maerz", 3), ("mars", 3), ("marzo", 3), ("maart", 3), ("março", 3), ("mar", 3), ("mär", 3), ("marzec", 3), ("marca", 3), ("maaliskuuta", 3), ("března", 3), ("mart", 3), ("марта", 3), ("березня", 3), ("martie", 3), ("març", 3), ("ožujka", 3), ("marts", 3), ("maret", 3), ("március", 3),
    ("april", 4), ("avril", 4), ("abril", 4), ("aprile", 4), ("apr", 4), ("avr", 4), ("kwiecień", 4), ("kwietnia", 4), ("huhtikuuta", 4), ("dubna", 4), ("nisan", 4), ("апреля", 4), ("квітня", 4), ("aprilie", 4), ("travnja", 4), ("április", 4), ("apríla", 4),
    ("may", 5), ("mai", 5), ("mayo", 5), ("maggio", 5), ("mei", 5), ("maio", 5), ("maj", 5), ("maja", 5), ("toukokuuta", 5), ("května", 5), ("mayıs", 5), ("мая", 5), ("травня", 5), ("maig", 5), ("svibnja", 5), ("május", 5), ("mája", 5),
    ("june", 6), ("juni", 6), ("juin", 6), ("junio", 6), ("giugno", 6), ("junho", 6), ("jun", 6), ("czerwiec", 6), ("czerwca", 6), ("kesäkuuta", 6), ("června", 6), ("haziran", 6), ("июня", 6), ("червня", 6), ("iunie", 6), ("juny", 6), ("lipnja", 6), ("június", 6), ("júna", 6),
    ("july", 7), ("juli", 7), ("juillet", 7), ("julio", 7), ("luglio", 7), ("julho", 7), ("jul", 7), ("juil", 7), ("lipiec", 7), ("lipca", 7), ("heinäkuuta", 7), ("července", 7), ("temmuz", 7), ("июля", 7), ("липня", 7), ("iulie", 7), ("juliol", 7), ("srpnja", 7), ("július", 7), ("júla", 7),
    ("august", 8), ("août", 8), ("aout", 8), ("agosto", 8), ("augustus", 8), ("aug", 8), ("sierpień", 8), ("sierpnia", 8), ("augusti", 8), ("elokuuta", 8), ("srpna", 8), ("ağustos", 8), ("августа", 8), ("серпня", 8), ("agost", 8), ("kolovoza", 8), ("augusztus", 8), ("augusta", 8), ("agustus", 8),
    ("september", 9), ("septembre", 9), ("septiembre", 9), ("settembre", 9), ("setembro", 9), ("sept", 9), ("sep", 9), ("wrzesień", 9), ("września", 9), ("syyskuuta", 9), ("září", 9), ("eylül", 9), ("сентября", 9), ("вересня", 9), ("septembrie", 9), ("setembre", 9), ("rujna", 9), ("szeptember", 9), ("septembra", 9),
    ("october", 10), ("oktober", 10), ("octobre", 10), ("octubre", 10), ("ottobre", 10), ("outubro", 10), ("oct", 10), ("okt", 10), ("październik", 10), ("października", 10), ("lokakuuta", 10), ("října", 10), ("ekim", 10), ("октября", 10), ("жовтня", 10), ("octombrie", 10), ("október", 10), ("októbra", 10),
    ("november", 11), ("novembre", 11), ("noviembre", 11), ("novembro", 11), ("nov", 11), ("listopad", 11), ("listopada", 11), ("marraskuuta", 11), ("listopadu", 11), ("kasım", 11), ("ноября", 11), ("листопада", 11), ("noiembrie", 11), ("studenoga", 11), ("novembra", 11),
    ("december", 12), ("dezember", 12), ("décembre", 12), ("decembre", 12), ("diciembre", 12), ("dicembre", 12), ("dezembro", 12), ("dec", 12), ("dez", 12), ("déc", 12), ("grudzień", 12), ("grudnia", 12), ("desember", 12), ("joulukuuta", 12), ("prosince", 12), ("aralık", 12), ("декабря", 12), ("грудня", 12), ("decembrie", 12), ("desembre", 12), ("prosinca", 12), ("decembra", 12),
];

/// Dates as pages write them near a headline or a byline, in the main European languages and in
/// Chinese, Japanese and Korean: "2024-07-26", "26.07.2024", "26. Juli 2024", "8.Dezember 2010",
/// "26 juillet 2024", "26 de julio de 2024", "July 26, 2024", "07/26/2024", "2024. július 26.",
/// "2024年7月26日", "2024년 7월 26일". Between CJK characters a date needs no space. Digits are
/// ASCII: only those parse as numbers, and Unicode `\d` makes the expression slower to compile.
static PAGE_DATE: Lazy<Regex> = Lazy::new(|| {
    let mut words: Vec<&str> = MONTH_WORDS.iter().map(|(w, _)| *w).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let m = words.join("|");
    Regex::new(&format!(
        r"(?i)(?:^|[^\p{{L}}\p{{N}}]|{cjk})(?:(?P<ky>(?:19|20)[0-9]{{2}})\s?[年년]\s?(?P<km>[0-9]{{1,2}})\s?[月월]\s?(?P<kd>[0-9]{{1,2}})|(?P<hy>(?:19|20)[0-9]{{2}})\.\s?(?P<hm>{m})\s+(?P<hd>[0-9]{{1,2}})\.|(?P<iy>(?:19|20)[0-9]{{2}})[-/.](?P<im>[0-9]{{1,2}})[-/.](?P<id>[0-9]{{1,2}})|(?P<dd>[0-9]{{1,2}})\.\s?(?P<dm>[0-9]{{1,2}})\.\s?(?P<dy>(?:19|20)?[0-9]{{2}})|(?P<sa>[0-9]{{1,2}})/(?P<sb>[0-9]{{1,2}})/(?P<sy>(?:19|20)[0-9]{{2}})|(?P<wd>[0-9]{{1,2}})(?:st|nd|rd|th|er|º)?(?:\.\s*|\s+)(?:de\s+)?(?P<wm>{m})\.?,?\s+(?:de\s+)?(?P<wy>(?:19|20)[0-9]{{2}})|(?P<mm>{m})\.?\s+(?P<md>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<my>(?:19|20)[0-9]{{2}}))(?:$|[^\p{{L}}\p{{N}}]|{cjk})",
        cjk = r"[\p{Han}\p{Hangul}\p{Hiragana}\p{Katakana}]"
    ))
    .unwrap()
});

fn month_word(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    MONTH_WORDS.iter().find(|(w, _)| *w == lower).map(|(_, n)| *n)
}

/// The first date a page writes in `text` (see [`PAGE_DATE`]), not later than `latest`. Numbers
/// with slashes are read month first when `month_first` (American pages), else day first, unless
/// one of them cannot be a month.
pub fn find_page_date(text: &str, month_first: bool, latest: NaiveDate) -> Option<NaiveDate> {
    page_dates(text, month_first, latest).next()
}

/// Every date a page writes in `text`, in order, as [`find_page_date`] reads them.
pub fn page_dates(text: &str, month_first: bool, latest: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
    PAGE_DATE.captures_iter(text).filter_map(move |c| {
        let number = |name: &str| c.name(name).and_then(|v| v.as_str().parse::<u32>().ok());
        let (y, m, d) = if let Some(y) = number("ky") {
            (y as i32, number("km")?, number("kd")?)
        } else if let Some(y) = number("hy") {
            (y as i32, month_word(c.name("hm")?.as_str())?, number("hd")?)
        } else if let Some(y) = number("iy") {
            (y as i32, number("im")?, number("id")?)
        } else if let Some(y) = number("dy") {
            let y = if y < 100 { 2000 + y } else { y };
            (y as i32, number("dm")?, number("dd")?)
        } else if let Some(y) = number("sy") {
            let (a, b) = (number("sa")?, number("sb")?);
            let (m, d) = if a > 12 || (!month_first && b <= 12) { (b, a) } else { (a, b) };
            (y as i32, m, d)
        } else if let Some(y) = number("wy") {
            (y as i32, month_word(c.name("wm")?.as_str())?, number("wd")?)
        } else {
            (number("my")? as i32, month_word(c.name("mm")?.as_str())?, number("md")?)
        };
        NaiveDate::from_ymd_opt(y, m, d).filter(|date| *date <= latest && y >= 1990)
    })
}

/// Which order `text` writes numbers with slashes in, when one of its dates shows it: `Some(true)`
/// month first (12/25/2020), `Some(false)` day first (25/12/2020); `None` when none can tell, or
/// they disagree.
pub fn slash_order(text: &str) -> Option<bool> {
    static SLASHED: Lazy<Regex> =
        Lazy::new(|| Regex::new(r"(?-u:\b)([0-9]{1,2})/([0-9]{1,2})/(?:19|20)[0-9]{2}(?-u:\b)").unwrap());
    let (mut month_first, mut day_first) = (false, false);
    for c in SLASHED.captures_iter(text) {
        let (a, b): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
        month_first |= b > 12 && a <= 12;
        day_first |= a > 12 && b <= 12;
    }
    match (month_first, day_first) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// `text` without the dates it writes (see [`PAGE_DATE`]) and without times of day ("10:27",
/// "18:30 Uhr", "9.15 am"), and how many dates it wrote.
pub fn without_dates_and_times(text: &str) -> (String, usize) {
    static TIME: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"(?i)(?-u:\b)\d{1,2}[:.h]\d{2}(?-u:\b)(?:\s*(?:uhr|h|am|pm|a\.m\.|p\.m\.))?").unwrap()
    });
    let dates = PAGE_DATE.find_iter(text).count();
    let without_dates = PAGE_DATE.replace_all(text, " ");
    (TIME.replace_all(&without_dates, " ").into_owned(), dates)
}

/// A time given relative to when the page was read ("3 hours ago", "vor 2 Tagen", "il y a 5 minutes",
/// "hace 1 día", "2 giorni fa", "3 uur geleden", "yesterday", "gestern"), in the main European
/// languages: the calendar day it names, counted back from `reference`, and where it is written.
/// Weeks and months are too coarse to name a day and are not read.
pub fn relative_date(text: &str, reference: DateTime<Utc>) -> Option<(NaiveDate, std::ops::Range<usize>)> {
    static RELATIVE: Lazy<Regex> = Lazy::new(|| {
        // One count per language (a pattern names each group once).
        let n = |language: &str| format!(r"(?P<n{language}>[0-9]{{1,3}}|an?|one|eine[mr]?|une?|una?|uma?)");
        let (en, de, fr, es, it, nl) = (n("en"), n("de"), n("fr"), n("es"), n("it"), n("nl"));
        Regex::new(&format!(
            r"(?i)(?-u:\b)(?:{en}\s+(?P<en>min(?:ute)?s?|hours?|hrs?|days?)\s+ago|vor\s+{de}\s+(?P<de>minuten?|stunden?|tag(?:en)?)|il\s+y\s+a\s+{fr}\s+(?P<fr>minutes?|heures?|jours?)|(?:hace|há)\s+{es}\s+(?P<es>minutos?|horas?|días?|dias?)|{it}\s+(?P<it>minut[io]|or[ae]|giorn[io])\s+fa|{nl}\s+(?P<nl>minuut|minuten|uur|dagen|dag)\s+geleden|(?P<yesterday>yesterday|gestern|hier|ayer|ieri|gisteren|ontem)|(?P<today>today|heute|aujourd'hui|hoy|oggi|vandaag|hoje))(?-u:\b)"
        ))
        .expect("a valid pattern")
    });
    // "Today" or "yesterday" alone is a label (a section, a menu); with a time of day, a timestamp.
    static TIME_OF_DAY: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?-u:\b)[0-9]{1,2}[:.][0-9]{2}(?-u:\b)").unwrap());
    let c = RELATIVE.captures(text)?;
    let whole = c.get(0)?.range();
    if (c.name("today").is_some() || c.name("yesterday").is_some()) && !TIME_OF_DAY.is_match(text) {
        return None;
    }
    if c.name("today").is_some() {
        return Some((reference.date_naive(), whole));
    }
    if c.name("yesterday").is_some() {
        return Some((reference.date_naive() - chrono::Duration::days(1), whole));
    }
    let language = ["en", "de", "fr", "es", "it", "nl"].into_iter().find(|k| c.name(k).is_some())?;
    // A word for the count ("an hour ago", "vor einem Tag") is one.
    let count: i64 = c.name(&format!("n{language}"))?.as_str().parse().unwrap_or(1);
    let unit = c.name(language)?.as_str().to_lowercase();
    // Minutes, then hours (hours, heures, horas, Stunden, ore, uur), else days.
    let back = if unit.starts_with("min") {
        chrono::Duration::minutes(count)
    } else if ["h", "st", "or", "u"].iter().any(|p| unit.starts_with(p)) {
        chrono::Duration::hours(count)
    } else {
        chrono::Duration::days(count)
    };
    Some(((reference - back).date_naive(), whole))
}

/// A date in a URL path such as `/2024/07/26/`, `/2024-07-26-` or `/20240726/` (eight digits
/// standing alone between separators, never inside a longer number).
pub fn date_in_url(url: &str) -> Option<Published> {
    static URL_DATE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"/((?:19|20)[0-9]{2})[/-]([0-9]{1,2})[/-]([0-9]{1,2})(?:[/-]|$)|[/_-]((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])(?:[/_.-]|$)").unwrap()
    });
    URL_DATE.captures_iter(url).find_map(|c| {
        let part = |i: usize| c.get(i).or_else(|| c.get(i + 3)).and_then(|v| v.as_str().parse::<u32>().ok());
        NaiveDate::from_ymd_opt(part(1)? as i32, part(2)?, part(3)?).map(midnight)
    })
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
    fn finds_page_dates_in_many_languages() {
        let latest = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let date = |text: &str| find_page_date(text, false, latest).map(|d| d.to_string());
        assert_eq!(date("Veröffentlicht am 16.08.2019, 12:00").as_deref(), Some("2019-08-16"));
        assert_eq!(date("am Dienstag 6. Mai 2014").as_deref(), Some("2014-05-06"));
        assert_eq!(date("Freitag, 5. Juni 2015").as_deref(), Some("2015-06-05"));
        assert_eq!(date("publié le 3 février 2021").as_deref(), Some("2021-02-03"));
        assert_eq!(date("5 de junio de 2015").as_deref(), Some("2015-06-05"));
        assert_eq!(date("opublikowano: 7 kwietnia 2021").as_deref(), Some("2021-04-07"));
        assert_eq!(date("Posted on March 3, 2023").as_deref(), Some("2023-03-03"));
        assert_eq!(date("2020-02-19 20:29:58").as_deref(), Some("2020-02-19"));
        assert_eq!(date("26.10.13").as_deref(), Some("2013-10-26"));
        assert_eq!(date("05/02/2020").as_deref(), Some("2020-02-05"));
        assert_eq!(find_page_date("05/02/2020", true, latest).unwrap().to_string(), "2020-05-02");
        assert_eq!(date("13/02/2020").as_deref(), Some("2020-02-13"));
        assert_eq!(date("in 2031-01-01 maybe"), None, "no future dates");
        assert_eq!(date("version 1.2.3"), None);
        assert_eq!(date("8.Dezember 2010 um 09:43").as_deref(), Some("2010-12-08"));
        assert_eq!(date("19. helmikuuta 2020").as_deref(), Some("2020-02-19"));
        assert_eq!(date("19 февраля 2020 г.").as_deref(), Some("2020-02-19"));
        assert_eq!(date("5 Şubat 2021").as_deref(), Some("2021-02-05"));
        assert_eq!(date("12 Maret 2021").as_deref(), Some("2021-03-12"));
        assert_eq!(date("2020. február 19.").as_deref(), Some("2020-02-19"));
        assert_eq!(date("发布时间：2020年2月19日").as_deref(), Some("2020-02-19"));
        assert_eq!(date("于2020年2月19日发布").as_deref(), Some("2020-02-19"));
        assert_eq!(date("입력 2020년 2월 19일 10:00").as_deref(), Some("2020-02-19"));
    }

    #[test]
    fn the_order_of_slashed_dates_from_those_that_show_it() {
        assert_eq!(slash_order("Posted 12/25/2020, updated 01/02/2021"), Some(true));
        assert_eq!(slash_order("25/12/2020 and 01/02/2021"), Some(false));
        assert_eq!(slash_order("01/02/2021"), None);
        assert_eq!(slash_order("25/12/2020 and 12/25/2020"), None);
    }

    #[test]
    fn reads_relative_times_against_the_time_the_page_was_read() {
        let read = DateTime::parse_from_rfc3339("2024-03-10T02:00:00Z").unwrap().to_utc();
        let day = |text: &str| relative_date(text, read).map(|(d, _)| d.to_string());
        assert_eq!(day("Posted 3 hours ago").as_deref(), Some("2024-03-09"));
        assert_eq!(day("vor 2 Tagen").as_deref(), Some("2024-03-08"));
        assert_eq!(day("il y a 45 minutes").as_deref(), Some("2024-03-10"));
        assert_eq!(day("hace un día").as_deref(), Some("2024-03-09"));
        assert_eq!(day("2 giorni fa").as_deref(), Some("2024-03-08"));
        assert_eq!(day("5 uur geleden").as_deref(), Some("2024-03-09"));
        assert_eq!(day("Gestern, 18:30").as_deref(), Some("2024-03-09"));
        assert_eq!(day("Today"), None, "a label, not a timestamp");
        assert_eq!(day("3 weeks ago"), None, "too coarse for a day");
        assert_eq!(day("a hundred days ago"), None);
    }

    #[test]
    fn finds_dates_in_url_paths() {
        assert_eq!(ymd(date_in_url("https://x.com/world/2024/07/26/story.html").unwrap()), "2024-07-26");
        assert!(date_in_url("https://x.com/world/story-123").is_none());
        assert_eq!(ymd(date_in_url("https://x.com/news/20190314/story.html").unwrap()), "2019-03-14");
        assert_eq!(ymd(date_in_url("https://x.com/a/story-20190314.html").unwrap()), "2019-03-14");
        assert!(date_in_url("https://x.com/a/1582045946_459487.html").is_none());
        assert!(date_in_url("https://x.com/a/id-20191399/").is_none(), "no 99th day");
    }
}
