//! The verdict cache across source changes: after any sequence of source edits, removals and additions,
//! `check_draft_cached` must give exactly what a full `check_draft` gives, while re-checking only the quotes a
//! change can have touched. Random corpora and edits (proptest seeds a small generator), hand-made cases, and
//! every fixture workspace with each of its sources edited in turn.

use std::path::Path;

use proptest::prelude::*;
use verbatim::engine::{Corpus, EngineSettings, TextFormat, VerdictCache};

/// splitmix64: the random corpora and edits come from one seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

const COMMON: [&str; 8] = ["the", "of", "and", "to", "a", "in", "said", "that"];
const SYLLABLES: [&str; 8] = ["ka", "lo", "mi", "nu", "pe", "ri", "so", "tu"];
const TOPICS: usize = 4;

/// A word of one topic's vocabulary (12 words per topic).
fn topic_word(topic: usize, index: usize) -> String {
    format!(
        "{}{}{}",
        SYLLABLES[topic % 8],
        SYLLABLES[index % 8],
        SYLLABLES[(index / 8 + topic) % 8]
    )
}

fn random_word(rng: &mut Rng, topic: usize) -> String {
    if rng.chance(35) {
        COMMON[rng.below(COMMON.len())].to_string()
    } else if rng.chance(85) {
        topic_word(topic, rng.below(12))
    } else {
        topic_word(rng.below(TOPICS), rng.below(12))
    }
}

fn random_words(rng: &mut Rng, topic: usize, count: usize) -> Vec<String> {
    (0..count).map(|_| random_word(rng, topic)).collect()
}

fn sentence(words: &[String]) -> String {
    format!("{}.", words.join(" "))
}

/// A source: one or two paragraphs of one topic's words.
fn random_source(rng: &mut Rng) -> String {
    let topic = rng.below(TOPICS);
    let count = 8 + rng.below(18);
    let mut text = sentence(&random_words(rng, topic, count));
    if rng.chance(40) {
        let count = 6 + rng.below(10);
        text.push_str("\n\n");
        text.push_str(&sentence(&random_words(rng, topic, count)));
    }
    text
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A draft quoting the sources: exact quotes, altered ones, invented ones, a few with an ellipsis.
fn random_draft(rng: &mut Rng, sources: &[(String, String)]) -> String {
    let mut draft = String::from("# Draft\n\n");
    let quotes = 5 + rng.below(6);
    for i in 0..quotes {
        let mut words = if rng.chance(15) || sources.is_empty() {
            let (topic, count) = (rng.below(TOPICS), 4 + rng.below(6));
            random_words(rng, topic, count)
        } else {
            let words = words_of(&sources[rng.below(sources.len())].1);
            let length = (4 + rng.below(7)).min(words.len());
            let start = rng.below(words.len() - length + 1);
            words[start..start + length].to_vec()
        };
        if rng.chance(30) && words.len() > 4 {
            let at = rng.below(words.len());
            if rng.chance(50) {
                let topic = rng.below(TOPICS);
                words[at] = random_word(rng, topic);
            } else {
                words.remove(at);
            }
        }
        if rng.chance(10) && words.len() > 5 {
            words[2] = "…".to_string();
        }
        draft.push_str(&format!(
            "Paragraph {i}: “{}” she said.\n\n",
            words.join(" ")
        ));
    }
    draft
}

/// A changed version of a source's text.
fn edited(rng: &mut Rng, text: &str, draft: &str) -> String {
    let mut words = words_of(text);
    let topic = rng.below(TOPICS);
    match rng.below(7) {
        0 if !words.is_empty() => {
            let at = rng.below(words.len());
            words[at] = random_word(rng, topic);
        }
        1 => {
            let at = rng.below(words.len() + 1);
            words.insert(at, random_word(rng, topic));
        }
        2 if words.len() > 3 => {
            words.remove(rng.below(words.len()));
        }
        3 => return format!("{text}\n\nEdited paragraph."),
        4 => return random_source(rng),
        5 => {
            // Takes in the words of one of the draft's quotes: its verdict or also-in list changes.
            let quotes: Vec<&str> = draft
                .split('“')
                .skip(1)
                .filter_map(|q| q.split('”').next())
                .collect();
            if let Some(quote) = quotes.get(rng.below(quotes.len())) {
                return format!("{text}\n\nAs reported, {}.", quote.replace('…', "and"));
            }
        }
        _ => {
            let count = 3 + rng.below(8);
            words.extend(random_words(rng, topic, count));
        }
    }
    sentence(&words)
}

/// Runs `steps` rounds of random source changes (and an occasional draft edit), comparing the cached check
/// with a full one after each; returns (cache hits, invalidated entries, re-checked without a new vote) over
/// the run.
fn run_random(seed: u64, steps: usize) -> (usize, usize, usize) {
    let mut rng = Rng(seed);
    let settings = EngineSettings::default();
    let mut corpus = Corpus::new();
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut next_key = 0;
    for _ in 0..10 + rng.below(14) {
        let key = format!("sources/s{next_key}.md");
        next_key += 1;
        let text = random_source(&mut rng);
        corpus.upsert_source(&key, text.clone(), TextFormat::Markdown);
        sources.push((key, text));
    }
    let mut draft = random_draft(&mut rng, &sources);
    let mut cache = VerdictCache::new();
    let mut totals = (0, 0, 0);
    let compare = |corpus: &Corpus, cache: &mut VerdictCache, draft: &str, step: usize| {
        let cached = corpus.check_draft_cached(draft, TextFormat::Markdown, &settings, cache);
        let full = corpus.check_draft(draft, TextFormat::Markdown, &settings);
        assert_eq!(cached, full, "seed {seed}, step {step}\n{draft}");
    };
    compare(&corpus, &mut cache, &draft, 0);
    for step in 1..=steps {
        let changes = 1 + rng.below(3);
        for _ in 0..changes {
            match rng.below(10) {
                // Edits keep the number of sources (the case the cache keeps entries for).
                0..=5 if !sources.is_empty() => {
                    let i = rng.below(sources.len());
                    let text = edited(&mut rng, &sources[i].1, &draft);
                    corpus.upsert_source(&sources[i].0, text.clone(), TextFormat::Markdown);
                    sources[i].1 = text;
                }
                6 if !sources.is_empty() => {
                    let (key, _) = sources.remove(rng.below(sources.len()));
                    assert!(corpus.remove_source(&key));
                }
                7 if !sources.is_empty() => {
                    // A removal and an addition: as many sources as before, different ones.
                    let (key, _) = sources.remove(rng.below(sources.len()));
                    corpus.remove_source(&key);
                    let key = format!("sources/s{next_key}.md");
                    next_key += 1;
                    let text = if rng.chance(50) && !sources.is_empty() {
                        // A wire copy of another source: also-in lists change.
                        sources[rng.below(sources.len())].1.clone()
                    } else {
                        random_source(&mut rng)
                    };
                    corpus.upsert_source(&key, text.clone(), TextFormat::Markdown);
                    sources.push((key, text));
                }
                _ => {
                    let key = format!("sources/s{next_key}.md");
                    next_key += 1;
                    let text = random_source(&mut rng);
                    corpus.upsert_source(&key, text.clone(), TextFormat::Markdown);
                    sources.push((key, text));
                }
            }
        }
        if rng.chance(15) {
            draft = random_draft(&mut rng, &sources);
        }
        compare(&corpus, &mut cache, &draft, step);
        totals.0 += cache.last_hits;
        totals.1 += cache.last_invalidated;
        totals.2 += cache.last_kept_candidates;
    }
    totals
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After random source edits, removals and additions the cached check equals a full check.
    #[test]
    fn cached_check_equals_full_check_after_source_changes(seed in any::<u64>()) {
        run_random(seed, 12);
    }
}

/// The random runs do keep entries across source changes (the property above is not met by clearing).
#[test]
fn random_runs_reuse_entries() {
    let (mut hits, mut invalidated, mut kept) = (0, 0, 0);
    for seed in 0..40 {
        let (h, i, k) = run_random(seed, 12);
        hits += h;
        invalidated += i;
        kept += k;
    }
    let totals = format!("{hits} hits, {invalidated} invalidated, {kept} with kept candidates");
    assert!(hits > 200, "{totals}");
    assert!(invalidated > 50, "{totals}");
    assert!(kept > 20, "{totals}");
    eprintln!("{totals}");
}

fn corpus_of(sources: &[(&str, &str)]) -> Corpus {
    let mut corpus = Corpus::new();
    for (key, text) in sources {
        corpus.upsert_source(key, text.to_string(), TextFormat::Markdown);
    }
    corpus
}

const NATO: &str =
    "The parties oppose the further expansion of NATO and call for the North Atlantic Alliance \
    to refrain from ideological approaches.";
const GRAIN: &str = "Farmers expect a record harvest after the mild spring rains.";
const RATES: &str = "The central bank kept interest rates unchanged for the third month running.";
const DRAFT: &str = "They said “the parties oppose the further expansion of NATO” and \
    “farmers expect a record harvest” while “the central bank kept interest rates unchanged for the third \
    month”.";
const UNRELATED: &str = "Bicycles crowd the harbour.";

/// Twelve filler stories sharing the quotes' common words (“the”, “of”, “for”): enough sources with a vote
/// that a source sharing only “the” with a quote stays under its candidates' cut.
fn padding() -> Vec<(String, String)> {
    (0..12)
        .map(|i| {
            (
                format!("pad{i}.md"),
                format!("Filler story {i} of the week for town{i}."),
            )
        })
        .collect()
}

fn base_corpus() -> Corpus {
    let mut corpus = corpus_of(&[
        ("nato.md", NATO),
        ("grain.md", GRAIN),
        ("rates.md", RATES),
        ("unrelated.md", UNRELATED),
    ]);
    for (key, text) in padding() {
        corpus.upsert_source(&key, text, TextFormat::Markdown);
    }
    corpus
}

fn check(corpus: &Corpus, cache: &mut VerdictCache, draft: &str) -> Vec<verbatim::engine::Finding> {
    let settings = EngineSettings::default();
    let cached = corpus.check_draft_cached(draft, TextFormat::Markdown, &settings, cache);
    assert_eq!(
        cached,
        corpus.check_draft(draft, TextFormat::Markdown, &settings)
    );
    cached
}

#[test]
fn editing_an_unrelated_source_keeps_every_verdict() {
    let mut corpus = base_corpus();
    let mut cache = VerdictCache::new();
    check(&corpus, &mut cache, DRAFT);
    corpus.upsert_source(
        "unrelated.md",
        format!("{UNRELATED} Ferries wait at dawn."),
        TextFormat::Markdown,
    );
    check(&corpus, &mut cache, DRAFT);
    assert_eq!((cache.last_hits, cache.last_invalidated), (3, 0));
    // A filler story edited with the same shared words ties the cut of two quotes: they are re-checked.
    corpus.upsert_source(
        "pad3.md",
        "Filler story of the week for the harbour.".into(),
        TextFormat::Markdown,
    );
    check(&corpus, &mut cache, DRAFT);
    assert_eq!((cache.last_hits, cache.last_invalidated), (1, 2));
}

#[test]
fn editing_a_quoted_source_rechecks_its_quotes_only() {
    let mut corpus = base_corpus();
    let mut cache = VerdictCache::new();
    check(&corpus, &mut cache, DRAFT);
    // The edit moves the passage: the quote of grain.md is re-checked, its range follows.
    let moved = format!("Updated at noon. {GRAIN}");
    corpus.upsert_source("grain.md", moved, TextFormat::Markdown);
    let findings = check(&corpus, &mut cache, DRAFT);
    assert_eq!((cache.last_hits, cache.last_invalidated), (2, 1));
    let passage = findings[1].passage.as_ref().unwrap();
    assert_eq!(passage.range.start, "Updated at noon. ".len());
    // Changing the quoted words makes the quote drift.
    corpus.upsert_source(
        "grain.md",
        GRAIN.replace("record", "modest"),
        TextFormat::Markdown,
    );
    let findings = check(&corpus, &mut cache, DRAFT);
    assert_eq!(findings[1].verdict, verbatim::engine::Verdict::Drift);
}

#[test]
fn a_source_gaining_the_passage_appears_in_also_in_and_losing_it_leaves() {
    let mut corpus = base_corpus();
    let mut cache = VerdictCache::new();
    let before = check(&corpus, &mut cache, DRAFT);
    assert!(before[2].also_in.is_empty());
    // A filler story turns into a wire copy of the rates story (same number of sources).
    corpus.upsert_source("pad5.md", format!("Wire: {RATES}"), TextFormat::Markdown);
    let after = check(&corpus, &mut cache, DRAFT);
    assert_eq!(after[2].also_in.len(), 1, "{}", after[2].message);
    assert!(cache.last_invalidated >= 1);
    corpus.upsert_source("pad5.md", "Filler again.".into(), TextFormat::Markdown);
    let last = check(&corpus, &mut cache, DRAFT);
    assert!(last[2].also_in.is_empty());
}

#[test]
fn an_unsourced_quote_finds_its_new_source() {
    let mut corpus = base_corpus();
    let mut cache = VerdictCache::new();
    let draft = "She wrote “zebras graze quietly beside purple volcanoes” yesterday.";
    let before = check(&corpus, &mut cache, draft);
    assert_eq!(before[0].verdict, verbatim::engine::Verdict::Unsourced);
    corpus.upsert_source(
        "pad7.md",
        "Zebras graze quietly beside purple volcanoes, a guide said.".into(),
        TextFormat::Markdown,
    );
    let after = check(&corpus, &mut cache, draft);
    assert_eq!(after[0].verdict, verbatim::engine::Verdict::Verified);
}

#[test]
fn additions_removals_and_settings_changes_recheck() {
    let mut corpus = base_corpus();
    let mut cache = VerdictCache::new();
    check(&corpus, &mut cache, DRAFT);
    corpus.upsert_source("new.md", GRAIN.into(), TextFormat::Markdown);
    check(&corpus, &mut cache, DRAFT);
    assert_eq!(cache.last_hits, 0, "a new source changes every weight");
    corpus.remove_source("new.md");
    check(&corpus, &mut cache, DRAFT);
    assert_eq!(cache.last_hits, 0);
    check(&corpus, &mut cache, DRAFT);
    assert_eq!(cache.last_hits, 3);
    let strict = EngineSettings {
        drift_threshold: 0.9,
        ..EngineSettings::default()
    };
    corpus.check_draft_cached(DRAFT, TextFormat::Markdown, &strict, &mut cache);
    assert_eq!(cache.last_hits, 0, "settings changes clear the cache");
}

/// Every fixture workspace: check its drafts, then edit each source in turn (a word changed, a paragraph
/// appended, the text replaced and put back, removed and added again) and compare with a full check.
#[test]
fn fixture_workspaces_survive_source_edits() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut workspaces: Vec<_> = std::fs::read_dir(root.join("cases"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    workspaces.push(root.join("demo"));
    workspaces.sort();
    let settings = EngineSettings::default();
    let mut hits = 0;
    for workspace in workspaces {
        let files = |dir: &str| -> Vec<(String, String)> {
            let mut found = Vec::new();
            let mut stack = vec![workspace.join(dir)];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else if let Ok(text) = std::fs::read_to_string(&path) {
                        found.push((path.to_string_lossy().into_owned(), text));
                    }
                }
            }
            found.sort();
            found
        };
        let sources = files("sources");
        let drafts = files("drafts");
        if sources.is_empty() || drafts.is_empty() {
            continue;
        }
        let format = |key: &str| TextFormat::from_path(key);
        let mut corpus = Corpus::new();
        for (key, text) in &sources {
            corpus.upsert_source(key, text.clone(), format(key));
        }
        let mut caches: Vec<VerdictCache> = drafts.iter().map(|_| VerdictCache::new()).collect();
        let mut compare = |corpus: &Corpus, what: &str| {
            for ((key, draft), cache) in drafts.iter().zip(caches.iter_mut()) {
                let cached = corpus.check_draft_cached(draft, format(key), &settings, cache);
                let full = corpus.check_draft(draft, format(key), &settings);
                assert_eq!(cached, full, "{key} after {what}");
                hits += cache.last_hits;
            }
        };
        compare(&corpus, "loading");
        for (key, text) in &sources {
            let words: Vec<&str> = text.split(' ').collect();
            let middle = words.len() / 2;
            let changed = words
                .iter()
                .enumerate()
                .map(|(i, w)| if i == middle { "changed" } else { w })
                .collect::<Vec<_>>()
                .join(" ");
            let edits = [
                (changed, "a changed word"),
                (
                    format!("{text}\n\nEdited paragraph.\n"),
                    "an appended paragraph",
                ),
                ("Something else entirely.".to_string(), "a replaced text"),
                (text.clone(), "the text put back"),
            ];
            for (edit, what) in edits {
                corpus.upsert_source(key, edit, format(key));
                compare(&corpus, &format!("{what} in {key}"));
            }
            corpus.remove_source(key);
            compare(&corpus, &format!("removing {key}"));
            corpus.upsert_source(key, text.clone(), format(key));
            compare(&corpus, &format!("adding {key} again"));
        }
    }
    assert!(hits > 0);
}

/// Nine sources with the six words of `SIX_WORDS_DRAFT`'s quote in reverse order, each a strong candidate.
fn strong_stories() -> Corpus {
    let mut corpus = Corpus::new();
    for i in 0..9 {
        corpus.upsert_source(
            &format!("strong{i}.md"),
            format!("Zeta epsilon delta gamma beta alpha story{i}."),
            TextFormat::Markdown,
        );
    }
    corpus
}

/// A quote of six words, each in every one of the strong stories.
const SIX_WORDS_DRAFT: &str = "She said “alpha beta gamma delta epsilon zeta” twice.";

/// The quote's words split over two sources (`x1.md`, `x2.md`), each too weak to be a candidate.
fn add_split_quote(corpus: &mut Corpus) {
    corpus.upsert_source(
        "x1.md",
        "Alpha beta gamma here.".into(),
        TextFormat::Markdown,
    );
    corpus.upsert_source(
        "x2.md",
        "Delta epsilon zeta there.".into(),
        TextFormat::Markdown,
    );
}

/// The quote whole in `y.md`, and an unrelated `z.md`.
fn add_whole_quote(corpus: &mut Corpus) {
    corpus.upsert_source(
        "y.md",
        "Alpha beta gamma delta epsilon zeta.".into(),
        TextFormat::Markdown,
    );
    corpus.upsert_source("z.md", "Nothing to see.".into(), TextFormat::Markdown);
}

/// Two sources removed and two added between checks: the document frequencies of the quote's words are
/// unchanged and neither removed source was a candidate, yet a new source now holds the quote.
#[test]
fn a_new_source_that_beats_the_candidates_is_found() {
    let mut corpus = strong_stories();
    add_split_quote(&mut corpus);
    let mut cache = VerdictCache::new();
    let draft = SIX_WORDS_DRAFT;
    let before = check(&corpus, &mut cache, draft);
    assert_ne!(before[0].verdict, verbatim::engine::Verdict::Verified);
    corpus.remove_source("x1.md");
    corpus.remove_source("x2.md");
    add_whole_quote(&mut corpus);
    let after = check(&corpus, &mut cache, draft);
    assert_eq!(after[0].verdict, verbatim::engine::Verdict::Verified);
    assert_eq!(cache.last_invalidated, 1);
}

/// The reverse: the source holding the quote is removed and its words come back split over two new sources,
/// each too weak to be a candidate; the cached verdict named the removed source, so it is re-checked.
#[test]
fn a_removed_candidate_is_noticed_when_its_words_come_back_elsewhere() {
    let mut corpus = strong_stories();
    add_whole_quote(&mut corpus);
    let mut cache = VerdictCache::new();
    let draft = SIX_WORDS_DRAFT;
    let before = check(&corpus, &mut cache, draft);
    assert_eq!(before[0].verdict, verbatim::engine::Verdict::Verified);
    corpus.remove_source("y.md");
    corpus.remove_source("z.md");
    add_split_quote(&mut corpus);
    let after = check(&corpus, &mut cache, draft);
    assert_ne!(after[0].verdict, verbatim::engine::Verdict::Verified);
}

/// The candidate at the cut is removed and a source with more of the quote's words comes in (the document
/// frequencies stay the same: another source with one of those words goes too). The cut rises, so a source
/// that tied with the removed one is no candidate any more: the cached candidates cannot be patched.
#[test]
fn a_stronger_replacement_raises_the_cut() {
    let mut corpus = Corpus::new();
    for i in 0..7 {
        corpus.upsert_source(
            &format!("s{i}.md"),
            format!("Epsilon delta gamma beta alpha story{i}."),
            TextFormat::Markdown,
        );
    }
    corpus.upsert_source("x.md", "Gamma beta alpha xx.".into(), TextFormat::Markdown);
    corpus.upsert_source("p.md", "Alpha beta gamma pp.".into(), TextFormat::Markdown);
    corpus.upsert_source("w.md", "Delta ww.".into(), TextFormat::Markdown);
    let mut cache = VerdictCache::new();
    let draft = "She said “alpha beta gamma delta epsilon” twice.";
    let before = check(&corpus, &mut cache, draft);
    corpus.remove_source("x.md");
    corpus.remove_source("w.md");
    corpus.upsert_source(
        "y.md",
        "Delta gamma beta alpha yy.".into(),
        TextFormat::Markdown,
    );
    corpus.upsert_source("z.md", "Nothing to see.".into(), TextFormat::Markdown);
    let after = check(&corpus, &mut cache, draft);
    assert_ne!(before, after);
}

/// A corpus built anew (as a re-index does) with the very same counters is not mistaken for the old one.
#[test]
fn a_rebuilt_corpus_is_not_the_cached_one() {
    let mut cache = VerdictCache::new();
    let old = base_corpus();
    let before = check(&old, &mut cache, DRAFT);
    assert_eq!(before[1].verdict, verbatim::engine::Verdict::Verified);
    let mut new = corpus_of(&[
        ("nato.md", NATO),
        ("grain.md", &GRAIN.replace("record", "modest")),
        ("rates.md", RATES),
        ("unrelated.md", UNRELATED),
    ]);
    for (key, text) in padding() {
        new.upsert_source(&key, text, TextFormat::Markdown);
    }
    assert_eq!(new.generation(), old.generation());
    let after = check(&new, &mut cache, DRAFT);
    assert_eq!(after[1].verdict, verbatim::engine::Verdict::Drift);
    assert_eq!(cache.last_hits, 0);
}
