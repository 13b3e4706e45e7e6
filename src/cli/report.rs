//! The check itself: the workspace root, its sources, the drafts named or discovered, their findings.
use std::path::PathBuf;

use rayon::prelude::*;

use super::args::CheckArgs;
use crate::engine::reuse::ReuseCache;
use crate::engine::{Corpus, Finding, TextFormat};
use crate::workspace::{read_text, root_for_file, Workspace};

/// One checked draft.
pub struct DraftReport {
    pub path: PathBuf,
    pub text: String,
    pub findings: Vec<Finding>,
}

/// Everything `verbatim check` found.
pub struct Report {
    pub workspace: Workspace,
    pub corpus: Corpus,
    pub drafts: Vec<DraftReport>,
    /// Problems reading files or settings (printed to stderr).
    pub warnings: Vec<String>,
}

/// Loads the workspace, reads its sources and checks the drafts. `Err` is a usage or I/O error.
pub fn check(args: &CheckArgs) -> Result<Report, String> {
    let root = match (&args.root, args.paths.first()) {
        (Some(root), _) => root.clone(),
        (None, Some(first)) => {
            let absolute =
                std::path::absolute(first).map_err(|e| format!("{}: {e}", first.display()))?;
            if absolute.is_dir()
                && (absolute.join("sources").is_dir() || absolute.join("verbatim.toml").is_file())
            {
                absolute
            } else {
                root_for_file(&absolute.join(if absolute.is_dir() { "x" } else { "" }))
            }
        }
        (None, None) => {
            std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?
        }
    };
    if !root.is_dir() {
        return Err(format!("{}: no such folder", root.display()));
    }
    let workspace = Workspace::open(&root);
    let mut warnings: Vec<String> = workspace
        .warnings
        .iter()
        .map(|w| format!("verbatim.toml: {w}"))
        .collect();
    let mut corpus = Corpus::new();
    let sources = workspace.discover_sources();
    warnings.extend(workspace.load_sources(&mut corpus, &sources, &|_, _| {}));
    if corpus.is_empty() {
        warnings.push(format!(
            "no sources found under {} (looked for {})",
            workspace.root.display(),
            workspace.config.sources.join(", ")
        ));
    }
    let drafts = draft_paths(&workspace, &args.paths)?;
    let settings = workspace.config.engine.clone();
    let mut reuse = workspace.config.reuse.clone();
    reuse.enabled |= args.reuse_only;
    let checked: Vec<Result<DraftReport, String>> = drafts
        .par_iter()
        .map(|path| {
            let (text, warning) =
                read_text(path).map_err(|e| format!("{}: {e}", workspace.display(path)))?;
            if let Some(warning) = warning {
                tracing::warn!("{}: {warning}", workspace.display(path));
            }
            let format = TextFormat::from_path(&path.to_string_lossy());
            let mut findings = if args.reuse_only {
                Vec::new()
            } else {
                corpus.check_draft(&text, format, &settings)
            };
            findings.extend(corpus.check_reuse(&text, format, &reuse, &mut ReuseCache::new()));
            findings.sort_by_key(|f| f.quote.range.start);
            Ok(DraftReport {
                path: path.clone(),
                text,
                findings,
            })
        })
        .collect();
    let mut reports = Vec::new();
    for result in checked {
        match result {
            Ok(report) => reports.push(report),
            Err(error) => warnings.push(error),
        }
    }
    Ok(Report {
        workspace,
        corpus,
        drafts: reports,
        warnings,
    })
}

/// The drafts named on the command line (folders expanded), or every draft of the workspace.
fn draft_paths(workspace: &Workspace, paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if paths.is_empty() {
        return Ok(workspace.discover_drafts());
    }
    let mut drafts = Vec::new();
    for path in paths {
        let absolute = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let absolute = absolute
            .canonicalize()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if absolute.is_dir() {
            drafts.extend(
                workspace
                    .discover_drafts()
                    .into_iter()
                    .filter(|d| d.starts_with(&absolute)),
            );
        } else {
            drafts.push(absolute);
        }
    }
    drafts.sort();
    drafts.dedup();
    Ok(drafts)
}
