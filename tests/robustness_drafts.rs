//! Robustness of checking drafts: broken quote marks, huge drafts, deep nesting, odd line endings, control
//! characters, right-to-left text, emoji and combining marks anywhere. The engine answers in bounded time with
//! valid byte ranges, and what is not a quotation problem does not change a verdict.
use std::ops::Range;
use std::time::Duration;

use verbatim::engine::{find_quotes, Corpus, EngineSettings, Finding, TextFormat, Verdict};

// Time bounds are in CPU time: they hold as well on a busy machine.
#[path = "support/cpu.rs"]
mod cpu;

const SOURCE: &str = "“The parties oppose the further expansion of NATO and call for the North Atlantic Alliance to \
refrain from ideological approaches from the time of the Cold War,” it reads.\n\nהצדדים מתנגדים להרחבה נוספת של \
נאט\"ו ודורשים מהברית לוותר על גישות אידאולוגיות.\n\nالأطراف تعارض توسيع حلف الناتو وتدعو إلى التخلي عن المقاربات \
الأيديولوجية.\n";
const QUOTE: &str = "oppose the further expansion of NATO and call for the North Atlantic Alliance";

fn corpus() -> Corpus {
    let mut corpus = Corpus::new();
    corpus.upsert_source(
        "sources/statement.md",
        SOURCE.to_string(),
        TextFormat::Markdown,
    );
    corpus
}

fn assert_range(text: &str, range: &Range<usize>) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{range:?} of {}",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{range:?}"
    );
}

/// Checks a draft in both formats; every range is valid. Returns the Markdown findings.
fn check(corpus: &Corpus, draft: &str) -> Vec<Finding> {
    let settings = EngineSettings::default();
    let mut markdown = Vec::new();
    for format in [TextFormat::Markdown, TextFormat::PlainText] {
        let findings = corpus.check_draft(draft, format, &settings);
        for finding in &findings {
            assert_range(draft, &finding.quote.outer);
            assert_range(draft, &finding.quote.range);
            for segment in &finding.quote.segments {
                assert_range(draft, segment);
            }
            for edit in &finding.edits {
                assert_range(draft, &edit.quote_range);
                assert_range(SOURCE, &edit.source_range);
            }
        }
        if format == TextFormat::Markdown {
            markdown = findings;
        }
    }
    markdown
}

fn verdicts(findings: &[Finding]) -> Vec<Verdict> {
    findings.iter().map(|f| f.verdict).collect()
}

#[test]
fn unterminated_and_unbalanced_quote_marks() {
    let corpus = corpus();
    let good = format!("Later: “{QUOTE}”.");
    let cases = [
        "“never closed at all and it goes on and on",
        "closed ” without being opened, twice ” and ”",
        "“ “ “ “ “ “ “ “ “ “",
        "” ” ” ” ” ” ” ”",
        "\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"",
        "'''''''''''''''",
        "«« nested « three » deep",
        "„mixed German with English close” and «French» with ‹single› and 「CJK」 」「",
        "“open, then a blockquote\n> starts “here\n\nand a list\n- “item",
        "[sic] [...] (sic) […] [ ( [ ( unbalanced editorial marks",
        "“a quote that ends in a code span `”` and carries on",
    ];
    for case in cases {
        let draft = format!("{case}\n\n{good}\n");
        let findings = check(&corpus, &draft);
        assert!(
            findings
                .iter()
                .any(|f| f.verdict == Verdict::Verified && &draft[f.quote.range.clone()] == QUOTE),
            "a broken mark swallowed the next paragraph's quote: {case:?} → {:?}",
            findings
                .iter()
                .map(|f| &draft[f.quote.range.clone()])
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn ten_thousand_quotes_in_one_draft() {
    let corpus = corpus();
    let mut draft = String::new();
    for i in 0..10_000 {
        match i % 4 {
            0 => draft.push_str(&format!("Para {i}: “{QUOTE}”.\n\n")),
            1 => draft.push_str(&format!(
                "Para {i}: “oppose the further expansion of NATO and call on the North\".\n\n"
            )),
            2 => draft.push_str(&format!(
                "Para {i}: “invented words number {i} never said by anyone”.\n\n"
            )),
            _ => draft.push_str(&format!(
                "> Blockquote {i} of the parties oppose the further expansion\n\n"
            )),
        }
    }
    let (findings, elapsed) = cpu::on_this_thread(|| {
        corpus.check_draft(&draft, TextFormat::Markdown, &EngineSettings::default())
    });
    eprintln!("10,000 quotes: {elapsed:?} of CPU time");
    assert_eq!(findings.len(), 10_000);
    assert_eq!(findings[0].verdict, Verdict::Verified);
    assert_eq!(findings[2].verdict, Verdict::Unsourced);
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    // The cached check of the same draft after an edit at the top answers from the cache.
    let mut cache = verbatim::engine::VerdictCache::new();
    let settings = EngineSettings::default();
    corpus.check_draft_cached(&draft, TextFormat::Markdown, &settings, &mut cache);
    let edited = format!("A new first line.\n\n{draft}");
    let (again, elapsed) = cpu::on_this_thread(|| {
        corpus.check_draft_cached(&edited, TextFormat::Markdown, &settings, &mut cache)
    });
    assert!(cache.last_hits >= 9_000, "{} cache hits", cache.last_hits);
    assert_eq!(again.len(), 10_000);
    eprintln!("10,000 quotes, re-check after an edit: {elapsed:?} of CPU time");
}

#[test]
fn five_megabyte_draft() {
    let corpus = corpus();
    let mut draft = String::with_capacity(5 << 20);
    let mut i: usize = 0;
    while draft.len() < 5 << 20 {
        draft.push_str(&format!(
            "Paragraph {i} of plain prose about nothing in particular, with “{}” once in a while.\n\n",
            if i % 50 == 0 { QUOTE } else { "a scare quote" }
        ));
        i += 1;
    }
    let (findings, elapsed) = cpu::on_this_thread(|| {
        corpus.check_draft(&draft, TextFormat::Markdown, &EngineSettings::default())
    });
    eprintln!(
        "5 MB draft: {elapsed:?} of CPU time, {} findings",
        findings.len()
    );
    assert!(findings.iter().all(|f| f.verdict == Verdict::Verified));
    assert_eq!(findings.len(), i.div_ceil(50));
    assert!(elapsed < Duration::from_secs(60), "took {elapsed:?}");
    // One 5 MB quotation: capped at `max_quote_words` with a note, not a stall.
    let giant = format!("“{}”", format!("{QUOTE} ").repeat(5 << 20 >> 7).trim_end());
    let (findings, elapsed) = cpu::on_this_thread(|| {
        corpus.check_draft(&giant, TextFormat::Markdown, &EngineSettings::default())
    });
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0]
            .notes
            .iter()
            .any(|n| n.contains("only the first")),
        "{:?}",
        findings[0].notes
    );
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

/// Deep nesting runs on a thread with a small stack (the language server's blocking threads have 2 MiB).
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow or panic");
}

#[test]
fn deeply_nested_blockquotes_and_lists() {
    for depth in [10, 100, 1_000, 10_000] {
        on_small_stack(move || {
            let corpus = corpus();
            let blockquotes = format!("{} “{QUOTE}”\n\nAfter: “{QUOTE}”.\n", ">".repeat(depth));
            let findings = check(&corpus, &blockquotes);
            assert!(
                findings.iter().any(|f| f.verdict == Verdict::Verified),
                "depth {depth}"
            );
            let mut list = String::new();
            for level in 0..depth.min(2_000) {
                list.push_str(&"  ".repeat(level));
                list.push_str("- item\n");
            }
            list.push_str(&format!("\nAfter: “{QUOTE}”.\n"));
            let findings = check(&corpus, &list);
            assert!(
                findings.iter().any(|f| f.verdict == Verdict::Verified),
                "list depth {depth}"
            );
            let mixed = format!("{}“{QUOTE}”\n", "> - 1. ".repeat(depth.min(3_000)));
            check(&corpus, &mixed);
            let emphasis = format!("{}“{QUOTE}”{}\n", "*_".repeat(depth), "_*".repeat(depth));
            check(&corpus, &emphasis);
            let brackets = format!("{}“{QUOTE}”{}\n", "[".repeat(depth), "](x)".repeat(depth));
            check(&corpus, &brackets);
        });
    }
}

#[test]
fn mixed_line_endings() {
    let corpus = corpus();
    let wrapped =
        "oppose the further\r\nexpansion of NATO\rand call for the\nNorth Atlantic Alliance";
    for draft in [
        format!("Line one\r\nLine two\rLine three\n“{wrapped}”\r\n"),
        format!(
            "“{}”\r\r\n\n\r",
            wrapped.replace("\r\n", "\n").replace('\n', "\r\n")
        ),
        format!(
            "> “{}”\r\n\r\nsaid they\r\n",
            wrapped.replace("\r\n", "\r\n> ")
        ),
    ] {
        let findings = check(&corpus, &draft);
        assert_eq!(verdicts(&findings), [Verdict::Verified], "{draft:?}");
    }
}

#[test]
fn control_characters() {
    let corpus = corpus();
    let mut all_controls: String = (0u32..32)
        .chain(127..160)
        .filter_map(char::from_u32)
        .collect();
    all_controls.push('\u{2028}');
    all_controls.push('\u{2029}');
    let draft = format!("{all_controls}“{QUOTE}”{all_controls}\n\n“{all_controls}”\n");
    let findings = check(&corpus, &draft);
    assert_eq!(findings[0].verdict, Verdict::Verified);
    // Controls inside the quote's words are differences, never a crash.
    let inside = format!("“{}”", QUOTE.replace(' ', " \u{0}\u{7} "));
    check(&corpus, &inside);
    let nul_draft = "\0".repeat(10_000);
    assert!(check(&corpus, &nul_draft).is_empty());
}

#[test]
fn right_to_left_text() {
    let corpus = corpus();
    let hebrew = "הצדדים מתנגדים להרחבה נוספת של נאט\"ו ודורשים";
    let arabic = "الأطراف تعارض توسيع حلف الناتو وتدعو إلى التخلي";
    let draft = format!(
        "\u{202b}הם אמרו «{hebrew}».\u{202c}\n\nقالوا «{arabic}».\n\n\u{202e}“{QUOTE}”\u{202c}\n\n\u{200f}“{QUOTE}”\u{200e}\n"
    );
    let findings = check(&corpus, &draft);
    assert_eq!(
        verdicts(&findings),
        [
            Verdict::Verified,
            Verdict::Verified,
            Verdict::Verified,
            Verdict::Verified
        ],
        "{:#?}",
        findings.iter().map(|f| &f.message).collect::<Vec<_>>()
    );
}

/// Emoji, a ZWJ sequence, a flag, combining marks and a variation selector inserted at every character
/// boundary of a draft: never a panic or a bad range; outside the quotation the verdict does not change.
#[test]
fn emoji_and_combining_marks_at_every_position() {
    let corpus = corpus();
    let draft = format!("Intro — “{QUOTE}” (said) end.\n");
    let quote_outer = {
        let findings = check(&corpus, &draft);
        assert_eq!(verdicts(&findings), [Verdict::Verified]);
        findings[0].quote.outer.clone()
    };
    let inserts = [
        "😀",
        "👩\u{200d}👩\u{200d}👧",
        "🇫🇷",
        "\u{301}",
        "e\u{301}\u{302}\u{303}",
        "\u{fe0f}",
        "\u{200d}",
    ];
    let boundaries: Vec<usize> = (0..=draft.len())
        .filter(|&i| draft.is_char_boundary(i))
        .collect();
    for insert in inserts {
        for &at in &boundaries {
            let mut edited = draft.clone();
            edited.insert_str(at, insert);
            let findings = check(&corpus, &edited);
            let outside = at < quote_outer.start || at > quote_outer.end;
            if outside
                && !insert.starts_with('\u{301}')
                && !insert.starts_with('\u{fe0f}')
                && !insert.starts_with('\u{200d}')
            {
                assert_eq!(
                    verdicts(&findings),
                    [Verdict::Verified],
                    "{insert:?} at {at}: {edited:?}"
                );
            }
        }
    }
}

/// Runs `f` on its own thread; fails once it has spent more than `limit` of CPU time (see [`cpu::bounded`]).
fn within(limit: Duration, what: &str, f: impl FnOnce() + Send + 'static) {
    cpu::bounded(limit, what, f);
}

#[test]
fn possessive_lookahead_is_bounded() {
    // Marks that the scanner must look ahead from (possessive s’ followed by words), many times over.
    within(
        Duration::from_secs(30),
        "20,000 possessives in one quote",
        || {
            let draft = format!("‘{}’", "the Games’ opening ".repeat(20_000));
            let quotes = find_quotes(&draft, TextFormat::Markdown, &EngineSettings::default());
            assert!(quotes.len() <= 1);
        },
    );
}

/// Opening marks that never close pile up on the scanner's stack: each mark then searches the whole stack,
/// which is quadratic (400,000 marks took minutes).
#[test]
fn hundreds_of_thousands_of_unclosed_marks_are_bounded() {
    within(
        Duration::from_secs(30),
        "400,000 unclosed quote marks",
        || {
            let marks = "“‘«„‚「『‹".repeat(50_000);
            find_quotes(&marks, TextFormat::Markdown, &EngineSettings::default());
            corpus().check_draft(&marks, TextFormat::PlainText, &EngineSettings::default());
        },
    );
}
