//! The archive against a real PostgreSQL (a throwaway cluster this test starts): schema migrations, ingestion
//! (idempotent, replacing, deleting, recovering an interrupted run), roles, and the promise that an archived
//! article gives exactly the verdict it gives as a local source — on every fixture.

#[path = "support/postgres.rs"]
mod postgres;

use std::path::{Path, PathBuf};
use std::process::Command;

use postgres::cluster;

fn verbatim() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_verbatim"));
    command.env_remove(verbatim::cli::archive::ARCHIVE_URL_VARIABLE);
    command.env("VERBATIM_LOG", "warn");
    command
}

fn run_ok(command: &mut Command) -> (String, String) {
    let output = command.output().expect("verbatim runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed ({:?})\nstdout: {stdout}\nstderr: {stderr}",
        output.status.code()
    );
    (stdout, stderr)
}

fn stats(url: &str) -> serde_json::Value {
    let (stdout, _) = run_ok(verbatim().args(["archive", "stats", "--json", "--url", url]));
    serde_json::from_str(&stdout).expect("stats are JSON")
}

/// A new archive in `database` holding the files of `folder`, ingested as a newsroom would; its URL.
fn archive_of(database: &str, folder: &Path) -> String {
    let url = cluster().database(database);
    run_ok(verbatim().args(["archive", "init", "--url", &url]));
    run_ok(
        verbatim()
            .args(["archive", "ingest", "--plain", "--url", &url])
            .arg(folder),
    );
    url
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

#[test]
fn init_is_idempotent() {
    let url = cluster().database("archive_init");
    let (_, first) = run_ok(verbatim().args(["archive", "init", "--url", &url]));
    assert!(first.contains("applied migration 1"), "{first}");
    assert!(first.contains("applied migration 2"), "{first}");
    assert!(first.contains("applied migration 3"), "{first}");
    assert!(first.contains("applied migration 5"), "{first}");
    let (_, second) = run_ok(verbatim().args(["archive", "init", "--url", &url]));
    assert!(second.contains("up to date"), "{second}");
    assert_eq!(stats(&url)["articles"], 0);
}

/// An archive left at schema 3 (postings as `bigint[]`) upgrades in place: its entries become 6-byte big-endian
/// bytes (the hash's low 16 bits and the article id; 8 bytes at schema 4), in order, and what was searchable
/// stays searchable.
#[test]
fn an_archive_of_schema_3_upgrades_in_place() {
    let url = cluster().database("archive_upgrade");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let report = verbatim::archive::schema::migrate_through(&mut client, 3)
            .await
            .unwrap();
        assert_eq!(report.version, 3);
        client
            .batch_execute(
                "INSERT INTO articles (collection, key, content_hash, bytes, format, text)
                   VALUES ('wire', 'a.md', '\\x00', 1, 'markdown', 'one'),
                          ('wire', 'b.md', '\\x01', 1, 'markdown', 'two');
                 UPDATE verbatim_settings SET value = '2' WHERE key = 'searchable_through';
                 INSERT INTO postings VALUES
                   (5, ARRAY[(7::bigint << 32) | 1, (-1::bigint << 32) | 2]),
                   (5, ARRAY[(9::bigint << 32) | 2]),
                   (6, '{}');
                 INSERT INTO postings_staging VALUES (8, ARRAY[(3::bigint << 32) | 1]);",
            )
            .await
            .unwrap();
    });
    let (_, upgraded) = run_ok(verbatim().args(["archive", "init", "--url", &url]));
    assert!(upgraded.contains("applied migration 4"), "{upgraded}");
    assert!(upgraded.contains("applied migration 5"), "{upgraded}");
    assert!(!upgraded.contains("applied migration 3"), "{upgraded}");
    let after = stats(&url);
    assert_eq!(after["schema_version"], 5);
    assert_eq!(after["articles"], 2);
    assert_eq!(after["unindexed"], 0);
    assert_eq!(after["posting_entries"], 3);
    cluster().sql(
        "archive_upgrade",
        "DO $$ DECLARE got text; BEGIN
           SELECT string_agg(bucket || ':' || encode(entries, 'hex'), ' ' ORDER BY bucket, length(entries) DESC)
             INTO got FROM postings;
           IF got IS DISTINCT FROM '5:000700000001ffff00000002 5:000900000002 6:' THEN
             RAISE EXCEPTION 'postings after the upgrade: %', got;
           END IF;
           SELECT string_agg(bucket || ':' || encode(entries, 'hex'), ' ') INTO got FROM postings_staging;
           IF got IS DISTINCT FROM '8:000300000001' THEN
             RAISE EXCEPTION 'staged postings after the upgrade: %', got;
           END IF;
           IF (SELECT attstorage FROM pg_attribute WHERE attrelid = 'postings_p0'::regclass
                 AND attname = 'entries') <> 'e' THEN
             RAISE EXCEPTION 'posting entries are not stored uncompressed';
           END IF;
         END $$",
    );
}

#[test]
fn ingest_adds_only_what_changed_and_deletes_missing_files() {
    let url = cluster().database("archive_ingest");
    run_ok(verbatim().args(["archive", "init", "--url", &url]));
    let folder = tempfile::tempdir().unwrap();
    let wire = folder.path().join("wire");
    std::fs::create_dir_all(wire.join("2022")).unwrap();
    let seeds = fixtures().join("demo/sources");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&seeds).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), wire.join("2022").join(entry.file_name())).unwrap();
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    let wire_text = wire.to_string_lossy().to_string();
    let (_, stderr) =
        run_ok(verbatim().args(["archive", "ingest", "--plain", "--url", &url, &wire_text]));
    assert!(
        stderr.contains(&format!("{} added", names.len())),
        "{stderr}"
    );
    let after = stats(&url);
    assert_eq!(after["articles"], names.len());
    assert_eq!(after["unindexed"], 0);
    assert!(after["posting_entries"].as_i64().unwrap() > 0);

    // Again: nothing changed.
    let (_, stderr) =
        run_ok(verbatim().args(["archive", "ingest", "--plain", "--url", &url, &wire_text]));
    assert!(stderr.contains("0 added, 0 replaced"), "{stderr}");
    assert!(
        stderr.contains(&format!("{} unchanged", names.len())),
        "{stderr}"
    );

    // One file edited, one removed: replaced, and removed only with --delete-missing.
    let edited = wire.join("2022").join(&names[0]);
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str(
        "\n\nA paragraph added later, with words nobody else has written in this archive.\n",
    );
    std::fs::write(&edited, text).unwrap();
    std::fs::remove_file(wire.join("2022").join(&names[1])).unwrap();
    let (_, stderr) =
        run_ok(verbatim().args(["archive", "ingest", "--plain", "--url", &url, &wire_text]));
    assert!(stderr.contains("0 added, 1 replaced"), "{stderr}");
    assert_eq!(stats(&url)["articles"], names.len());
    let (_, stderr) = run_ok(verbatim().args([
        "archive",
        "ingest",
        "--plain",
        "--delete-missing",
        "--url",
        &url,
        &wire_text,
    ]));
    assert!(stderr.contains("1 removed"), "{stderr}");
    let pruned = stats(&url);
    assert_eq!(pruned["articles"], names.len() - 1);
    // The replaced and removed articles' entries went, the others' stayed: as many as a fresh ingest has.
    let fresh = archive_of("archive_ingest_fresh", &wire);
    assert_eq!(pruned["posting_entries"], stats(&fresh)["posting_entries"]);

    // Removing the collection empties the archive, postings included.
    run_ok(verbatim().args(["archive", "remove", "--url", &url, "--collection", "wire"]));
    let empty = stats(&url);
    assert_eq!(empty["articles"], 0);
    assert_eq!(empty["posting_entries"], 0);
}

/// Every fixture: its sources ingested into the archive, its drafts checked with no local sources but the
/// archive give the same verdict, passage text and edits as with the sources local — uncredited copying in
/// their prose as well as their quotes.
#[test]
fn an_archived_article_gives_the_verdict_of_a_local_source() {
    let url = cluster().database("archive_verdicts");
    run_ok(verbatim().args(["archive", "init", "--url", &url]));
    let cases = fixtures().join("cases");
    let mut compared = 0;
    let mut copied = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&cases)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for case in entries {
        let sources = case.join("sources");
        if !sources.is_dir() || case.join("verbatim.toml").is_file() {
            // Cases with custom settings (globs, thresholds) are not about where sources live.
            continue;
        }
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let local = check_json(&case, None);
        // The same drafts, in a workspace without sources, against the archive holding only this case.
        run_ok(verbatim().args(["archive", "remove", "--url", &url, "--collection", "case"]));
        run_ok(verbatim().args([
            "archive",
            "ingest",
            "--plain",
            "--collection",
            "case",
            "--url",
            &url,
            &sources.to_string_lossy(),
        ]));
        let bare = tempfile::tempdir().unwrap();
        copy_drafts(&case, bare.path());
        std::fs::write(
            bare.path().join("verbatim.toml"),
            "sources = [\"nothing/**\"]\n",
        )
        .unwrap();
        let archived = check_json(bare.path(), Some(&url));
        assert_eq!(
            local.len(),
            archived.len(),
            "{name}: {} findings locally, {} with the archive",
            local.len(),
            archived.len()
        );
        for (l, a) in local.iter().zip(&archived) {
            assert_eq!(
                l["range"], a["range"],
                "{name}: the findings are in the same order"
            );
            assert_eq!(
                l["code"], a["code"],
                "{name}: the verdict differs\nlocal: {l}\narchive: {a}"
            );
            // An unsourced quote's "closest" hint may come from any local source that shares a word; the
            // archive only proposes articles sharing a three-word run. The verdict is what must agree.
            if l["code"] != "unsourced" {
                let extracted = is_extracted(l);
                let (l, a) = (in_stored_text(l, extracted), in_stored_text(a, extracted));
                let (l, a) = (&l, &a);
                for key in ["edits", "similarity", "message", "notes"] {
                    assert_eq!(
                        l[key], a[key],
                        "{name}: `{key}` differs\nlocal: {l}\narchive: {a}"
                    );
                }
                assert_eq!(
                    l["also_in"].as_array().map(Vec::len),
                    a["also_in"].as_array().map(Vec::len),
                    "{name}: also_in differs\nlocal: {l}\narchive: {a}"
                );
            }
            let local_source = l["source"].as_str().unwrap_or_default();
            let archived_source = a["source"].as_str().unwrap_or_default();
            if !local_source.is_empty() {
                let file = Path::new(local_source)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                assert!(
                    archived_source.starts_with("archive:case/")
                        && archived_source.ends_with(&file),
                    "{name}: source {archived_source} for {local_source}"
                );
            }
            compared += 1;
            if l["code"] == "uncredited" {
                copied += 1;
            }
        }
    }
    assert!(compared > 50, "only {compared} findings compared");
    eprintln!("{compared} findings compared, {copied} of them uncredited copying");
    assert!(copied >= 5, "only {copied} uncredited findings compared");
}

fn copy_drafts(case: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(case) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(case).unwrap();
        if relative.starts_with("sources") || relative.as_os_str().is_empty() {
            continue;
        }
        let name = relative.to_string_lossy();
        if name == "expected.toml" || name == "verbatim.toml" {
            continue;
        }
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// `verbatim check --format json` findings, sorted by draft and position, with the draft path made relative.
fn check_json(root: &Path, archive: Option<&str>) -> Vec<serde_json::Value> {
    let mut command = verbatim();
    command.args(["check", "--format", "json", "--fail-on", "never", "--root"]);
    command.arg(root);
    if let Some(url) = archive {
        command.args(["--archive", url]);
    }
    let (stdout, _) = run_ok(&mut command);
    let mut findings: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON Lines"))
        .collect();
    for finding in &mut findings {
        if let Some(draft) = finding["draft"].as_str() {
            let relative = draft
                .strip_prefix(&root.to_string_lossy().to_string())
                .unwrap_or(draft)
                .trim_start_matches('/')
                .to_string();
            finding["draft"] = serde_json::Value::String(relative);
        }
    }
    findings.sort_by_key(|f| (f["draft"].to_string(), f["range"].to_string()));
    findings
}

#[test]
fn an_unreachable_archive_leaves_the_local_check() {
    let folder = tempfile::tempdir().unwrap();
    let missing = folder.path().join("no-server");
    std::fs::create_dir_all(&missing).unwrap();
    let url = format!(
        "host={} user=nobody dbname=none connect_timeout=2",
        missing.display()
    );
    let output = verbatim()
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "--archive",
            &url,
            "--root",
        ])
        .arg(fixtures().join("demo"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("archive"), "one clear warning: {stderr}");
    let findings = String::from_utf8_lossy(&output.stdout).lines().count();
    assert!(
        findings >= 20,
        "the local check went on: {findings} findings"
    );
}

/// A draft with no quotation at all: its prose repeating an archived article is found (asked about window by
/// window), named by the article's title, its range the copied words; the same prose crediting the outlet is not
/// a finding, nor a set phrase the draft shares with both articles.
#[test]
fn copying_from_an_archived_article_is_found_in_prose_without_quotes() {
    let sources = tempfile::tempdir().unwrap();
    std::fs::write(
        sources.path().join("harbour.md"),
        "---\ntitle: Harbour Board Delays the Eastern Quay\nauthor: Northern Courier\ndate: 2024-03-02\n---\n\n\
         The harbour board voted on Tuesday to postpone the rebuilding of the eastern quay until the spring of \
         2026, citing a shortfall of four million euros in the regional infrastructure fund.\n\n\
         Fishermen who moor along the quay said in a statement on Tuesday that they were disappointed.\n",
    )
    .unwrap();
    std::fs::write(
        sources.path().join("other.md"),
        "---\ntitle: Ferry Timetable Changes\nauthor: Island Post\n---\n\nThe ferry company said in a statement \
         on Tuesday that they were disappointed by the weather, and the evening crossing moves to seven.\n",
    )
    .unwrap();
    let url = archive_of("archive_copying", sources.path());
    let drafts = tempfile::tempdir().unwrap();
    std::fs::write(
        drafts.path().join("verbatim.toml"),
        "sources = [\"nothing/**\"]\n",
    )
    .unwrap();
    std::fs::write(
        drafts.path().join("copied.md"),
        "# Quay\n\nLocal news. The harbour board voted on Tuesday to postpone the rebuilding of the eastern quay \
         until the spring of 2026, citing a shortfall in the fund. Nobody was surprised.\n\n\
         Officials said in a statement that the vote had been expected for weeks.\n",
    )
    .unwrap();
    std::fs::write(
        drafts.path().join("credited.md"),
        "# Quay\n\nAccording to the Northern Courier, the harbour board voted on Tuesday to postpone the \
         rebuilding of the eastern quay until the spring of 2026.\n",
    )
    .unwrap();
    let findings = check_json(drafts.path(), Some(&url));
    let copied: Vec<_> = findings
        .iter()
        .filter(|f| f["code"] == "uncredited")
        .collect();
    assert_eq!(copied.len(), 1, "{findings:#?}");
    let finding = copied[0];
    assert!(
        finding["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("copied.md")),
        "{finding}"
    );
    let source = &finding["source"];
    assert!(
        source["path"]
            .as_str()
            .is_some_and(|s| s.starts_with("archive:") && s.ends_with("harbour.md")),
        "{finding}"
    );
    assert_eq!(source["title"], "Harbour Board Delays the Eastern Quay");
    // The copied words of the third line (the paragraph after the heading), not the writer's own around them.
    let text = std::fs::read_to_string(drafts.path().join("copied.md")).unwrap();
    let line = text.lines().nth(2).unwrap();
    let range = &finding["range"];
    assert_eq!(range["start"]["line"], 2);
    assert_eq!(range["end"]["line"], 2);
    let (start, end) = (
        range["start"]["character"].as_u64().unwrap() as usize,
        range["end"]["character"].as_u64().unwrap() as usize,
    );
    assert!(
        line[start..end].starts_with("The harbour board voted on Tuesday")
            && line[start..end].contains("spring of 2026"),
        "{}",
        &line[start..end]
    );
    // The same prose, with reuse turned off, asks the archive nothing about it and finds nothing.
    std::fs::write(
        drafts.path().join("verbatim.toml"),
        "sources = [\"nothing/**\"]\n[reuse]\nenabled = false\n",
    )
    .unwrap();
    assert!(check_json(drafts.path(), Some(&url)).is_empty());
}

#[test]
fn a_reader_role_checks_but_cannot_ingest() {
    archive_of("archive_roles", &fixtures().join("demo/sources"));
    let cluster = cluster();
    // The grants README.md documents for editors and CI.
    cluster.sql(
        "archive_roles",
        "DROP ROLE IF EXISTS verbatim_reader;
         CREATE ROLE verbatim_reader LOGIN;
         GRANT USAGE ON SCHEMA public TO verbatim_reader;
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO verbatim_reader;",
    );
    let reader_url = cluster.url("archive_roles", "verbatim_reader");
    let bare = tempfile::tempdir().unwrap();
    copy_drafts(&fixtures().join("demo"), bare.path());
    std::fs::write(
        bare.path().join("verbatim.toml"),
        "sources = [\"nothing/**\"]\n",
    )
    .unwrap();
    let findings = check_json(bare.path(), Some(&reader_url));
    assert!(
        findings.iter().any(|f| f["code"] == "verified"),
        "the reader finds verified quotes in the archive"
    );
    let output = verbatim()
        .args(["archive", "ingest", "--plain", "--url", &reader_url])
        .arg(fixtures().join("demo/sources"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("permission denied"), "{stderr}");
}

#[test]
fn a_password_in_verbatim_toml_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("verbatim.toml"),
        "[archive]\nurl = \"postgresql://editor:secret@db.example/archive\"\n",
    )
    .unwrap();
    let output = verbatim()
        .current_dir(folder.path())
        .args(["archive", "stats"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("password") && !stderr.contains("secret"),
        "{stderr}"
    );
}

/// Whether a local finding's source is in another format than Markdown or plain text.
fn is_extracted(finding: &serde_json::Value) -> bool {
    let path = finding["source"]["path"].as_str().unwrap_or_default();
    [".html", ".htm", ".pdf", ".srt", ".vtt", ".docx"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// A finding with the source ranges of its edits left out when the local source is in another format (web
/// page, PDF, transcript, .docx): locally they are places in that file, in the archive places in the stored
/// extracted text.
fn in_stored_text(finding: &serde_json::Value, extracted: bool) -> serde_json::Value {
    let mut finding = finding.clone();
    if extracted {
        if let Some(edits) = finding["edits"].as_array_mut() {
            for edit in edits {
                if let Some(edit) = edit.as_object_mut() {
                    edit.remove("source_range");
                }
            }
        }
    }
    finding
}

/// An ingest cut off after some batches were committed (its connection dropped before `finish`): the articles
/// it wrote are stored but not searchable, the archive answers as before, and the next ingest completes them.
#[test]
fn an_interrupted_ingest_is_invisible_until_the_next_one_completes_it() {
    use verbatim::archive::{Archive, Ingest, NewArticle, INGEST_TIMEOUT};
    use verbatim::workspace::archive_files::{
        archive_inputs, archive_target, content_hash, read_archive_file,
    };

    let url = cluster().database("archive_interrupted");
    run_ok(verbatim().args(["archive", "init", "--url", &url]));
    let folder = tempfile::tempdir().unwrap();
    let wire = folder.path().join("wire");
    std::fs::create_dir_all(&wire).unwrap();
    for entry in std::fs::read_dir(fixtures().join("demo/sources")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), wire.join(entry.file_name())).unwrap();
    }
    let inputs = archive_inputs(std::slice::from_ref(&wire), None).unwrap();
    assert!(!inputs.is_empty());
    let target = archive_target(Some(&url), None).unwrap().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut archive = Archive::open(&target, INGEST_TIMEOUT).await.unwrap();
        let collections = vec![inputs[0].collection.clone()];
        let mut ingest = Ingest::begin(&mut archive, &collections).await.unwrap();
        for input in &inputs {
            let bytes = read_archive_file(&input.path, 64 << 20).unwrap();
            let text = String::from_utf8(bytes.clone()).unwrap();
            ingest
                .add(NewArticle {
                    collection: input.collection.clone(),
                    key: input.key.clone(),
                    content_hash: content_hash(&bytes),
                    bytes: bytes.len() as i64,
                    format: "markdown".into(),
                    title: input.key.clone(),
                    author: None,
                    outlet: None,
                    published: None,
                    url: None,
                    text,
                    speakers: None,
                })
                .await
                .unwrap();
        }
        // The batch is committed; then the process "dies": no finish, the connection goes away.
        ingest.flush().await.unwrap();
        drop(ingest);
        // As a first load cut off while it wrote its postings on two connections: the index dropped, some rows
        // written (here: entries of made-up shingles of the stored articles).
        archive
            .client
            .batch_execute(
                "DROP INDEX postings_bucket;
                 INSERT INTO postings (bucket, entries)
                   SELECT b, int8send((b::bigint << 32) | a.id) FROM generate_series(0, 99) b, articles a;",
            )
            .await
            .unwrap();
        drop(archive);
    });
    let cut = stats(&url);
    assert_eq!(cut["articles"], inputs.len(), "{cut}");
    assert_eq!(cut["unindexed"], inputs.len(), "{cut}");

    // Meanwhile a check finds nothing in the archive: half-ingested articles are not searchable.
    let case = fixtures().join("demo");
    let bare = tempfile::tempdir().unwrap();
    copy_drafts(&case, bare.path());
    let before = check_json(bare.path(), Some(&url));
    assert!(
        before.iter().all(|f| f["code"] != "verified"),
        "no quote is verified by articles whose ingest did not finish"
    );

    // The next ingest of the same folder completes them (the files are unchanged: nothing is read again).
    let (_, stderr) = run_ok(verbatim().args([
        "archive",
        "ingest",
        "--plain",
        "--url",
        &url,
        &wire.to_string_lossy(),
    ]));
    assert!(
        stderr.contains(&format!("{} unchanged", inputs.len())),
        "{stderr}"
    );
    let done = stats(&url);
    assert_eq!(done["articles"], inputs.len(), "{done}");
    assert_eq!(done["unindexed"], 0, "{done}");
    let after = check_json(bare.path(), Some(&url));
    assert!(
        after.iter().any(|f| f["code"] == "verified"),
        "the completed articles verify the demo's exact quotes"
    );
    // The cut-off load's rows went, the index is back: the postings are those of a fresh ingest.
    let fresh = archive_of("archive_interrupted_fresh", &wire);
    assert_eq!(done["posting_entries"], stats(&fresh)["posting_entries"]);
    let indexed = runtime.block_on(async {
        let archive = Archive::open(&target, INGEST_TIMEOUT).await.unwrap();
        let row = archive
            .client
            .query_one("SELECT to_regclass('postings_bucket') IS NOT NULL", &[])
            .await
            .unwrap();
        row.get::<_, bool>(0)
    });
    assert!(indexed, "the postings' index is built again");
}
