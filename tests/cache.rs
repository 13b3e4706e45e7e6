//! The persisted index: a second load of a workspace restores unchanged sources from the cache directory and
//! indexes only what changed, with the same findings as a fresh load.

use std::fs;

use verbatim::engine::{Corpus, TextFormat, Verdict};
use verbatim::workspace::{cache_file, Workspace};

#[test]
fn warm_start_restores_unchanged_sources_and_reindexes_changed_ones() {
    let cache = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    // This test binary holds only this test, so setting the environment cannot race with another test.
    std::env::set_var("VERBATIM_CACHE_DIR", cache.path());
    std::env::set_var("VERBATIM_CACHE_MIN_BYTES", "0");
    fs::create_dir_all(root.path().join("sources")).unwrap();
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
    let verdicts = |corpus: &Corpus| -> Vec<Verdict> {
        let settings = verbatim::engine::EngineSettings::default();
        corpus
            .check_draft(draft, TextFormat::Markdown, &settings)
            .iter()
            .map(|f| f.verdict)
            .collect()
    };

    let (workspace, mut fresh) = load();
    assert!(!fresh.is_saved());
    assert!(
        workspace.save_cache(&mut fresh).unwrap(),
        "the first load writes a snapshot"
    );
    assert!(cache_file(&workspace.root)
        .unwrap()
        .starts_with(cache.path()));
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
