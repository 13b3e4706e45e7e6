//! The persisted index: a second load of a workspace restores unchanged sources from the cache directory and
//! indexes only what changed, with the same findings as a fresh load.

use std::fs;
use std::sync::{Mutex, MutexGuard};

use tempfile::TempDir;

use verbatim::engine::{Corpus, TextFormat, Verdict};
use verbatim::workspace::{cache_file, Workspace};

/// The cache directory comes from the environment: tests that set it take turns.
static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// Takes this test's turn with the environment and points the cache at a new directory, for sources of any
/// size; returns the turn, the cache directory and a workspace root with an empty `sources` folder.
fn cache_and_root() -> (MutexGuard<'static, ()>, TempDir, TempDir) {
    let environment = ENVIRONMENT.lock().unwrap_or_else(|p| p.into_inner());
    let cache = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    std::env::set_var("VERBATIM_CACHE_DIR", cache.path());
    std::env::set_var("VERBATIM_CACHE_MIN_BYTES", "0");
    fs::create_dir_all(root.path().join("sources")).unwrap();
    (environment, cache, root)
}

/// The verdicts of the draft's quotes, in order.
fn verdicts(corpus: &Corpus, draft: &str) -> Vec<Verdict> {
    let settings = verbatim::engine::EngineSettings::default();
    corpus
        .check_draft(draft, TextFormat::Markdown, &settings)
        .iter()
        .map(|f| f.verdict)
        .collect()
}

#[test]
fn warm_start_restores_unchanged_sources_and_reindexes_changed_ones() {
    let (_environment, cache, root) = cache_and_root();
    let statement = "The parties oppose the further expansion of NATO and call for the North Atlantic Alliance.";
    fs::write(
        root.path().join("sources/a.md"),
        format!("---\ntitle: A\n---\n\n{statement}\n"),
    )
    .unwrap();
    fs::write(
        root.path().join("sources/b.txt"),
        "Moscow has consistently denied that it has any aggressive intentions.\n",
    )
    .unwrap();
    let draft = "“The parties oppose the further expansion of NATO” and “Moscow has always denied that it has any aggressive intentions”";

    let load = || {
        let workspace = Workspace::open(root.path());
        let mut corpus = Corpus::new();
        let messages =
            workspace.load_sources(&mut corpus, &workspace.discover_sources(), &|_, _| {});
        assert!(messages.is_empty(), "{messages:?}");
        (workspace, corpus)
    };
    let verdicts = |corpus: &Corpus| verdicts(corpus, draft);

    let (workspace, mut fresh) = load();
    assert!(
        fresh.is_saved(),
        "the first load writes its snapshot as it reads the sources"
    );
    let file = cache_file(&workspace.root).unwrap();
    assert!(file.starts_with(cache.path()) && file.is_file());
    assert!(
        !workspace.save_cache(&mut fresh).unwrap(),
        "nothing changed: nothing written"
    );

    let (_, warm) = load();
    assert!(warm.is_saved(), "every source came from the snapshot");
    assert_eq!(verdicts(&warm), verdicts(&fresh));
    assert_eq!(verdicts(&warm), [Verdict::Verified, Verdict::Drift]);

    fs::write(
        root.path().join("sources/b.txt"),
        "Moscow has always denied that it has any aggressive intentions.\n",
    )
    .unwrap();
    let (workspace, mut changed) = load();
    assert!(!changed.is_saved(), "the changed source was indexed again");
    assert_eq!(verdicts(&changed), [Verdict::Verified, Verdict::Verified]);
    assert!(workspace.save_cache(&mut changed).unwrap());

    fs::write(cache_file(&workspace.root).unwrap(), b"not a snapshot").unwrap();
    let (_, recovered) = load();
    assert_eq!(
        verdicts(&recovered),
        [Verdict::Verified, Verdict::Verified],
        "a broken cache is ignored"
    );
}

/// Damaged snapshots, touched files and files changed behind the stamps' back.
#[test]
fn damaged_snapshots_and_changed_files_are_caught() {
    let (_environment, _cache, root) = cache_and_root();
    let a = root.path().join("sources/a.md");
    let b = root.path().join("sources/b.txt");
    fs::write(
        &a,
        "---\ntitle: A\n---\n\nThe parties oppose the further expansion of NATO.\n",
    )
    .unwrap();
    fs::write(
        &b,
        "Moscow has consistently denied that it has any aggressive intentions.\n",
    )
    .unwrap();
    let draft = "“The parties oppose the further expansion of NATO” and “Moscow has consistently denied that it has any aggressive intentions”";
    let verdicts = |corpus: &Corpus| verdicts(corpus, draft);
    let workspace = Workspace::open(root.path());
    let paths = workspace.discover_sources();
    let trusting = || {
        let mut corpus = Corpus::new();
        let (messages, restored) = workspace.load_sources_trusting(&mut corpus, &paths, &|_, _| {});
        assert!(messages.is_empty(), "{messages:?}");
        (corpus, restored)
    };
    let (mut corpus, restored) = trusting();
    assert!(restored.sources.is_empty(), "no snapshot yet");
    assert!(corpus.is_saved(), "written while loading");
    assert!(!workspace.save_cache(&mut corpus).unwrap());
    let expected = verdicts(&corpus);
    assert_eq!(expected, [Verdict::Verified, Verdict::Verified]);
    let file = cache_file(&workspace.root).unwrap();
    let good = fs::read(&file).unwrap();

    // Truncated, and bytes flipped here and there: ignored or caught, same verdicts, no panic.
    let mut damaged = vec![
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 1].to_vec(),
    ];
    for at in [
        20,
        40,
        130,
        good.len() / 3,
        good.len() / 2,
        good.len() - 40,
        good.len() - 3,
    ] {
        let mut bytes = good.clone();
        bytes[at] ^= 0xFF;
        damaged.push(bytes);
    }
    for bytes in damaged {
        fs::write(&file, &bytes).unwrap();
        let (mut corpus, restored) = trusting();
        workspace.verify_restored(&mut corpus, &restored);
        assert_eq!(verdicts(&corpus), expected);
    }
    fs::write(&file, &good).unwrap();

    // Touched (new mtime, same content): indexed again, same verdicts.
    let touched = fs::metadata(&b).unwrap().modified().unwrap() + std::time::Duration::from_secs(5);
    fs::File::options()
        .write(true)
        .open(&b)
        .unwrap()
        .set_modified(touched)
        .unwrap();
    let (corpus, restored) = trusting();
    assert_eq!(restored.sources.len(), 1, "only a.md is trusted");
    assert!(!corpus.is_saved());
    assert_eq!(verdicts(&corpus), expected);

    // Same size and mtime, other content: trusted at first, fixed by the content check.
    fs::write(&file, &good).unwrap();
    let (mut corpus, _) = trusting();
    assert!(workspace.save_cache(&mut corpus).unwrap());
    let stamp = fs::metadata(&b).unwrap().modified().unwrap();
    fs::write(
        &b,
        "Moscow has consistently backed that it has any aggressive intentions.\n",
    )
    .unwrap();
    fs::File::options()
        .write(true)
        .open(&b)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    let (mut corpus, restored) = trusting();
    assert_eq!(restored.sources.len(), 2, "both trusted by their stamps");
    assert_eq!(verdicts(&corpus), expected, "not checked yet");
    workspace.verify_restored(&mut corpus, &restored);
    assert_eq!(verdicts(&corpus), [Verdict::Verified, Verdict::Drift]);
}

/// A cache directory that cannot be written: the cold load falls back to keeping everything in memory.
#[test]
fn an_unwritable_cache_falls_back_to_memory() {
    let _environment = ENVIRONMENT.lock().unwrap_or_else(|p| p.into_inner());
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let root = tempfile::tempdir().unwrap();
    // A file where the cache folder should be: creating the snapshot fails.
    std::env::set_var("VERBATIM_CACHE_DIR", blocker.path().join("cache"));
    std::env::set_var("VERBATIM_CACHE_MIN_BYTES", "0");
    fs::create_dir_all(root.path().join("sources")).unwrap();
    fs::write(
        root.path().join("sources/a.md"),
        "The parties oppose the further expansion of NATO.\n",
    )
    .unwrap();
    let workspace = Workspace::open(root.path());
    let mut corpus = Corpus::new();
    let messages = workspace.load_sources(&mut corpus, &workspace.discover_sources(), &|_, _| {});
    assert!(messages.is_empty(), "{messages:?}");
    assert_eq!(corpus.len(), 1);
    let settings = verbatim::engine::EngineSettings::default();
    let findings = corpus.check_draft(
        "“The parties oppose the further expansion of NATO”",
        TextFormat::Markdown,
        &settings,
    );
    assert_eq!(findings[0].verdict, Verdict::Verified);
    assert!(workspace.save_cache(&mut corpus).is_err());
}
