//! Properties of the engine over random input: it never panics, its ranges are always valid, and typography
//! never changes a verdict.

use proptest::prelude::*;
use verbatim::engine::{find_quotes, Corpus, EngineSettings, TextFormat, Verdict};

#[path = "support/pieces.rs"]
mod pieces;

use pieces::{assert_range, PIECES};

fn draft_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..120).prop_map(|pieces| pieces.concat())
}

const SOURCE: &str = "---\ntitle: Statement\ndate: 2022-02-04\n---\n\n“The parties oppose the further expansion of \
NATO and call for the North Atlantic Alliance to refrain from ideological approaches from the time of the Cold \
War,” it reads, as well as urging the bloc “to respect sovereignty, security, the interests of other countries, \
and the diversity of their civilizational and cultural-historical ways.”\n\nThe meeting between Putin and Xi, the \
Chinese leader’s first face-to-face diplomatic interaction since the start of the coronavirus pandemic, comes amid \
a series of warnings from Western leaders.\n";

fn corpus() -> Corpus {
    let mut corpus = Corpus::new();
    corpus.upsert_source(
        "sources/statement.md",
        SOURCE.to_string(),
        TextFormat::Markdown,
    );
    corpus
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_and_ranges_are_valid(text in draft_text(), markdown in any::<bool>(), min_words in 1usize..5) {
        let format = if markdown { TextFormat::Markdown } else { TextFormat::PlainText };
        let settings = EngineSettings { min_words, ..EngineSettings::default() };
        for quote in find_quotes(&text, format, &settings) {
            assert_range(&text, &quote.range, "quote.range");
            assert_range(&text, &quote.outer, "quote.outer");
            prop_assert!(quote.outer.start <= quote.range.start && quote.range.end <= quote.outer.end);
            for segment in &quote.segments {
                assert_range(&text, segment, "segment");
                prop_assert!(quote.range.start <= segment.start && segment.end <= quote.range.end);
            }
        }
        let corpus = corpus();
        for finding in corpus.check_draft(&text, format, &settings) {
            for edit in &finding.edits {
                assert_range(&text, &edit.quote_range, "edit.quote_range");
                assert_range(SOURCE, &edit.source_range, "edit.source_range");
            }
            if let Some(passage) = &finding.passage {
                assert_range(SOURCE, &passage.range, "passage.range");
                assert_range(SOURCE, &passage.sentence, "passage.sentence");
            }
        }
    }

    /// Uncredited copying: never panics, its ranges are valid, a stretch never overlaps a quotation, and the
    /// per-paragraph cache gives what a full check gives.
    #[test]
    fn reuse_never_panics_and_ranges_are_valid(
        text in draft_text(),
        markdown in any::<bool>(),
        min_words in 4usize..10,
        edit in 0usize..400,
    ) {
        use verbatim::engine::reuse::{ReuseCache, ReuseSettings};
        let format = if markdown { TextFormat::Markdown } else { TextFormat::PlainText };
        let settings = ReuseSettings { min_words, min_chars: 10, ..ReuseSettings::default() };
        // The source copied into the draft's prose, so that stretches are found.
        let text = format!("{text}\n\n{}\n\n{text}", &SOURCE[SOURCE.find("The meeting").unwrap()..]);
        let corpus = corpus();
        let mut cache = ReuseCache::new();
        let quotes = find_quotes(&text, format, &EngineSettings { min_words: 1, ..EngineSettings::default() });
        let findings = corpus.check_reuse(&text, format, &settings, &mut cache);
        for finding in &findings {
            prop_assert_eq!(finding.verdict, Verdict::Uncredited);
            assert_range(&text, &finding.quote.range, "stretch");
            prop_assert!(finding.quote.word_count >= min_words);
            for quote in &quotes {
                prop_assert!(
                    finding.quote.range.end <= quote.outer.start || quote.outer.end <= finding.quote.range.start,
                    "a stretch overlaps a quotation"
                );
            }
            for edit in &finding.edits {
                assert_range(&text, &edit.quote_range, "edit.quote_range");
                assert_range(SOURCE, &edit.source_range, "edit.source_range");
            }
            if let Some(passage) = &finding.passage {
                assert_range(SOURCE, &passage.range, "passage.range");
            }
        }
        // One character typed somewhere: the cache answers as a full check does.
        let mut at = edit.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let edited = format!("{}x{}", &text[..at], &text[at..]);
        let cached = corpus.check_reuse(&edited, format, &settings, &mut cache);
        let full = corpus.check_reuse(&edited, format, &settings, &mut ReuseCache::new());
        prop_assert_eq!(cached, full);
    }

    #[test]
    fn sources_of_any_text_never_panic(text in draft_text(), quote in draft_text()) {
        let mut corpus = Corpus::new();
        corpus.upsert_source("a.md", text.clone(), TextFormat::Markdown);
        corpus.upsert_source("b.txt", text, TextFormat::PlainText);
        let settings = EngineSettings { min_words: 1, ..EngineSettings::default() };
        let _ = corpus.check_draft(&quote, TextFormat::Markdown, &settings);
    }

    /// A quote of any stretch of the source verifies, however it is styled: quote marks, apostrophes,
    /// dashes, spaces, line wrapping and case.
    #[test]
    fn typography_never_changes_the_verdict(
        start in 0usize..60,
        length in 4usize..25,
        marks in 0usize..6,
        nbsp in any::<bool>(),
        wrap in any::<bool>(),
        upper in any::<bool>(),
        curly_apostrophes in any::<bool>(),
    ) {
        let body = &SOURCE[SOURCE.find('“').unwrap()..];
        let words: Vec<&str> = body.split_whitespace().collect();
        let start = start.min(words.len() - length);
        let mut quote: String = words[start..start + length].join(" ");
        // The source's own inner marks would end the draft's quote: the writer turns them into single marks.
        quote = quote.replace(['“', '”', '"'], "");
        quote = quote.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
        if curly_apostrophes { quote = quote.replace('\'', "’"); } else { quote = quote.replace('’', "'"); }
        quote = quote.replace('-', "\u{2011}");
        if nbsp { quote = quote.replacen(' ', "\u{a0}", 3); }
        if wrap { quote = quote.replacen(' ', "\n", 1); }
        if upper { quote = quote.to_uppercase(); }
        let (open, close) = [("“", "”"), ("\"", "\""), ("« ", " »"), ("„", "“"), ("「", "」"), ("»", "«")][marks];
        let draft = format!("She said {open}{quote}{close} today.\n");
        let findings = corpus().check_draft(&draft, TextFormat::Markdown, &EngineSettings::default());
        let words_in_quote = quote.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
        if words_in_quote >= 4 {
            prop_assert_eq!(findings.len(), 1, "{}", draft);
            prop_assert_eq!(findings[0].verdict, Verdict::Verified, "{}\n{}", draft, findings[0].message);
        }
    }

    /// Changing one word of a long exact quote to a word no source has makes it drift, never unsourced.
    #[test]
    fn one_changed_word_is_drift(start in 0usize..40, length in 8usize..20, at in 0usize..8) {
        let body = &SOURCE[SOURCE.find('“').unwrap() + '“'.len_utf8()..];
        let words: Vec<&str> = body.split_whitespace().filter(|w| w.chars().all(|c| c.is_alphanumeric())).collect();
        let start = start.min(words.len() - length);
        let mut chosen: Vec<&str> = words[start..start + length].to_vec();
        chosen[at.min(length - 1)] = "zebra";
        let draft = format!("“{}”", chosen.join(" "));
        let findings = corpus().check_draft(&draft, TextFormat::Markdown, &EngineSettings::default());
        prop_assert_eq!(findings.len(), 1);
        prop_assert_eq!(findings[0].verdict, Verdict::Drift, "{}\n{}", draft, findings[0].message);
    }
}

proptest! {
    /// The fast word segmentation (ASCII runs, white-space chunks) gives the same words as plain UAX #29.
    #[test]
    fn fast_words_equal_uax29(pieces in prop::collection::vec(prop::sample::select(&[
        "a", "Z", "9", "é", "’", "'", ".", ",", ":", ";", "-", " ", "\n", "\t", "“", "”", "北", "😀", "e\u{301}",
        "don't", "1,000", "U.S.", "x:y", "\u{a0}", "!", "?", "(", ")",
    ][..]), 0..60)) {
        use unicode_segmentation::UnicodeSegmentation;
        let text = pieces.concat();
        let fast: Vec<&str> = verbatim::engine::normalize::words(&text, 0..text.len())
            .into_iter()
            .map(|r| &text[r])
            .collect();
        let reference: Vec<&str> = text
            .split_word_bounds()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .collect();
        prop_assert_eq!(fast, reference, "{:?}", text);
    }
}
