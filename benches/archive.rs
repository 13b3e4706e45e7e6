//! The shared archive's benchmark against a real PostgreSQL (a throwaway cluster it starts, as the tests do):
//! ingestion throughput, storage, per-quote lookup latency and candidate recall on labelled quotes, a 60-quote
//! draft checked against local sources plus the archive, and concurrent editor sessions.
//!
//! `cargo bench --bench archive -- [--articles N] [--local N] [--sessions N] [--report FILE] [--keep]
//! [--archive URL]` (an archive that already holds the same generated articles: measured without an ingest)
//! (defaults: 100,000 archived articles, 10,000 local, 20 sessions). Generated articles live under
//! /tmp/verbatim-archive-bench/ and are removed afterwards unless `--keep`.

#[path = "common/corpus.rs"]
mod corpus;
#[path = "../tests/support/postgres.rs"]
mod postgres;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use corpus::{CorpusSpec, Language, Truth};
use rayon::prelude::*;
use verbatim::archive::search::{prose_window_shingles, quote_shingles};
use verbatim::archive::{Archive, Target, UrlOrigin};
use verbatim::engine::reuse::{ReuseCache, ReuseSettings};
use verbatim::engine::{find_quotes, Corpus, EngineSettings, TextFormat};

struct Options {
    articles: usize,
    local: usize,
    sessions: usize,
    report: Option<PathBuf>,
    keep: bool,
    /// An archive already holding the generated articles (`--archive URL`): no cluster, no ingest.
    archive: Option<String>,
}

fn options() -> Options {
    let mut options = Options {
        articles: 100_000,
        local: 10_000,
        sessions: 20,
        report: None,
        keep: false,
        archive: None,
    };
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let mut index = 0;
    while index < arguments.len() {
        let value = || arguments.get(index + 1).cloned().unwrap_or_default();
        match arguments[index].as_str() {
            "--articles" => options.articles = value().parse().expect("--articles N"),
            "--local" => options.local = value().parse().expect("--local N"),
            "--sessions" => options.sessions = value().parse().expect("--sessions N"),
            "--report" => options.report = Some(PathBuf::from(value())),
            "--archive" => options.archive = Some(value()),
            "--keep" => {
                options.keep = true;
                index += 1;
                continue;
            }
            // cargo bench passes --bench.
            _ => {
                index += 1;
                continue;
            }
        }
        index += 2;
    }
    options
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0) * (values.len() - 1) as f64).round() as usize;
    values[rank]
}

/// Writes articles `range` of `spec` as Markdown files under `folder` (in parallel); returns their bytes.
fn write_articles(
    language: &Language,
    spec: &CorpusSpec,
    range: std::ops::Range<usize>,
    folder: &Path,
) -> u64 {
    range
        .into_par_iter()
        .map(|i| {
            let article = corpus::article(language, spec, i);
            let text = corpus::render_article(language, &article);
            let path = folder.join(spec.source_path(i));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            text.len() as u64
        })
        .sum()
}

fn verbatim() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_verbatim"));
    command.env_remove("VERBATIM_ARCHIVE_URL");
    command
}

fn main() {
    let options = options();
    let mut report = String::new();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let _ = writeln!(
        report,
        "archive benchmark: {} archived articles, {} local, {} sessions; load {}",
        options.articles,
        options.local,
        options.sessions,
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    let url = match &options.archive {
        Some(url) => url.clone(),
        None => postgres::cluster().database("archive_bench"),
    };
    let language = Language::new(0x5EED_2026);
    let spec = CorpusSpec::new(options.articles);
    let base = PathBuf::from("/tmp/verbatim-archive-bench");
    let folder = base.join(format!("archive-{}", options.articles));
    let started = Instant::now();
    let bytes = if folder.join("done").is_file() {
        std::fs::read_to_string(folder.join("done"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    } else {
        let _ = std::fs::remove_dir_all(&folder);
        let bytes = write_articles(&language, &spec, 0..options.articles, &folder);
        std::fs::write(folder.join("done"), bytes.to_string()).unwrap();
        bytes
    };
    eprintln!(
        "corpus: {:.0} MB in {:.1?}",
        bytes as f64 / 1e6,
        started.elapsed()
    );

    if options.archive.is_none() {
        // Ingestion through the command a newsroom runs.
        let status = verbatim()
            .args(["archive", "init", "--url", &url])
            .status()
            .unwrap();
        assert!(status.success());
        let started = Instant::now();
        let output = verbatim()
            .args([
                "archive",
                "ingest",
                "--plain",
                "--collection",
                "wire",
                "--url",
                &url,
            ])
            .arg(folder.join("sources"))
            .output()
            .unwrap();
        let ingest_seconds = started.elapsed().as_secs_f64();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The ingest's own account (its last line; every line with `VERBATIM_LOG=verbatim=debug`).
        let log = String::from_utf8_lossy(&output.stderr);
        if std::env::var_os("VERBATIM_LOG").is_some() {
            eprint!("{log}");
        } else if let Some(last) = log.lines().last() {
            eprintln!("{last}");
        }
        let megabytes = bytes as f64 / 1_048_576.0;
        let _ = writeln!(
            report,
            "ingest: {megabytes:.0} MB in {ingest_seconds:.1} s = {:.1} MB/s",
            megabytes / ingest_seconds
        );
    }
    let stats = verbatim()
        .args(["archive", "stats", "--json", "--url", &url])
        .output()
        .unwrap();
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    let storage =
        stats["articles_bytes"].as_f64().unwrap() + stats["postings_bytes"].as_f64().unwrap();
    let _ = writeln!(
        report,
        "storage: articles {:.0} MB + postings {:.0} MB = {:.2}× the text ({} posting entries in {} rows)",
        stats["articles_bytes"].as_f64().unwrap() / 1_048_576.0,
        stats["postings_bytes"].as_f64().unwrap() / 1_048_576.0,
        storage / stats["text_bytes"].as_f64().unwrap(),
        stats["posting_entries"],
        stats["posting_rows"]
    );

    // Labelled quotes: drafts' quotes with their true source.
    let settings = EngineSettings::default();
    let mut quotes: Vec<(Vec<u64>, Truth, Option<usize>)> = Vec::new();
    let mut drafts = Vec::new();
    for d in 0..20 {
        let draft = corpus::draft(&language, &spec, d);
        for label in &draft.labels {
            let quote = find_quotes(&draft.text, TextFormat::Markdown, &settings)
                .into_iter()
                .find(|q| {
                    // The quote the label marks: their ranges overlap (a label may leave out the marks).
                    q.range.start < label.range.end && label.range.start < q.range.end
                });
            if let Some(quote) = quote {
                quotes.push((
                    quote_shingles(&draft.text, &quote.segments),
                    label.truth,
                    label.source,
                ));
            }
        }
        drafts.push(draft);
    }
    let key_of = |i: usize| {
        spec.source_path(i)
            .trim_start_matches("sources/")
            .to_string()
    };
    let target = Target::parse(&url, UrlOrigin::Given).unwrap();
    let resolved = target
        .resolve(&verbatim::archive::Credentials::default())
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (latencies, found, sourced, by_rank) = runtime.block_on(async {
        let archive = Archive::open_for_lookups(&resolved).await.unwrap();
        // Warm the buffers as an editor's first minutes would.
        for (shingles, _, _) in quotes.iter().take(50) {
            let _ = archive
                .candidates(std::slice::from_ref(shingles))
                .await
                .unwrap();
        }
        let mut latencies = Vec::new();
        let mut found = 0;
        let mut sourced = 0;
        for (shingles, truth, source) in &quotes {
            let started = Instant::now();
            let candidates = archive
                .candidates(std::slice::from_ref(shingles))
                .await
                .unwrap();
            let ids: Vec<i32> = candidates[0].iter().map(|c| c.article).collect();
            let articles = archive.fetch(&ids).await.unwrap();
            latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            if *truth != Truth::Unsourced {
                if let Some(source) = source {
                    sourced += 1;
                    // The true article, or a near-duplicate of it (wire copy carries the same words).
                    let family: Vec<String> = std::iter::once(*source)
                        .chain(spec.copy_of(*source))
                        .map(key_of)
                        .collect();
                    if articles.iter().any(|a| {
                        family.contains(&a.key)
                            || spec_copy_of_key(&spec, &a.key)
                                .is_some_and(|k| family.contains(&key_of(k)))
                    }) {
                        found += 1;
                    } else if std::env::var_os("VERBATIM_BENCH_DEBUG").is_some() {
                        eprintln!(
                            "miss: {truth:?} {} shingles, family {family:?}, candidates {:?}, keys {:?}",
                            shingles.len(),
                            candidates[0]
                                .iter()
                                .map(|c| (c.article, c.votes, c.score))
                                .collect::<Vec<_>>(),
                            articles.iter().map(|a| a.key.clone()).collect::<Vec<_>>()
                        );
                    }
                }
            }
        }
        // Recall by rank (untimed): where the true article (or a copy) first appears among the ranked
        // candidates, to show what the cut-off to CANDIDATES_PER_QUOTE costs.
        let keys: std::collections::HashMap<i32, String> = archive
            .client
            .query("SELECT id, key FROM articles", &[])
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        let cuts = [1usize, 2, 4, 8, 16, 32];
        let mut within = [0usize; 6];
        for (shingles, truth, source) in &quotes {
            let (Some(source), false) = (source, *truth == Truth::Unsourced) else {
                continue;
            };
            let family: Vec<String> = std::iter::once(*source)
                .chain(spec.copy_of(*source))
                .map(key_of)
                .collect();
            let ranked = archive
                .ranked_candidates(std::slice::from_ref(shingles), 32)
                .await
                .unwrap();
            let position = ranked[0].iter().position(|c| {
                keys.get(&c.article).is_some_and(|key| {
                    family.contains(key)
                        || spec_copy_of_key(&spec, key).is_some_and(|k| family.contains(&key_of(k)))
                })
            });
            for (cut, count) in cuts.iter().zip(within.iter_mut()) {
                if position.is_some_and(|p| p < *cut) {
                    *count += 1;
                }
            }
        }
        let by_rank = cuts
            .iter()
            .zip(within)
            .map(|(cut, count)| format!("top {cut} {:.1}%", 100.0 * count as f64 / sourced.max(1) as f64))
            .collect::<Vec<_>>()
            .join(", ");
        (latencies, found, sourced, by_rank)
    });
    let mut latencies = latencies;
    let _ = writeln!(
        report,
        "lookup per quote (candidates + fetch), {} quotes: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms",
        latencies.len(),
        percentile(&mut latencies, 50.0),
        percentile(&mut latencies, 95.0),
        percentile(&mut latencies, 99.0)
    );
    let _ = writeln!(
        report,
        "candidate recall: {found}/{sourced} = {:.1}% of sourced quotes find their article (or its wire copy)",
        100.0 * found as f64 / sourced.max(1) as f64
    );
    let _ = writeln!(report, "candidate recall by rank: {by_rank}");

    // A 60-quote draft against local sources plus the archive (the local corpus is the first `local`
    // articles of another seed, so the archive has to supply the quoted ones).
    let local_spec = CorpusSpec {
        seed: 0x10CA1,
        ..CorpusSpec::new(options.local)
    };
    let mut local = Corpus::new();
    local.begin_bulk_load();
    let prepared: Vec<_> = (0..options.local)
        .into_par_iter()
        .map(|i| {
            let article = corpus::article(&language, &local_spec, i);
            Corpus::prepare_source(
                &local_spec.source_path(i),
                corpus::render_article(&language, &article),
                TextFormat::Markdown,
            )
        })
        .collect();
    for p in prepared {
        local.insert_prepared(p);
    }
    local.finish_bulk_load();
    let mut draft_times = Vec::new();
    let mut archive_times = Vec::new();
    let mut check_times = Vec::new();
    let mut verified_with_archive = 0;
    let mut total_quotes = 0;
    let mut uncredited = 0;
    let mut fetched = 0;
    let reuse = ReuseSettings::default();
    // The same drafts' lookups for their quotes alone (prose not asked about), on a corpus of their own, for
    // what the prose windows add.
    let quotes_only = ReuseSettings {
        enabled: false,
        ..ReuseSettings::default()
    };
    let mut quote_times = Vec::new();
    let mut quote_fetched = 0;
    {
        let mut session = verbatim::cli::archive::ArchiveSession::new(resolved.clone());
        let mut corpus = Corpus::new();
        for draft in drafts.iter().take(10) {
            let texts = vec![(draft.text.clone(), TextFormat::Markdown)];
            let started = Instant::now();
            quote_fetched += session
                .add_candidates(&mut corpus, &texts, &settings, &quotes_only)
                .unwrap();
            quote_times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    // One connection for the drafts, as an editor keeps one per folder (the first draft's time includes
    // connecting).
    let mut session = verbatim::cli::archive::ArchiveSession::new(resolved.clone());
    for draft in drafts.iter().take(10) {
        // Articles found for earlier drafts stay in the corpus, as they do in an editor session.
        let corpus = &mut local;
        let started = Instant::now();
        let texts = vec![(draft.text.clone(), TextFormat::Markdown)];
        fetched += session
            .add_candidates(corpus, &texts, &settings, &reuse)
            .unwrap();
        let looked_up = started.elapsed();
        // The quotes and the prose outside them, side by side, as `verbatim check` and the editor do.
        let (findings, copied) = rayon::join(
            || corpus.check_draft(&draft.text, TextFormat::Markdown, &settings),
            || {
                corpus.check_reuse(
                    &draft.text,
                    TextFormat::Markdown,
                    &reuse,
                    &mut ReuseCache::new(),
                )
            },
        );
        uncredited += copied.len();
        draft_times.push(started.elapsed().as_secs_f64() * 1000.0);
        archive_times.push(looked_up.as_secs_f64() * 1000.0);
        check_times.push((started.elapsed() - looked_up).as_secs_f64() * 1000.0);
        total_quotes += findings.len();
        verified_with_archive += findings
            .iter()
            .filter(|f| f.verdict == verbatim::engine::Verdict::Verified)
            .count();
    }
    let _ = writeln!(
        report,
        "60-quote draft, local {} + archive {}: p50 {:.1} ms, max {:.1} ms (lookup of the quotes and the prose windows, fetch, indexing of the fetched articles, the quote check and the uncredited-copying check; {verified_with_archive}/{total_quotes} quotes verified, {uncredited} uncredited stretches)",
        options.local,
        options.articles,
        percentile(&mut draft_times.clone(), 50.0),
        draft_times.iter().cloned().fold(0.0, f64::max)
    );
    let _ = writeln!(
        report,
        "  of which the archive (lookup, fetch, reading and adding the articles) p50 {:.1} ms, the check p50 {:.1} ms",
        percentile(&mut archive_times, 50.0),
        percentile(&mut check_times, 50.0),
    );
    let _ = writeln!(
        report,
        "  the archive's part for the quotes alone p50 {:.1} ms ({quote_fetched} articles fetched for 10 drafts), with the prose windows {fetched} articles",
        percentile(&mut quote_times, 50.0),
    );

    // Concurrent editor sessions: each its own connection, looking up a quote and two prose windows (and
    // fetching what they find) as a writer's edits would.
    let sessions = options.sessions;
    let per_session: Vec<Vec<u64>> = quotes.iter().map(|(s, _, _)| s.clone()).collect();
    // An edit also changes its paragraph's prose windows (two, typically), asked about with the quote.
    let prose: Vec<Vec<u64>> = drafts
        .iter()
        .flat_map(|draft| prose_window_shingles(&draft.text, TextFormat::Markdown, reuse.min_words))
        .collect();
    let concurrent = runtime.block_on(async {
        let mut handles = Vec::new();
        for session in 0..sessions {
            let resolved = resolved.clone();
            let quotes = per_session.clone();
            let prose = prose.clone();
            handles.push(tokio::spawn(async move {
                let archive = Archive::open_for_lookups(&resolved).await.unwrap();
                let mut latencies = Vec::new();
                let deadline = Instant::now() + Duration::from_secs(10);
                let mut index = session * 37;
                while Instant::now() < deadline {
                    let shingles = &quotes[index % quotes.len()];
                    index += 1;
                    let started = Instant::now();
                    let windows = [
                        prose[(2 * index) % prose.len()].clone(),
                        prose[(2 * index + 1) % prose.len()].clone(),
                    ];
                    let _ = archive
                        .candidate_articles(std::slice::from_ref(shingles), &windows)
                        .await
                        .unwrap();
                    latencies.push(started.elapsed().as_secs_f64() * 1000.0);
                    // A writer's pace: a changed quote every 100 ms at most.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                latencies
            }));
        }
        let mut all = Vec::new();
        for handle in handles {
            all.extend(handle.await.unwrap());
        }
        all
    });
    let mut concurrent = concurrent;
    let _ = writeln!(
        report,
        "{sessions} concurrent sessions, 10 s, {} lookups (a quote and two prose windows each, with the fetch): p50 {:.2} ms, p95 {:.2} ms",
        concurrent.len(),
        percentile(&mut concurrent, 50.0),
        percentile(&mut concurrent, 95.0)
    );
    print!("{report}");
    if let Some(path) = &options.report {
        std::fs::write(path, &report).unwrap();
    }
    if !options.keep {
        let _ = std::fs::remove_dir_all(&folder);
    }
}

/// The article a key's article re-runs, if any (keys are `NNN/aNNNNNN.md`).
fn spec_copy_of_key(spec: &CorpusSpec, key: &str) -> Option<usize> {
    let index: usize = key
        .rsplit('/')
        .next()?
        .trim_start_matches('a')
        .trim_end_matches(".md")
        .parse()
        .ok()?;
    spec.copy_of(index)
}
