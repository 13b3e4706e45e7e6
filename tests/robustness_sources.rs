//! Robustness of reading a real workspace: every bad source file gives a clear outcome (read, read with a
//! warning, or skipped with a message), never a panic, a hang or a read outside the workspace. Big files are
//! generated into a temporary folder at test time.
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use verbatim::cli::Report;
use verbatim::engine::{Corpus, EngineSettings, TextFormat, Verdict};
use verbatim::workspace::{read_text, Workspace, MAX_SOURCE_BYTES};

#[path = "support/check.rs"]
mod check_support;
// Time bounds are in CPU time (of the process: the check runs on a thread pool): they hold on a busy machine.
#[path = "support/cpu.rs"]
mod cpu;

use check_support::check_workspace;

const ARTICLE: &str =
    "The parties oppose the further expansion of NATO and call for the North Atlantic Alliance to \
refrain from ideological approaches from the time of the Cold War.\n";
const QUOTE: &str = "the further expansion of NATO and call for the North Atlantic Alliance";

/// A workspace with one good source and a draft quoting it.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("sources")).unwrap();
    fs::write(root.join("sources/good.md"), ARTICLE).unwrap();
    fs::write(root.join("draft.md"), format!("They said “{QUOTE}”.\n")).unwrap();
    (dir, root)
}

fn run_check(root: &Path) -> Report {
    check_workspace(root).expect("verbatim check runs")
}

fn verdicts(report: &Report) -> Vec<Verdict> {
    report
        .drafts
        .iter()
        .flat_map(|d| d.findings.iter().map(|f| f.verdict))
        .collect()
}

fn warning_about<'a>(report: &'a Report, needle: &str) -> Option<&'a String> {
    report.warnings.iter().find(|w| w.contains(needle))
}

fn source_keys(report: &Report) -> Vec<String> {
    let mut keys: Vec<String> = report
        .corpus
        .sources()
        .map(|(_, s)| report.workspace.display(Path::new(&s.key)))
        .collect();
    keys.sort();
    keys
}

#[test]
fn binary_file_is_skipped_with_a_message() {
    let (_dir, root) = workspace();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..4096u32).map(|i| (i * 7 % 251) as u8));
    fs::write(root.join("sources/image.md"), &png).unwrap();
    let report = run_check(&root);
    assert!(
        warning_about(&report, "image.md").is_some_and(|w| w.contains("binary")),
        "{:?}",
        report.warnings
    );
    assert_eq!(source_keys(&report), ["sources/good.md"]);
    assert_eq!(verdicts(&report), [Verdict::Verified]);
}

#[test]
fn invalid_utf8_is_decoded_lossily_and_said_so() {
    let (_dir, root) = workspace();
    fs::remove_file(root.join("sources/good.md")).unwrap();
    let mut bytes = b"Caf\xe9 \xff\xfe broken. ".to_vec();
    bytes.extend_from_slice(ARTICLE.as_bytes());
    fs::write(root.join("sources/latin1.md"), &bytes).unwrap();
    let report = run_check(&root);
    let warning = warning_about(&report, "latin1.md").expect("a warning names the file");
    assert!(warning.contains("not valid UTF-8"), "{warning}");
    let (_, source) = report.corpus.sources().next().unwrap();
    assert!(source.text.contains('\u{FFFD}'));
    assert_eq!(
        verdicts(&report),
        [Verdict::Verified],
        "the valid text is still a source"
    );
}

#[test]
fn utf16_with_bom_is_decoded() {
    let (_dir, root) = workspace();
    fs::remove_file(root.join("sources/good.md")).unwrap();
    let mut le = vec![0xFF, 0xFE];
    le.extend(ARTICLE.encode_utf16().flat_map(u16::to_le_bytes));
    fs::write(root.join("sources/utf16le.md"), &le).unwrap();
    let mut be = vec![0xFE, 0xFF];
    be.extend(
        "Ünïcödé title\n\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes),
    );
    be.extend(ARTICLE.encode_utf16().flat_map(u16::to_be_bytes));
    fs::write(root.join("sources/utf16be.txt"), &be).unwrap();
    // An odd trailing byte and a lone surrogate: decoded with U+FFFD and a warning.
    let mut broken = vec![0xFF, 0xFE];
    broken.extend("Broken: ".encode_utf16().flat_map(u16::to_le_bytes));
    broken.extend([0x00, 0xD8, b'x', 0x00, 0x41]);
    fs::write(root.join("sources/utf16broken.md"), &broken).unwrap();
    let report = run_check(&root);
    assert_eq!(
        source_keys(&report),
        [
            "sources/utf16be.txt",
            "sources/utf16broken.md",
            "sources/utf16le.md"
        ]
    );
    assert!(
        warning_about(&report, "utf16broken.md").is_some_and(|w| w.contains("UTF-16")),
        "{:?}",
        report.warnings
    );
    assert!(warning_about(&report, "utf16le.md").is_none());
    assert_eq!(verdicts(&report), [Verdict::Verified]);
    let (text, _) = read_text(&root.join("sources/utf16be.txt")).unwrap();
    assert!(text.starts_with("Ünïcödé title"));
}

/// Prose of about `bytes` bytes, made of numbered sentences (so that most words are rare).
fn prose(bytes: usize, single_line: bool) -> String {
    let mut out = String::with_capacity(bytes + 200);
    let mut i = 0u64;
    while out.len() < bytes {
        out.push_str(&format!(
            "Sentence {i} says that the committee w{}rd{} met on day {} and agreed. ",
            i % 97,
            i % 13,
            i % 31
        ));
        if !single_line && i % 8 == 7 {
            out.push_str("\n\n");
        }
        i += 1;
    }
    out
}

#[test]
fn fifty_megabyte_source_is_indexed_and_checked_in_bounded_time() {
    let (_dir, root) = workspace();
    let mut big = prose(50 << 20, false);
    big.push_str(ARTICLE);
    big.push_str(&prose(1 << 20, false));
    fs::write(root.join("sources/huge.md"), &big).unwrap();
    drop(big);
    // A quote of words that occur everywhere, and a quote of the one real passage.
    fs::write(
        root.join("draft.md"),
        format!(
            "“{QUOTE}” and “the committee met on day and agreed the committee met on day” and \
             “Sentence says that the committee agreed”.\n"
        ),
    )
    .unwrap();
    let (report, elapsed) = cpu::in_this_process(|| run_check(&root));
    assert_eq!(source_keys(&report), ["sources/good.md", "sources/huge.md"]);
    assert_eq!(verdicts(&report)[0], Verdict::Verified);
    assert_eq!(verdicts(&report).len(), 3);
    eprintln!(
        "50 MB source: indexed and checked in {elapsed:?} of CPU time (tests beside included)"
    );
    assert!(
        elapsed < Duration::from_secs(240),
        "took {elapsed:?} of CPU time"
    );
}

#[test]
fn source_over_the_size_cap_is_refused_with_a_message() {
    let (_dir, root) = workspace();
    // Sparse: no disk space or time is spent writing it.
    let file = fs::File::create(root.join("sources/dump.md")).unwrap();
    file.set_len(MAX_SOURCE_BYTES + 1).unwrap();
    let report = run_check(&root);
    let warning = warning_about(&report, "dump.md").expect("a message names the file");
    assert!(warning.contains("limit"), "{warning}");
    assert_eq!(source_keys(&report), ["sources/good.md"]);
}

#[test]
fn one_megabyte_single_line_source_and_draft() {
    let (_dir, root) = workspace();
    let mut line = prose(1 << 20, true);
    let middle = line.len() / 2;
    let middle = (middle..line.len())
        .find(|&i| line.is_char_boundary(i))
        .unwrap();
    line.insert_str(middle, &ARTICLE.replace('\n', " "));
    fs::write(root.join("sources/oneline.txt"), &line).unwrap();
    fs::remove_file(root.join("sources/good.md")).unwrap();
    // The draft is one long line too, with the quote at its end.
    let draft = format!("{}“{QUOTE}”", prose(1 << 20, true));
    fs::write(root.join("draft.md"), &draft).unwrap();
    let (report, elapsed) = cpu::in_this_process(|| run_check(&root));
    // The draft's prose repeats the generated sentences of the source, so it is uncredited copying too (issue 14);
    // the quote is what this test is about.
    let (copied, quotes): (Vec<Verdict>, Vec<Verdict>) = verdicts(&report)
        .into_iter()
        .partition(|v| *v == Verdict::Uncredited);
    assert_eq!(quotes, [Verdict::Verified]);
    assert!(!copied.is_empty());
    assert!(
        elapsed < Duration::from_secs(120),
        "{elapsed:?} of CPU time"
    );
    // Positions on a 1 MB line are right (the JSON output uses UTF-16 columns).
    let draft = &report.drafts[0];
    let positions = verbatim::lineindex::LineIndex::new(&draft.text);
    let finding = draft
        .findings
        .iter()
        .find(|f| f.verdict == Verdict::Verified)
        .unwrap();
    let position = positions.line_col(
        finding.quote.range.start,
        verbatim::lineindex::Encoding::Utf16,
    );
    assert_eq!(position.line, 0);
    assert_eq!(
        position.column as usize,
        draft.text[..finding.quote.range.start]
            .encode_utf16()
            .count()
    );
}

#[test]
fn empty_files_are_harmless() {
    let (_dir, root) = workspace();
    fs::write(root.join("sources/empty.md"), "").unwrap();
    fs::write(root.join("sources/bom-only.md"), "\u{feff}").unwrap();
    fs::write(root.join("sources/utf16-bom-only.md"), [0xFF, 0xFE]).unwrap();
    fs::write(root.join("empty-draft.md"), "").unwrap();
    let report = run_check(&root);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.corpus.len(), 4);
    assert_eq!(verdicts(&report), [Verdict::Verified]);
    assert_eq!(report.drafts.len(), 2);
}

#[test]
fn files_deleted_or_renamed_while_indexing() {
    let (_dir, root) = workspace();
    for i in 0..50 {
        fs::write(
            root.join(format!("sources/s{i}.md")),
            format!("Source {i}. {ARTICLE}"),
        )
        .unwrap();
    }
    let workspace = Workspace::open(&root);
    let paths = workspace.discover_sources();
    assert_eq!(paths.len(), 51);
    // Between discovery and reading, half the files go away or move.
    for i in 0..25 {
        if i % 2 == 0 {
            fs::remove_file(root.join(format!("sources/s{i}.md"))).unwrap();
        } else {
            fs::rename(
                root.join(format!("sources/s{i}.md")),
                root.join(format!("sources/renamed{i}.md")),
            )
            .unwrap();
        }
    }
    let mut corpus = Corpus::new();
    let messages = workspace.load_sources(&mut corpus, &paths, &|_, _| {});
    assert_eq!(corpus.len(), 26);
    assert_eq!(messages.len(), 25, "{messages:?}");
    assert!(
        messages.iter().all(|m| m.contains("sources/s")),
        "{messages:?}"
    );
    // Deleted from under a running indexer (files vanish while it reads): never a panic.
    let (_dir2, root2) = workspace_with_many(400);
    let workspace2 = Workspace::open(&root2);
    let paths2 = workspace2.discover_sources();
    let deleter = {
        let root2 = root2.clone();
        std::thread::spawn(move || {
            for i in (0..400).rev() {
                let _ = fs::remove_file(root2.join(format!("sources/bulk/{i}.md")));
            }
        })
    };
    let mut corpus2 = Corpus::new();
    let messages2 = workspace2.load_sources(&mut corpus2, &paths2, &|_, _| {});
    deleter.join().unwrap();
    assert_eq!(corpus2.len() + messages2.len(), paths2.len());
}

fn workspace_with_many(count: usize) -> (tempfile::TempDir, PathBuf) {
    let (dir, root) = workspace();
    fs::create_dir_all(root.join("sources/bulk")).unwrap();
    for i in 0..count {
        fs::write(
            root.join(format!("sources/bulk/{i}.md")),
            format!("# Article {i}\n\nItem {i} of the bulk folder: the council w{i} met.\n"),
        )
        .unwrap();
    }
    (dir, root)
}

#[test]
fn thousands_of_files_in_one_folder() {
    let (_dir, root) = workspace_with_many(5000);
    fs::write(
        root.join("draft.md"),
        format!("“{QUOTE}” and “Item 4321 of the bulk folder: the council w4321 met”.\n"),
    )
    .unwrap();
    let (report, elapsed) = cpu::in_this_process(|| run_check(&root));
    assert_eq!(report.corpus.len(), 5001);
    assert_eq!(verdicts(&report), [Verdict::Verified, Verdict::Verified]);
    eprintln!("5001 sources in one folder: {elapsed:?} of CPU time (tests beside included)");
    assert!(
        elapsed < Duration::from_secs(120),
        "took {elapsed:?} of CPU time"
    );
}

/// `verbatim check --format json` on `root` as the unprivileged user `nobody` (for tests run as root, whom file
/// permissions do not stop): the workspace is opened to others first, its locked entries excepted.
#[cfg(unix)]
fn unprivileged_check(root: &Path) -> std::process::Output {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    for folder in root.ancestors() {
        let mode = fs::metadata(folder).unwrap().permissions().mode();
        if mode & 0o005 != 0o005 {
            fs::set_permissions(folder, fs::Permissions::from_mode(mode | 0o005)).unwrap();
        }
    }
    for file in [root.join("draft.md"), root.join("sources/good.md")] {
        fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::process::Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args(["check", "--format", "json", "--fail-on", "never"])
        .current_dir(root)
        .env("VERBATIM_CACHE_DIR", "off")
        .env_remove("VERBATIM_LOG")
        .uid(65534)
        .gid(65534)
        .output()
        .expect("verbatim runs as nobody")
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_skipped_with_a_message() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, root) = workspace();
    let locked = root.join("sources/locked.md");
    fs::write(&locked, ARTICLE).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let locked_dir = root.join("sources/locked-dir");
    fs::create_dir(&locked_dir).unwrap();
    fs::write(locked_dir.join("inner.md"), ARTICLE).unwrap();
    fs::set_permissions(&locked_dir, fs::Permissions::from_mode(0o000)).unwrap();
    let report = run_check(&root);
    if fs::read(&locked).is_ok() {
        // Running as root (as CI does): permissions do not stop this process, so the file is simply a source
        // here; `verbatim check` run as an unprivileged user must skip both and say so for the file.
        assert!(source_keys(&report).contains(&"sources/locked.md".to_string()));
        let output = unprivileged_check(&root);
        fs::set_permissions(&locked_dir, fs::Permissions::from_mode(0o755)).unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let about_file = stderr
            .lines()
            .find(|line| line.contains("locked.md"))
            .unwrap_or_else(|| panic!("a message names the file: {stderr}"));
        assert!(about_file.to_lowercase().contains("permission"), "{stderr}");
        let about_folder = stderr
            .lines()
            .find(|line| line.contains("locked-dir"))
            .unwrap_or_else(|| panic!("a message names the folder: {stderr}"));
        assert!(about_folder.contains("cannot read folder"), "{stderr}");
        let findings: Vec<serde_json::Value> = stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(findings.len(), 1, "{stdout}\n{stderr}");
        assert_eq!(findings[0]["code"], "verified", "{stdout}");
        assert!(
            !stdout.contains("inner.md") && !stdout.contains("locked.md"),
            "{stdout}"
        );
        return;
    }
    fs::set_permissions(&locked_dir, fs::Permissions::from_mode(0o755)).unwrap();
    {
        let warning = warning_about(&report, "locked.md").expect("a message names the file");
        assert!(warning.to_lowercase().contains("permission"), "{warning}");
        let warning = warning_about(&report, "locked-dir").expect("a message names the folder");
        assert!(warning.contains("cannot read folder"), "{warning}");
        assert_eq!(source_keys(&report), ["sources/good.md"]);
    }
    assert_eq!(verdicts(&report), [Verdict::Verified]);
}

#[cfg(unix)]
#[test]
fn symlink_loops_terminate() {
    use std::os::unix::fs::symlink;
    let (_dir, root) = workspace();
    symlink(root.join("sources/self.md"), root.join("sources/self.md")).unwrap();
    symlink(root.join("sources/b.md"), root.join("sources/a.md")).unwrap();
    symlink(root.join("sources/a.md"), root.join("sources/b.md")).unwrap();
    // A folder linking to its ancestor: followed, it would recurse for ever.
    symlink(&root, root.join("sources/up")).unwrap();
    symlink(root.join("sources"), root.join("sources/again")).unwrap();
    // Loops followed would make the walk long (or endless): bounded in CPU time.
    let (report, elapsed) = cpu::in_this_process(|| run_check(&root));
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?} of CPU time");
    assert_eq!(source_keys(&report), ["sources/good.md"]);
    assert_eq!(verdicts(&report), [Verdict::Verified]);
}

#[cfg(unix)]
#[test]
fn symlinks_pointing_outside_the_workspace_are_not_followed() {
    use std::os::unix::fs::symlink;
    let (_dir, root) = workspace();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.md");
    fs::write(&secret, format!("Secret: {ARTICLE}")).unwrap();
    fs::create_dir_all(outside.path().join("folder")).unwrap();
    fs::write(outside.path().join("folder/other.md"), ARTICLE).unwrap();
    symlink(&secret, root.join("sources/secret.md")).unwrap();
    symlink(
        outside.path().join("folder"),
        root.join("sources/linked-folder"),
    )
    .unwrap();
    symlink("/etc/passwd", root.join("sources/passwd.txt")).unwrap();
    // Inside the workspace, a link to a file inside it is fine.
    fs::create_dir_all(root.join("archive")).unwrap();
    fs::write(root.join("archive/kept.md"), format!("Kept: {ARTICLE}")).unwrap();
    symlink(root.join("archive/kept.md"), root.join("sources/kept.md")).unwrap();
    let report = run_check(&root);
    assert_eq!(source_keys(&report), ["sources/good.md", "sources/kept.md"]);
    for (_, source) in report.corpus.sources() {
        assert!(!source.text.contains("Secret") && !source.text.contains("root:"));
    }
    // A draft named on the command line through a link is read only when it is inside the workspace.
    let workspace = Workspace::open(&root);
    assert!(!workspace.is_inside(&root.join("sources/secret.md")));
    assert!(workspace.is_inside(&root.join("sources/kept.md")));
}

/// A FIFO (or a device) where a source or a draft is expected must not be read: reading a FIFO with no writer
/// blocks for ever, and a device such as `/dev/zero` never ends.
#[cfg(unix)]
#[test]
fn special_files_are_never_read() {
    let (_dir, root) = workspace();
    let fifo = root.join("sources/pipe.md");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    std::os::unix::fs::symlink("/dev/null", root.join("sources/null.md")).unwrap();
    let report = run_check(&root);
    assert_eq!(source_keys(&report), ["sources/good.md"]);
    assert_eq!(verdicts(&report), [Verdict::Verified]);
}

/// `read_text` is what every reader goes through (the CLI for named drafts, the language server when a watched
/// file changes): it must refuse what is not a regular file instead of blocking on a FIFO (or reading a device
/// such as `/dev/zero` until memory runs out: not tried here, for the machine's sake).
#[cfg(unix)]
#[test]
fn read_text_refuses_special_files() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.md");
    let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
    let (tx, rx) = std::sync::mpsc::channel();
    for path in [fifo.clone(), dir.path().to_path_buf()] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            let outcome = read_text(&path).map(|_| ());
            let _ = tx.send((path, outcome));
        });
    }
    drop(tx);
    let mut answered = 0;
    while let Ok((path, outcome)) = rx.recv_timeout(Duration::from_secs(10)) {
        assert!(outcome.is_err(), "{} was read", path.display());
        answered += 1;
    }
    // Unblock a reader stuck on the FIFO, so the test process can end.
    // Non-blocking: with no reader (the fixed behaviour) a plain open for writing would block itself.
    {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&fifo);
    }
    assert_eq!(answered, 2, "read_text blocked on a FIFO");
}

/// Symlinks, loops and files outside the workspace through the engine-free discovery API.
#[test]
fn discovery_stays_inside_the_root() {
    let (_dir, root) = workspace();
    let workspace = Workspace::open(&root);
    for path in workspace
        .discover_sources()
        .iter()
        .chain(&workspace.discover_drafts())
    {
        assert!(
            path.canonicalize().unwrap().starts_with(&root),
            "{}",
            path.display()
        );
    }
}

/// Reading many sources concurrently with a quote check of each: the engine settings of a big workspace.
#[test]
fn sources_with_pathological_words() {
    let mut corpus = Corpus::new();
    // One 200 KB "word", a run of 100,000 identical words, and a source of nothing but marks.
    corpus.upsert_source("long-word.txt", "x".repeat(200_000), TextFormat::PlainText);
    corpus.upsert_source("same.txt", "the ".repeat(100_000), TextFormat::PlainText);
    corpus.upsert_source("marks.md", "“”‘’«»".repeat(10_000), TextFormat::Markdown);
    corpus.upsert_source("good.md", ARTICLE.to_string(), TextFormat::Markdown);
    let settings = EngineSettings::default();
    let draft = format!(
        "“{QUOTE}” and “the the the the the the the the” and “{}”",
        "x".repeat(5000)
    );
    let (findings, elapsed) =
        cpu::on_this_thread(|| corpus.check_draft(&draft, TextFormat::Markdown, &settings));
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?} of CPU time");
    assert_eq!(findings[0].verdict, Verdict::Verified);
    assert_eq!(findings.len(), 2, "a one-word quote is below min_words");
}
