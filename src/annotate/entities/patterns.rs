//! Entity types with a fixed written form: dates, money, percentages, legal instruments and IMO
//! ship numbers (validated by their check digit).

use once_cell::sync::Lazy;
use regex::Regex;

use super::Mention;
use crate::document::EntityLabel;

static MONEY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?i)(?:US\$|\$|€|£|¥)\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:million|billion|trillion|bn|mn)(?-u:\b))?|(?-u:\b)\d[\d,]*(?:\.\d+)?\s(?:million\s|billion\s)?(?:dollars|euros|pounds|yen|rubles|roubles|yuan)(?-u:\b)").unwrap()
});

static PERCENT: Lazy<Regex> =
    Lazy::new(|| Regex::new(r"(?-u:\b)\d+(?:\.\d+)?\s?(?:%|percent(?-u:\b)|per cent(?-u:\b))").unwrap());

static DATE: Lazy<Regex> = Lazy::new(|| {
    let months = "January|February|March|April|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Aug\\.|Sept\\.|Oct\\.|Nov\\.|Dec\\.";
    Regex::new(&format!(
        r"{prose}|(?-u:\b)(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?-u:\b)|(?-u:\b)(?:{months}|May)\s+\d{{4}}(?-u:\b)|(?-u:\b)(?:{months})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?-u:\b)|(?-u:\b)(?:19|20)\d{{2}}(?-u:\b)",
        prose = crate::dates::PROSE_DATE.as_str(),
    ))
    .unwrap()
});

static LAW: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"(?-u:\b)(?:Executive Order(?: \(E\.O\.\))?|E\.O\.|EO)\s?\d{5}(?-u:\b)|(?-u:\b)Regulation \((?:EU|EC)\) (?:No\.? )?\d+/\d+|(?-u:\b)(?:Council )?(?:Decision|Regulation|Implementing Regulation) \(CFSP\) \d{4}/\d+|(?-u:\b)(?:UN )?(?:Security Council )?[Rr]esolution \d{3,4}(?-u:\b)|(?-u:\b)Section \d+[a-z]?(?:\(\w\))* of (?:the )?[A-Z][\w\-]*(?: [A-Z][\w\-]*)* Act(?-u:\b)").unwrap()
});

static IMO: Lazy<Regex> = Lazy::new(|| Regex::new(r"(?-u:\b)IMO(?:\s?(?:No\.?|number|:))?\s?(\d{7})(?-u:\b)").unwrap());

/// IMO numbers end in a check digit: the first six digits weighted 7..2, summed, modulo 10.
pub fn valid_imo(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    d.len() == 7 && d[..6].iter().zip((2..=7).rev()).map(|(x, w)| x * w).sum::<u32>() % 10 == d[6]
}

pub fn find_patterns(text: &str) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut add = |re: &Regex, label: EntityLabel| {
        for m in re.find_iter(text) {
            out.push(Mention::new(text, m.start(), m.end(), label));
        }
    };
    add(&LAW, EntityLabel::Law);
    add(&MONEY, EntityLabel::Money);
    add(&PERCENT, EntityLabel::Percent);
    add(&DATE, EntityLabel::Date);
    for c in IMO.captures_iter(text) {
        let number = c.get(1).expect("group 1 always matches");
        if valid_imo(number.as_str()) {
            let mut mention =
                Mention::new(text, c.get(0).expect("whole match").start(), number.end(), EntityLabel::Imo);
            mention.canonical = format!("IMO {}", number.as_str());
            out.push(mention);
        }
    }
    // Earlier (higher-priority) patterns win overlaps: "E.O. 13224" is a law, not a year.
    let mut kept: Vec<Mention> = Vec::new();
    for m in out {
        if !kept.iter().any(|k| k.start < m.end && m.start < k.end) {
            kept.push(m);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labelled(text: &str) -> Vec<(String, EntityLabel)> {
        let mut ms = find_patterns(text);
        ms.sort_by_key(|m| m.start);
        ms.into_iter().map(|m| (m.text, m.label)).collect()
    }

    #[test]
    fn finds_fixed_form_entities() {
        let got = labelled(
            "On Tuesday, July 23, 2024, OFAC acted under E.O. 13694 against the vessel (IMO 9254082) over $630 million, up 12 percent.",
        );
        assert_eq!(
            got,
            vec![
                ("Tuesday".into(), EntityLabel::Date),
                ("July 23, 2024".into(), EntityLabel::Date),
                ("E.O. 13694".into(), EntityLabel::Law),
                ("IMO 9254082".into(), EntityLabel::Imo),
                ("$630 million".into(), EntityLabel::Money),
                ("12 percent".into(), EntityLabel::Percent),
            ]
        );
    }

    #[test]
    fn imo_numbers_need_a_valid_check_digit() {
        assert!(valid_imo("9254082"));
        assert!(!valid_imo("9254083"));
        assert!(labelled("IMO 1234568").is_empty());
    }
}
