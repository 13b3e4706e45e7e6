//! Words and their normal form: Unicode word boundaries, NFKC, case folding and one form for apostrophes,
//! each word keeping its byte range in the original text.
//!
//! Quote marks, dashes, ellipses, spaces of every kind and line breaks are not words, so typographic
//! differences between a draft and a source disappear here without any special case.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

/// A word's identity for matching: a hash of its normal form (64 bits; collisions are negligible).
pub type TermHash = u64;

/// Calls `found` with the byte range (in `text`) of every word inside `range`.
///
/// A word is a Unicode word (UAX #29) containing a letter or digit; `don’t`, `NATO's` and `100,000` are single
/// words, `large-scale` is two, each CJK ideograph is one.
pub fn for_each_word(text: &str, range: Range<usize>, mut found: impl FnMut(Range<usize>)) {
    segment::<false>(text, range, &mut |word, _| found(word));
}

/// Calls `found` with the byte range (in `text`) and the [`term_hash`] of every word inside `range`: the words
/// of [`for_each_word`], an ASCII word hashed as it is scanned (indexing and fingerprinting spent a fifth of
/// their time reading each word a second time to hash it).
pub fn for_each_term(
    text: &str,
    range: Range<usize>,
    mut found: impl FnMut(Range<usize>, TermHash),
) {
    segment::<true>(text, range, &mut found);
}

/// The words of `text[range]`, with their term hashes when `HASH` (else 0).
fn segment<const HASH: bool>(
    text: &str,
    range: Range<usize>,
    found: &mut impl FnMut(Range<usize>, TermHash),
) {
    let Some(slice) = text.get(range.clone()) else {
        return;
    };
    if slice.is_ascii() {
        ascii_words::<HASH>(slice, range.start, found);
        return;
    }
    let mut scratch = String::new();
    // Words never span ASCII white space, so the white-space-free run around each non-ASCII byte is segmented
    // by the full UAX #29 rules and the ASCII text between such runs takes the fast path in one go (most of a
    // mostly-English text, whose curly quotes and dashes are a few runs).
    let bytes = slice.as_bytes();
    let mut done = 0;
    while done < bytes.len() {
        let Some(offset) = bytes[done..].iter().position(|b| !b.is_ascii()) else {
            ascii_words::<HASH>(&slice[done..], range.start + done, found);
            break;
        };
        let at = done + offset;
        let run_start = bytes[done..at]
            .iter()
            .rposition(u8::is_ascii_whitespace)
            .map_or(done, |p| done + p + 1);
        let run_end = bytes[at..]
            .iter()
            .position(u8::is_ascii_whitespace)
            .map_or(bytes.len(), |p| at + p);
        if done < run_start {
            ascii_words::<HASH>(&slice[done..run_start], range.start + done, found);
        }
        unicode_words(
            text,
            range.start + run_start..range.start + run_end,
            &mut |word: Range<usize>| {
                let hash = if HASH {
                    term_hash(&text[word.clone()], &mut scratch)
                } else {
                    0
                };
                found(word, hash)
            },
        );
        done = run_end;
    }
}

/// UAX #29 words of a range that holds no ASCII white space.
fn unicode_words(text: &str, range: Range<usize>, found: &mut impl FnMut(Range<usize>)) {
    let slice = &text[range.clone()];
    // A word broken only by invisible characters (a zero-width space pasted from the web) is one word.
    let mut pending: Option<Range<usize>> = None;
    for (offset, piece) in slice.split_word_bound_indices() {
        if piece.chars().any(char::is_alphanumeric) {
            let start = range.start + offset;
            let word = start..start + piece.len();
            match pending.take() {
                Some(previous)
                    if previous.end < start
                        && text[previous.end..start].chars().all(is_invisible) =>
                {
                    pending = Some(previous.start..word.end);
                }
                Some(previous) => {
                    found(previous);
                    pending = Some(word);
                }
                None => pending = Some(word),
            }
        } else if !piece.chars().all(is_invisible) {
            if let Some(previous) = pending.take() {
                found(previous);
            }
        }
    }
    if let Some(previous) = pending {
        found(previous);
    }
}

/// Characters that take no room and join nothing: zero-width space, word joiner, BOM, soft hyphen, ZWJ/ZWNJ.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{200C}' | '\u{200D}'
    )
}

/// The same segmentation as UAX #29 restricted to ASCII, without the table look-ups: letters and digits, with
/// `'` between letters and `.`/`,` between digits kept inside the word.
/// With `HASH`, each word's [`term_hash`] is made as its bytes are scanned.
fn ascii_words<const HASH: bool>(
    slice: &str,
    base: usize,
    found: &mut impl FnMut(Range<usize>, TermHash),
) {
    let bytes = slice.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        if !bytes[index].is_ascii_alphanumeric() {
            index += 1;
            continue;
        }
        let start = index;
        let mut hash = FNV_OFFSET;
        loop {
            while index < bytes.len()
                && (bytes[index].is_ascii_alphanumeric() || bytes[index] == b'_')
            {
                if HASH {
                    hash = fnv1a_step(hash, bytes[index].to_ascii_lowercase());
                }
                index += 1;
            }
            // Joiners that UAX #29 keeps inside a word when a letter or digit follows.
            if index + 1 < bytes.len() {
                let joiner = bytes[index];
                let before = bytes[index - 1];
                let after = bytes[index + 1];
                let letters = before.is_ascii_alphabetic() && after.is_ascii_alphabetic();
                let digits = before.is_ascii_digit() && after.is_ascii_digit();
                let joins = match joiner {
                    b'\'' | b'.' => letters || digits,
                    b':' => letters,
                    b',' | b';' => digits,
                    _ => false,
                };
                if joins {
                    if HASH {
                        hash = fnv1a_step(hash, joiner);
                    }
                    index += 1;
                    continue;
                }
            }
            break;
        }
        found(base + start..base + index, if HASH { hash } else { 0 });
    }
}

/// Every word range inside `range`.
pub fn words(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for_each_word(text, range, |word| out.push(word));
    out
}

/// Writes the normal form of `word` into `out` (cleared first).
pub fn normalize_word(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| b.to_ascii_lowercase() as char));
        return;
    }
    for c in word.nfkc() {
        match c {
            // Apostrophes and primes in all their forms.
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}' | '\u{FF07}' | '`' | '\u{00B4}' => {
                out.push('\'')
            }
            // Invisible characters that may sit inside a word.
            '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// The hash of a normal form (FNV-1a; stable across runs and machines, so it may be stored).
pub fn hash_normal(normal: &str) -> TermHash {
    fnv1a(normal.bytes())
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One byte into an FNV-1a hash.
#[inline(always)]
fn fnv1a_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
}

/// FNV-1a over bytes.
fn fnv1a(bytes: impl Iterator<Item = u8>) -> TermHash {
    bytes.fold(FNV_OFFSET, fnv1a_step)
}

/// Normalizes and hashes one word, reusing `scratch`.
pub fn term_hash(word: &str, scratch: &mut String) -> TermHash {
    // ASCII words hash their lower-case bytes directly (the same value as hash_normal).
    if word.is_ascii() {
        return fnv1a(word.bytes().map(|byte| byte.to_ascii_lowercase()));
    }
    normalize_word(word, scratch);
    hash_normal(scratch)
}

/// Whether a normal form is a negation (used to warn when an ellipsis drops one).
pub fn is_negation(normal: &str) -> bool {
    matches!(
        normal,
        "not"
            | "no"
            | "never"
            | "nor"
            | "neither"
            | "none"
            | "nothing"
            | "nobody"
            | "nowhere"
            | "without"
            | "cannot"
    ) || normal.ends_with("n't")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        words(text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn a_mixed_text_is_segmented_run_by_run(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    "word", "NATO's", "4.5", "“quoted”", "—", " ", "  ", "\n", "café", "北京", "x\u{200B}y",
                    "don’t", "a.b", ",", "é", "'", "\t", "100,000",
                ]),
                0..30,
            )
        ) {
            // Segmenting a whole text equals segmenting each white-space-free run of it on its own.
            let text: String = pieces.concat();
            let mut expected = Vec::new();
            let mut at = 0;
            for run in text.split(|c: char| c.is_ascii_whitespace()) {
                expected.extend(words(&text, at..at + run.len()));
                at += run.len() + 1;
            }
            proptest::prop_assert_eq!(words(&text, 0..text.len()), expected, "{:?}", text);
        }
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        for text in [
            "NATO's plans, large-scale drills; 100,000 troops at 4.5 km. don't stop",
            "a'b 'quoted' end' x.y 1.2.3 a:b 1;2 under_score -dash- ...",
        ] {
            let fast = texts(text);
            let slow: Vec<&str> = text
                .split_word_bound_indices()
                .map(|(_, w)| w)
                .filter(|w| w.chars().any(char::is_alphanumeric))
                .collect();
            assert_eq!(fast, slow, "{text}");
        }
    }

    #[test]
    fn terms_are_the_words_with_their_hashes() {
        for text in [
            "NATO's plans, large-scale drills; 100,000 troops at 4.5 km. don't stop",
            "a'b 'quoted' end' x.y 1.2.3 a:b 1;2 under_score -dash- ... ÉTÉ",
            "Russia’s “NATO” — ﬁnal 北京 word\u{200B}joined café-au-lait Ünïcödé’s 3,5 MIXED Case",
            "",
            "'",
        ] {
            for range in [0..text.len(), 3.min(text.len())..text.len()] {
                let mut scratch = String::new();
                let mut expected = Vec::new();
                for_each_word(text, range.clone(), |word| {
                    expected.push((word.clone(), term_hash(&text[word], &mut scratch)))
                });
                let mut got = Vec::new();
                for_each_term(text, range, |word, hash| got.push((word, hash)));
                assert_eq!(got, expected, "{text}");
            }
        }
    }

    #[test]
    fn typography_normalizes_away() {
        let mut a = String::new();
        let mut b = String::new();
        normalize_word("Russia’s", &mut a);
        normalize_word("RUSSIA'S", &mut b);
        assert_eq!(a, b);
        normalize_word("ﬁnal", &mut a);
        assert_eq!(a, "final");
        assert_eq!(
            texts("large‑scale — “Cold War”…"),
            ["large", "scale", "Cold", "War"]
        );
        assert_eq!(texts("北约东扩"), ["北", "约", "东", "扩"]);
        assert_eq!(texts("mini\u{200B}mize it"), ["mini\u{200B}mize", "it"]);
    }

    #[test]
    fn negations() {
        assert!(is_negation("not") && is_negation("don't") && !is_negation("note"));
    }
}
