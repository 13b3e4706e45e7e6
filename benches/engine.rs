//! Criterion benchmarks of the pure engine on generated corpora (see `common/corpus.rs`):
//!
//! - `index/build/N`: tokenize (in parallel, as `Workspace::load_sources` does) and insert N articles;
//! - `check/full_draft/N`: every quote of a 3,000-word, 60-quote draft, nothing cached;
//! - `check/keystroke/N`: the draft after one keystroke inside a quote, with the verdict cache (what the
//!   server does after a `didChange`);
//! - `check/one_quote/N/KIND`: one quote of each kind (exact, ellipsis, drift, unsourced);
//! - `index/upsert_one/N`: re-index one edited source in a corpus of N;
//! - `check/source_edit/N/unrelated` and `…/quoted`: a source edited, then the 60-quote draft re-checked with a
//!   warm verdict cache (what the server does for an open draft after a source's `didChange`): a source the
//!   draft does not quote, and the source the draft's first exact quote comes from.
//!
//! `cargo bench --bench engine` runs 1,000 and 10,000 articles; `VERBATIM_BENCH_SIZES=1000,10000,100000`
//! picks others. Benchmarks measure; nothing here asserts a time.

#[path = "common/corpus.rs"]
mod corpus;

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use rayon::prelude::*;
use verbatim::engine::{find_quotes, Corpus, EngineSettings, TextFormat, VerdictCache};

use corpus::{CorpusSpec, Language};

struct Fixture {
    articles: usize,
    sources: Vec<(String, String)>,
    drafts: Vec<corpus::Draft>,
}

fn fixture(articles: usize) -> Fixture {
    let spec = CorpusSpec::new(articles);
    let language = Language::new(spec.seed);
    let sources = (0..articles)
        .into_par_iter()
        .map(|i| {
            (
                spec.source_path(i),
                corpus::render_article(&language, &corpus::article(&language, &spec, i)),
            )
        })
        .collect();
    let drafts = (0..4).map(|d| corpus::draft(&language, &spec, d)).collect();
    Fixture {
        articles,
        sources,
        drafts,
    }
}

fn build(sources: &[(String, String)]) -> Corpus {
    let prepared: Vec<_> = sources
        .par_iter()
        .map(|(key, text)| Corpus::prepare_source(key, text.clone(), TextFormat::Markdown))
        .collect();
    let mut corpus = Corpus::new();
    corpus.begin_bulk_load();
    for p in prepared {
        corpus.insert_prepared(p);
    }
    corpus.finish_bulk_load();
    corpus
}

fn sizes() -> Vec<usize> {
    std::env::var("VERBATIM_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1000, 10_000])
}

fn engine(c: &mut Criterion) {
    let settings = EngineSettings::default();
    for articles in sizes() {
        let fx = fixture(articles);
        let bytes: usize = fx.sources.iter().map(|(_, t)| t.len()).sum();
        eprintln!("{articles} articles: {:.1} MB", bytes as f64 / 1e6);

        let mut group = c.benchmark_group("index");
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(if articles >= 10_000 { 20 } else { 5 }));
        if articles <= 10_000 {
            group.bench_function(BenchmarkId::new("build", articles), |b| {
                b.iter(|| build(&fx.sources))
            });
        }
        let mut corpus = build(&fx.sources);
        let words = corpus.word_count();
        eprintln!(
            "  corpus heap: {:.1} MB ({:.2}× the text); {} words, {:.2} bytes of text per word, so 4-byte term ids are {:.2}× the text; snapshot {:.1} MB",
            corpus.heap_bytes() as f64 / 1e6,
            corpus.heap_bytes() as f64 / bytes as f64,
            words,
            bytes as f64 / words as f64,
            4.0 * words as f64 / bytes as f64,
            corpus.snapshot().len() as f64 / 1e6
        );
        let (key, text) = fx.sources[fx.articles / 2].clone();
        let mut flip = false;
        group.bench_function(BenchmarkId::new("upsert_one", articles), |b| {
            b.iter(|| {
                flip = !flip;
                corpus.upsert_source(&key, edited_or_not(&text, flip), TextFormat::Markdown)
            })
        });
        group.finish();

        let mut group = c.benchmark_group("check");
        group
            .sample_size(20)
            .measurement_time(Duration::from_secs(5));
        let draft = &fx.drafts[0];
        group.bench_function(BenchmarkId::new("full_draft", articles), |b| {
            b.iter(|| corpus.check_draft(&draft.text, TextFormat::Markdown, &settings))
        });
        // A keystroke inside a verified quote: two versions that differ by one letter, alternately.
        let label = draft
            .labels
            .iter()
            .find(|l| l.kind == "exact")
            .expect("an exact quote");
        let at = label.range.start + label.text.find(' ').unwrap_or(1);
        let mut typed = draft.text.clone();
        typed.insert(at, 'x');
        let versions = [draft.text.clone(), typed];
        let mut cache = VerdictCache::new();
        corpus.check_draft_cached(&versions[0], TextFormat::Markdown, &settings, &mut cache);
        let mut k = 0;
        group.bench_function(BenchmarkId::new("keystroke", articles), |b| {
            b.iter(|| {
                k += 1;
                corpus.check_draft_cached(
                    &versions[k % 2],
                    TextFormat::Markdown,
                    &settings,
                    &mut cache,
                )
            })
        });
        group.bench_function(BenchmarkId::new("find_quotes", articles), |b| {
            b.iter(|| find_quotes(&draft.text, TextFormat::Markdown, &settings))
        });
        let quotes = find_quotes(&draft.text, TextFormat::Markdown, &settings);
        for kind in ["exact", "ellipsis", "substitute", "invented"] {
            let Some(label) = fx
                .drafts
                .iter()
                .flat_map(|d| d.labels.iter().map(move |l| (d, l)))
                .find(|(_, l)| l.kind == kind)
            else {
                continue;
            };
            let (d, label) = label;
            let dq = find_quotes(&d.text, TextFormat::Markdown, &settings);
            let Some(quote) = dq.into_iter().find(|q| q.range.start == label.range.start) else {
                continue;
            };
            group.bench_function(
                BenchmarkId::new(format!("one_quote/{kind}"), articles),
                |b| b.iter(|| corpus.check_quote(&d.text, quote.clone(), &settings)),
            );
        }
        let _ = quotes;
        // A source edit seen by an open draft: re-index one source (appending a paragraph, then restoring it),
        // then re-check the draft with a warm verdict cache; only the quotes that depend on it are re-checked.
        let quoted = draft
            .labels
            .iter()
            .find(|l| l.kind == "exact")
            .and_then(|l| l.source)
            .expect("a sourced quote");
        let unrelated = (0..fx.articles)
            .rev()
            .find(|i| !draft.labels.iter().any(|l| l.source == Some(*i)))
            .expect("a source the draft does not quote");
        for (name, index) in [("unrelated", unrelated), ("quoted", quoted)] {
            let (key, text) = fx.sources[index].clone();
            let mut cache = VerdictCache::new();
            corpus.check_draft_cached(&draft.text, TextFormat::Markdown, &settings, &mut cache);
            let mut flip = false;
            group.bench_function(
                BenchmarkId::new(format!("source_edit/{name}"), articles),
                |b| {
                    b.iter(|| {
                        flip = !flip;
                        corpus.upsert_source(
                            &key,
                            edited_or_not(&text, flip),
                            TextFormat::Markdown,
                        );
                        corpus.check_draft_cached(
                            &draft.text,
                            TextFormat::Markdown,
                            &settings,
                            &mut cache,
                        )
                    })
                },
            );
        }
        group.finish();
    }
}

/// A source's text with a paragraph appended (`edited`), or as it was: alternating the two re-indexes the
/// source on every iteration without the text drifting away.
fn edited_or_not(text: &str, edited: bool) -> String {
    if edited {
        format!("{text}\nEdited.\n")
    } else {
        text.to_string()
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
