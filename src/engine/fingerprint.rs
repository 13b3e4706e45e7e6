//! Word-shingle fingerprints: stable hashes of every run of [`SHINGLE_WORDS`] normalised words, and winnowing
//! (Schleimer, Wilkerson and Aiken 2003, as in MOSS) to keep a small, position-robust subset of them.
//!
//! The hashes are persisted by the archive, so they must never change for the same text: they are built only
//! from [`term_hash`] (FNV-1a of a word's normal form) and a fixed mixing function. Changing either requires a
//! new [`FINGERPRINT_VERSION`], which makes an archive built with the old one refuse to answer until it is
//! re-ingested.

use std::ops::Range;

use super::normalize::for_each_term;

/// Words per shingle. Three words are specific enough to seed a search (a 3-gram is rare in news text) and short
/// enough that a quote with one changed word in ten still shares several shingles with its source.
pub const SHINGLE_WORDS: usize = 3;

/// Winnowing window (in shingles). Every run of at least `WINNOW_WINDOW + SHINGLE_WORDS - 1` (five) words that a
/// text shares with an indexed document shares at least one kept shingle with it; about 2 / (window + 1) = 50%
/// of a document's shingles are kept.
pub const WINNOW_WINDOW: usize = 3;

/// Bumped whenever the hashes above would change for the same text.
pub const FINGERPRINT_VERSION: i32 = 1;

/// One shingle: its hash and the index of its first word in the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shingle {
    pub hash: u64,
    pub word: u32,
}

/// The term hash of every word of `text[range]`, in order.
pub fn word_hashes(text: &str, range: Range<usize>) -> Vec<u64> {
    let mut hashes = Vec::new();
    for_each_term(text, range, |_, hash| hashes.push(hash));
    hashes
}

/// Every shingle of a sequence of word hashes (none when there are fewer than [`SHINGLE_WORDS`] words).
pub fn shingles(words: &[u64]) -> Vec<Shingle> {
    words
        .windows(SHINGLE_WORDS)
        .enumerate()
        .map(|(index, window)| Shingle {
            hash: shingle_hash(window),
            word: index as u32,
        })
        .collect()
}

/// The hash of one run of word hashes: an order-sensitive combination finished with a 64-bit avalanche, so
/// that its high bits (used to pick an archive bucket) are as well mixed as its low ones.
pub fn shingle_hash(words: &[u64]) -> u64 {
    let mut hash: u64 = 0x9e37_79b9_7f4a_7c15;
    for &word in words {
        hash = (hash ^ word)
            .wrapping_mul(0xbf58_476d_1ce4_e5b9)
            .rotate_left(31);
    }
    mix64(hash)
}

/// SplitMix64's finaliser.
fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Robust winnowing: in every window of `window` consecutive shingles the one with the smallest hash is kept
/// (the rightmost on ties), each kept shingle once. A text shorter than a window keeps its smallest shingle.
pub fn winnow(shingles: &[Shingle], window: usize) -> Vec<Shingle> {
    let window = window.max(1);
    let mut kept: Vec<Shingle> = Vec::new();
    if shingles.is_empty() {
        return kept;
    }
    if shingles.len() <= window {
        kept.push(rightmost_minimum(shingles));
        return kept;
    }
    // A monotone deque of indices with increasing hashes: the front is the window's minimum.
    let mut deque: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    let mut last_kept: Option<usize> = None;
    for index in 0..shingles.len() {
        while deque
            .back()
            .is_some_and(|&back| shingles[back].hash >= shingles[index].hash)
        {
            deque.pop_back();
        }
        deque.push_back(index);
        if deque.front().is_some_and(|&front| front + window <= index) {
            deque.pop_front();
        }
        if index + 1 >= window {
            let minimum = *deque.front().expect("the deque holds the current index");
            if last_kept != Some(minimum) {
                kept.push(shingles[minimum]);
                last_kept = Some(minimum);
            }
        }
    }
    kept
}

/// The winnowed fingerprint of a whole text (what the archive stores per article): the shingles of
/// [`winnow`]`(&`[`shingles`]`(&`[`word_hashes`]`(..)), `[`WINNOW_WINDOW`]`)`, made as the words are read, with no
/// vector of words or shingles (at ingest this is most of the client's work).
pub fn fingerprint(text: &str) -> Vec<Shingle> {
    const W: usize = WINNOW_WINDOW;
    let mut kept: Vec<Shingle> = Vec::new();
    // The last SHINGLE_WORDS words, oldest first, and the last W shingles, oldest first.
    let mut words = [0u64; SHINGLE_WORDS];
    let mut window = [Shingle { hash: 0, word: 0 }; W];
    let (mut seen_words, mut seen_shingles) = (0usize, 0usize);
    let mut last_kept: Option<u32> = None;
    for_each_term(text, 0..text.len(), |_, hash| {
        words.copy_within(1.., 0);
        words[SHINGLE_WORDS - 1] = hash;
        seen_words += 1;
        if seen_words < SHINGLE_WORDS {
            return;
        }
        window.copy_within(1.., 0);
        window[W - 1] = Shingle {
            hash: shingle_hash(&words),
            word: (seen_words - SHINGLE_WORDS) as u32,
        };
        seen_shingles += 1;
        if seen_shingles < W {
            return;
        }
        // The window's minimum, kept once however many windows it is the minimum of.
        let minimum = rightmost_minimum(&window);
        if last_kept != Some(minimum.word) {
            kept.push(minimum);
            last_kept = Some(minimum.word);
        }
    });
    if seen_shingles > 0 && seen_shingles < W {
        // Fewer shingles than a window: their minimum, as `winnow` keeps.
        kept.push(rightmost_minimum(&window[W - seen_shingles..]));
    }
    kept
}

/// The shingle of least hash, the rightmost of equals (a window's choice in winnowing). `shingles` is not empty.
fn rightmost_minimum(shingles: &[Shingle]) -> Shingle {
    let mut minimum = shingles[0];
    for shingle in &shingles[1..] {
        if shingle.hash <= minimum.hash {
            minimum = *shingle;
        }
    }
    minimum
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: u64 = 0xec41_f8ee_b595_5b13;

    #[test]
    fn shingle_hashes_are_stable() {
        // The archive stores these values: they must not change without a new FINGERPRINT_VERSION.
        let words = word_hashes("Call for the North", 0..18);
        let all = shingles(&words);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].hash, shingle_hash(&words[0..3]));
        let again = shingles(&word_hashes("call FOR the north", 0..18));
        assert_eq!(all, again, "case does not matter");
        assert_eq!(shingle_hash(&[1, 2, 3]), GOLDEN);
    }

    #[test]
    fn every_long_enough_match_shares_a_kept_shingle() {
        let document = "The parties oppose the further enlargement of NATO and call on the North Atlantic Alliance \
                        to abandon its ideologized Cold War approaches and to respect the sovereignty of others";
        let kept = fingerprint(document);
        let kept_hashes: std::collections::HashSet<u64> = kept.iter().map(|s| s.hash).collect();
        let words = word_hashes(document, 0..document.len());
        let threshold = WINNOW_WINDOW + SHINGLE_WORDS - 1;
        for start in 0..=words.len() - threshold {
            let run = &words[start..start + threshold];
            assert!(
                shingles(run).iter().any(|s| kept_hashes.contains(&s.hash)),
                "the run at word {start} shares no kept shingle"
            );
        }
        assert!(kept.len() < words.len(), "winnowing keeps a subset");
    }

    proptest::proptest! {
        #[test]
        fn the_streamed_fingerprint_is_the_winnowed_shingles(
            // Few distinct words, so that shingles repeat and windows hold equal hashes.
            words in proptest::collection::vec(
                proptest::sample::select(vec![
                    "the", "NATO's", "call", "on", "Ünïcödé", "4.5", "—", "“quoted”", "a", "the",
                ]),
                0..1_000,
            )
        ) {
            let text = words.join(" ");
            let expected = winnow(&shingles(&word_hashes(&text, 0..text.len())), WINNOW_WINDOW);
            proptest::prop_assert_eq!(fingerprint(&text), expected, "{}", text);
        }
    }

    #[test]
    fn short_texts() {
        assert!(fingerprint("").is_empty());
        assert!(fingerprint("two words").is_empty());
        assert_eq!(fingerprint("exactly three words").len(), 1);
    }
}
