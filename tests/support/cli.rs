//! The `verbatim` binary run as a user runs it, for the CLI tests (`cli_check`, `cli_reuse`, `cli_refs`): from the
//! workspace root, without the caller's log filter and without an index cache; and a scratch workspace with one
//! source, one draft and optionally a `verbatim.toml`.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the binary left: exit code (-1 if killed), standard output and error.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `verbatim ARGS…` run in `root`.
pub fn run(root: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args(args)
        .current_dir(root)
        .env_remove("VERBATIM_LOG")
        .env("VERBATIM_CACHE_DIR", "off")
        .output()
        .expect("runs verbatim");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `verbatim check ARGS…` run in `root`.
pub fn check(root: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    run(root, &all)
}

/// A workspace with `sources/<source_name>`, `drafts/story.md` and, if given, `verbatim.toml`.
pub fn workspace(
    source_name: &str,
    source: &str,
    draft: &str,
    config: Option<&str>,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    fs::create_dir_all(root.join("sources")).unwrap();
    fs::create_dir_all(root.join("drafts")).unwrap();
    fs::write(root.join("sources").join(source_name), source).unwrap();
    fs::write(root.join("drafts/story.md"), draft).unwrap();
    if let Some(config) = config {
        fs::write(root.join("verbatim.toml"), config).unwrap();
    }
    (dir, root)
}
