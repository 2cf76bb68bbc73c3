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

/// Base58Check addresses (Bitcoin P2PKH/P2SH, Litecoin, Tron, Dash…), Bech32 SegWit addresses and
/// Ethereum-style hex addresses; each candidate must pass its checksum.
static WALLET: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?-u:\b)(?:(?:bc|ltc|tb)1[02-9ac-hj-np-z]{8,87}|0x[0-9a-fA-F]{40}|[1-9A-HJ-NP-Za-km-z]{26,35})(?-u:\b)",
    )
    .unwrap()
});

/// Whether `address` passes the checksum of its format.
pub fn valid_wallet(address: &str) -> bool {
    if let Some(hex_digits) = address.strip_prefix("0x") {
        return valid_eip55(hex_digits);
    }
    if address.contains('1') && address.starts_with(['b', 'l', 't']) && bech32::segwit::decode(address).is_ok() {
        return true;
    }
    // A version byte, a 20-byte hash and a 4-byte checksum (the base58 alphabet has no '0', 'O', 'I', 'l').
    bs58::decode(address).with_check(None).into_vec().is_ok_and(|payload| payload.len() == 21)
}

/// EIP-55: in a mixed-case address, a letter is upper case exactly when the matching nibble of the
/// Keccak-256 hash of the lower-case address is 8 or more. Single-case addresses carry no checksum.
fn valid_eip55(hex_digits: &str) -> bool {
    use sha3::{Digest, Keccak256};
    let lower = hex_digits.to_ascii_lowercase();
    if hex_digits == lower || hex_digits == hex_digits.to_ascii_uppercase() {
        return true;
    }
    let hash = Keccak256::digest(lower.as_bytes());
    hex_digits.chars().enumerate().all(|(i, c)| {
        let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0xf;
        !c.is_ascii_alphabetic() || c.is_ascii_uppercase() == (nibble >= 8)
    })
}

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
    for m in WALLET.find_iter(text) {
        if valid_wallet(m.as_str()) {
            out.push(Mention::new(text, m.start(), m.end(), EntityLabel::Wallet));
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

    #[test]
    fn wallets_must_pass_their_checksum() {
        // Bitcoin's genesis address, a BIP-173 test vector and the EIP-55 examples.
        for good in [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        ] {
            assert!(valid_wallet(good), "{good}");
        }
        for bad in [
            "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
        ] {
            assert!(!valid_wallet(bad), "{bad}");
        }
        let text = "OFAC listed 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa and 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb.";
        let wallets: Vec<_> = labelled(text).into_iter().filter(|(_, l)| *l == EntityLabel::Wallet).collect();
        assert_eq!(wallets, vec![("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".to_string(), EntityLabel::Wallet)]);
    }

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
