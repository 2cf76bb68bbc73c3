//! Near-duplicate articles (syndicated copies, the same wire story on two sites): a 64-bit simhash of
//! the body's word trigrams, indexed as eight 8-bit bands. Two bodies within 6 bits of each other
//! share at least two bands, so candidates come from a term lookup (the best-scoring share the
//! most bands), not a scan.

/// Bodies shorter than this are too short to call near-duplicates.
pub const MIN_BODY_CHARS: usize = 400;

/// Bits two simhashes may differ in and still be the same story.
pub const MAX_DISTANCE: u32 = 6;

pub fn simhash(body: &str) -> Option<u64> {
    if body.chars().count() < MIN_BODY_CHARS {
        return None;
    }
    let words: Vec<String> =
        body.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    let mut weights = [0i32; 64];
    for shingle in words.windows(3) {
        let h = fnv1a(shingle.join(" ").as_bytes());
        for (bit, weight) in weights.iter_mut().enumerate() {
            *weight += if h >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    Some(weights.iter().enumerate().filter(|(_, w)| **w > 0).fold(0u64, |acc, (bit, _)| acc | 1 << bit))
}

/// The band terms under which a simhash is indexed and looked up.
pub fn bands(hash: u64) -> [String; 8] {
    std::array::from_fn(|i| format!("{i}:{:02x}", hash >> (8 * i) & 0xff))
}

pub fn is_near(a: u64, b: u64) -> bool {
    (a ^ b).count_ones() <= MAX_DISTANCE
}

/// A stable 64-bit hash (FNV-1a): the simhash is stored, so it must not change between builds.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x100000001b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "The European Union on Tuesday imposed sanctions on six individuals and three entities it holds responsible for sabotage, disinformation and cyber attacks against member states. The Council designated the Baltic Signal Group, a media company that it said ran coordinated disinformation campaigns in Latvia and Lithuania, and Severny Logistics, a freight forwarder accused of moving equipment used in attacks on undersea cables. Those listed are subject to an asset freeze.";

    #[test]
    fn syndicated_copies_are_near_and_other_stories_are_not() {
        let original = simhash(STORY).unwrap();
        let copy = simhash(&format!("{STORY} Reporting by the wire service; editing by the desk.")).unwrap();
        assert!(is_near(original, copy), "distance {}", (original ^ copy).count_ones());
        assert!(bands(original).iter().zip(bands(copy).iter()).any(|(a, b)| a == b));
        let other = simhash(
            &STORY
                .replace("sanctions", "tariffs")
                .replace("Baltic Signal Group", "a dairy cooperative")
                .replace("disinformation", "milk prices")
                .replace("cyber attacks", "subsidies"),
        )
        .unwrap();
        assert!(!is_near(original, other));
        assert_eq!(simhash("too short"), None);
    }
}
