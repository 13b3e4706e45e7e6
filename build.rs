//! Build script: records the git commit the binary was built from, for `verbatim --version`.
//!
//! The commit comes from, in order: the `VERBATIM_COMMIT` environment variable (set by the release
//! workflow, or by anyone building from a source tarball who knows it), then `git rev-parse HEAD` in the
//! crate's folder. Without either (a source tarball or a wheel's sdist built where git is missing or the
//! folder is no repository) the version says `commit unknown` and the build goes on.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=VERBATIM_COMMIT");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let from_env = std::env::var("VERBATIM_COMMIT")
        .ok()
        .map(|commit| commit.trim().to_owned())
        .filter(|commit| !commit.is_empty());
    let commit = from_env.or_else(|| git_commit(Path::new(&manifest_dir)));
    let describe = match commit {
        Some(commit) => {
            let short: String = commit.chars().take(12).collect();
            format!("commit {short}")
        }
        None => "commit unknown".to_owned(),
    };
    println!("cargo:rustc-env=VERBATIM_BUILD_COMMIT={describe}");
}

/// `git rev-parse HEAD` in `dir`, and the files whose change means a new commit (so cargo reruns this
/// script after a commit or a checkout, and only then). `None` when git or the repository is missing.
fn git_commit(dir: &Path) -> Option<String> {
    let git = |args: &[&str]| -> Option<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()?;
        if !output.status.success() {
            return None;
        }
        let text = String::from_utf8(output.stdout).ok()?;
        let text = text.trim();
        (!text.is_empty()).then(|| text.to_owned())
    };
    // Only a repository whose top level is this crate (not some enclosing repository the sources were
    // unpacked into, which would name a commit of something else).
    let top = git(&["rev-parse", "--show-toplevel"])?;
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same(Path::new(&top), dir) {
        return None;
    }
    let commit = git(&["rev-parse", "HEAD"])?;
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])];
    if let Some(reference) = git(&["rev-parse", "--symbolic-full-name", "HEAD"]) {
        if reference.starts_with("refs/") {
            watched.push(git(&["rev-parse", "--git-path", &reference]));
            watched.push(git(&["rev-parse", "--git-path", "packed-refs"]));
        }
    }
    for file in watched.into_iter().flatten() {
        let file = if Path::new(&file).is_absolute() {
            Path::new(&file).to_path_buf()
        } else {
            dir.join(&file)
        };
        if file.exists() {
            println!("cargo:rerun-if-changed={}", file.display());
        }
    }
    Some(commit)
}
