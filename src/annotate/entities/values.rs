//! What dates, sums of money and percentages say, written one way: `2024-06-12` (or `2024-06`,
//! `2024`), `5000000 USD`, `12.5`. Dates without a year or given as a weekday are read against the
//! article's publication date, as news means them.

use chrono::{Datelike, NaiveDate};
use once_cell::sync::Lazy;
use regex::Regex;

use super::Mention;
use crate::dates::{find_date_in_text, month_number, weekday_on_or_before};
use crate::document::EntityLabel;

static MONTH_YEAR: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([A-Za-z]+\.?)\s+(\d{4})$").unwrap());
static MONTH_DAY: Lazy<Regex> = Lazy::new(|| Regex::new(r"^([A-Za-z]+\.?)(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?$").unwrap());
static NUMBER: Lazy<Regex> = Lazy::new(|| Regex::new(r"\d[\d,]*(?:\.\d+)?").unwrap());

fn date_value(text: &str, published: Option<NaiveDate>) -> Option<String> {
    if let Some(date) = find_date_in_text(text) {
        return Some(date.to_string());
    }
    if let Ok(year) = text.parse::<i32>() {
        return Some(year.to_string());
    }
    if let Some(c) = MONTH_YEAR.captures(text) {
        return Some(format!("{}-{:02}", &c[2], month_number(&c[1])?));
    }
    let published = published?;
    if let Ok(weekday) = text.parse::<chrono::Weekday>() {
        return Some(weekday_on_or_before(published, weekday).to_string());
    }
    let c = MONTH_DAY.captures(text)?;
    let month = month_number(&c[1])?;
    match c.get(2) {
        Some(day) => {
            NaiveDate::from_ymd_opt(published.year(), month, day.as_str().parse().ok()?).map(|d| d.to_string())
        }
        None => Some(format!("{}-{month:02}", published.year())),
    }
}

fn number(text: &str) -> Option<f64> {
    NUMBER.find(text)?.as_str().replace(',', "").parse().ok()
}

fn money_value(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let currency = [
        ("us$", "USD"),
        ("$", "USD"),
        ("dollar", "USD"),
        ("€", "EUR"),
        ("euro", "EUR"),
        ("£", "GBP"),
        ("pound", "GBP"),
        ("¥", "JPY"),
        ("yen", "JPY"),
        ("yuan", "CNY"),
        ("ruble", "RUB"),
        ("rouble", "RUB"),
    ]
    .into_iter()
    .find(|(sign, _)| lower.contains(sign))
    .map(|(_, code)| code)?;
    let scale = [("trillion", 1e12), ("billion", 1e9), ("bn", 1e9), ("million", 1e6), ("mn", 1e6)]
        .into_iter()
        .find(|(word, _)| lower.split(|c: char| !c.is_alphabetic()).any(|w| w == *word))
        .map_or(1.0, |(_, s)| s);
    let amount = number(text)? * scale;
    Some(format!("{} {currency}", (amount * 100.0).round() / 100.0))
}

/// Sets the `value` of every date, sum of money and percentage that can be read.
pub fn resolve(mentions: &mut [Mention], published: Option<NaiveDate>) {
    for m in mentions {
        m.value = match m.label {
            EntityLabel::Date => date_value(&m.text, published),
            EntityLabel::Money => money_value(&m.text),
            EntityLabel::Percent => number(&m.text).map(|n| n.to_string()),
            _ => None,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str, label: EntityLabel) -> Option<String> {
        let mut m = [Mention::new(text, 0, text.len(), label)];
        resolve(&mut m, NaiveDate::from_ymd_opt(2024, 6, 13)); // a Thursday
        m[0].value.clone()
    }

    #[test]
    fn dates_read_against_the_publication_day() {
        assert_eq!(value("June 12, 2024", EntityLabel::Date).as_deref(), Some("2024-06-12"));
        assert_eq!(value("Tuesday", EntityLabel::Date).as_deref(), Some("2024-06-11"));
        assert_eq!(value("Thursday", EntityLabel::Date).as_deref(), Some("2024-06-13"));
        assert_eq!(value("March 3", EntityLabel::Date).as_deref(), Some("2024-03-03"));
        assert_eq!(value("Sept. 2023", EntityLabel::Date).as_deref(), Some("2023-09"));
        assert_eq!(value("2022", EntityLabel::Date).as_deref(), Some("2022"));
    }

    #[test]
    fn money_has_an_amount_and_a_currency() {
        assert_eq!(value("$5 million", EntityLabel::Money).as_deref(), Some("5000000 USD"));
        assert_eq!(value("US$1.2bn", EntityLabel::Money).as_deref(), Some("1200000000 USD"));
        assert_eq!(value("€300,000", EntityLabel::Money).as_deref(), Some("300000 EUR"));
        assert_eq!(value("40 million rubles", EntityLabel::Money).as_deref(), Some("40000000 RUB"));
        assert_eq!(value("12.5%", EntityLabel::Percent).as_deref(), Some("12.5"));
    }
}
