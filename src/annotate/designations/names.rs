//! Designee names compared as `designation_eval.py` compares them: Unicode- and case-folded, quotes,
//! a quoted nickname and punctuation dropped; equal, or word sets overlapping by Jaccard ≥ 0.75.

use unicode_normalization::UnicodeNormalization;

/// Two normalised names match at this similarity.
pub const MATCH: f64 = 0.75;

pub fn similar(a: &str, b: &str) -> bool {
    similarity(a, b) >= MATCH
}

/// 1 for equal names, else the Jaccard overlap of their word sets.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let x: std::collections::HashSet<&str> = a.split_whitespace().collect();
    let y: std::collections::HashSet<&str> = b.split_whitespace().collect();
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / x.union(&y).count() as f64
}

/// Accents, case, quotes and punctuation dropped; a nickname in quotes removed.
pub fn normalise(name: &str) -> String {
    let folded: String = name.nfkd().filter(|c| !unicode_normalization::char::is_combining_mark(*c)).collect();
    let folded = folded.replace(['’', '‘'], "'");
    let mut without_quoted = String::with_capacity(folded.len());
    let mut chars = folded.chars().peekable();
    let is_quote = |c: char| matches!(c, '"' | '“' | '”' | '«' | '»');
    while let Some(c) = chars.next() {
        if is_quote(c) {
            let rest: String = chars.clone().take(41).collect();
            if let Some(close) = rest.find(is_quote).filter(|&at| at > 0) {
                for _ in 0..rest[..close].chars().count() + 1 {
                    chars.next();
                }
                without_quoted.push(' ');
                continue;
            }
        }
        without_quoted.push(c);
    }
    let lower = without_quoted.to_lowercase().replace("'s ", " ");
    lower.split(|c: char| !(c.is_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_normalise_as_the_scorer_does() {
        assert_eq!(normalise("Shibl Muhsin ‘Ubayd Al-Zaydi"), "shibl muhsin ubayd al zaydi");
        assert_eq!(normalise("Wilson “Ti Lou” Pierre"), "wilson pierre");
        assert_eq!(normalise("Gomei Air Services Co., Ltd."), "gomei air services co ltd");
        assert_eq!(normalise("Société Générale"), "societe generale");
        assert!(similar(&normalise("Kohana Company Limited"), &normalise("KOHANA COMPANY LIMITED")));
        assert!(!similar(&normalise("Kim Sang Man"), &normalise("Kim Ung Sun")));
    }
}
