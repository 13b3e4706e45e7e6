//! The check itself: the workspace root, its sources, the drafts named or discovered, their findings.
use std::path::PathBuf;

use rayon::prelude::*;

use super::archive::{add_archive_candidates, archive_target};
use super::args::CheckArgs;
use crate::config::Severity;
use crate::engine::reuse::ReuseCache;
use crate::engine::{Corpus, Finding, TextFormat};
use crate::workspace::{
    drafts_named, is_folder, is_marked_root, read_text, root_for, Workspace, CONFIG_FILE,
};

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
    /// Things the user should know about how the workspace was read (printed to stderr), such as drafts that
    /// are drafts only because `sources` was narrowed.
    pub notes: Vec<String>,
}

/// Loads the workspace, reads its sources and checks the drafts. `Err` is a usage or I/O error.
pub fn check(args: &CheckArgs) -> Result<Report, String> {
    // The one root rule (`workspace::find_root`), from the first path or else the current folder.
    let root = match (&args.root, args.paths.first()) {
        (Some(root), _) => root.clone(),
        (None, Some(first)) => {
            root_for(&std::path::absolute(first).map_err(|e| format!("{}: {e}", first.display()))?)
        }
        (None, None) => root_for(
            &std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?,
        ),
    };
    if !is_folder(&root) {
        return Err(format!("{}: no such folder", root.display()));
    }
    let workspace = Workspace::open(&root);
    // A broken settings file fails the run: a CI job must not pass on other settings than the team's.
    if let Some(error) = &workspace.config_error {
        return Err(format!(
            "{error}\n  in {}\n  fix the file (or remove it to use the defaults)",
            workspace.root.join(CONFIG_FILE).display()
        ));
    }
    // Warnings about values name the file unless they do already.
    let mut warnings: Vec<String> = workspace
        .warnings
        .iter()
        .map(|w| {
            if w.starts_with(CONFIG_FILE) {
                w.clone()
            } else {
                format!("{CONFIG_FILE}: {w}")
            }
        })
        .collect();
    let mut corpus = Corpus::new();
    // A shared archive can be the only source: then no local source is needed.
    let archive = archive_target(
        args.archive.as_deref(),
        workspace.config.archive_url.as_deref(),
    );
    let has_archive = !matches!(archive, Ok(None));
    // No sources: stop before walking the tree for drafts (in the wrong folder that can be a whole disk).
    let sources = if workspace.may_hold_sources() {
        let (sources, unreadable) = workspace.discover_sources_reporting();
        warnings.extend(unreadable);
        sources
    } else {
        Vec::new()
    };
    if sources.is_empty() && !has_archive {
        return Err(no_sources(&workspace));
    }
    warnings.extend(workspace.load_sources(&mut corpus, &sources, &|_, _| {}));
    if corpus.is_empty() && !has_archive {
        return Err(no_sources(&workspace));
    }
    let drafts = draft_paths(&workspace, &args.paths)?;
    let mut notes = Vec::new();
    if workspace.file_settings.contains("sources") && !workspace.file_settings.contains("drafts") {
        let left_out = workspace.drafts_left_out_of_sources(&drafts);
        if let Some(first) = left_out.first() {
            let (files, match_, are, drafts, them) = if left_out.len() == 1 {
                ("1 file", "matches", "it is", "a draft", "it")
            } else {
                ("files", "match", "they are", "drafts", "them")
            };
            let count = if left_out.len() == 1 {
                String::new()
            } else {
                format!("{} ", left_out.len())
            };
            notes.push(format!(
                "{count}{files} under sources/ {match_} no `sources` glob of {CONFIG_FILE} (sources = {}), so {are} \
                 checked as {drafts} ({}{}); add {them} to `sources` to read {them} as sources, or to `exclude` \
                 (or set `drafts`) to skip {them}",
                toml_list(&workspace.config.sources),
                workspace.display(first),
                if left_out.len() > 1 { ", …" } else { "" },
            ));
        }
    }
    let settings = workspace.config.engine.clone();
    let mut reuse = workspace.config.reuse.clone();
    reuse.enabled |= args.reuse_only;
    let severities = workspace.config.severity.clone();
    let read: Vec<Result<(PathBuf, String, TextFormat), String>> = drafts
        .par_iter()
        .map(|path| {
            let (text, warning) =
                read_text(path).map_err(|e| format!("{}: {e}", workspace.display(path)))?;
            if let Some(warning) = warning {
                tracing::warn!("{}: {warning}", workspace.display(path));
            }
            let format = TextFormat::from_path(&path.to_string_lossy());
            Ok((path.clone(), text, format))
        })
        .collect();
    // The shared archive's candidates join the corpus as sources, so they are checked exactly as local ones.
    match archive {
        Ok(None) => {}
        Ok(Some(target)) => {
            let texts: Vec<(String, TextFormat)> = read
                .iter()
                .filter_map(|r| r.as_ref().ok())
                .map(|(_, text, format)| (text.clone(), *format))
                .collect();
            match add_archive_candidates(&target, &mut corpus, &texts, &settings, &reuse) {
                Ok(count) => tracing::debug!("{count} articles from the archive"),
                Err(error) => warnings.push(format!(
                    "the archive could not be used, so quotes were checked against local sources only: {}",
                    error.message
                )),
            }
        }
        Err(error) => warnings.push(format!(
            "the archive could not be used, so quotes were checked against local sources only: {}",
            error.message
        )),
    }
    let checked: Vec<Result<DraftReport, String>> = read
        .into_par_iter()
        .map(|result| {
            let (path, text, format) = result?;
            // The quotes and the prose around them side by side (one draft checked alone uses both cores).
            let (mut findings, copied) = rayon::join(
                || {
                    if args.reuse_only {
                        Vec::new()
                    } else {
                        corpus.check_draft(&text, format, &settings)
                    }
                },
                || corpus.check_reuse(&text, format, &reuse, &mut ReuseCache::new()),
            );
            findings.extend(copied);
            findings.sort_by_key(|f| f.quote.range.start);
            // A verdict whose severity is "off" is off everywhere: no output lists it, `--fail-on` ignores it.
            findings.retain(|f| severities.for_code(f.verdict.code()) != Severity::Off);
            Ok(DraftReport {
                path,
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
        notes,
    })
}

/// Why `verbatim check` stops when it finds no source: where it looked and how to point it elsewhere.
fn no_sources(workspace: &Workspace) -> String {
    let root = workspace.root.display();
    let configured = workspace.file_settings.contains("sources");
    let mut message = format!(
        "no sources found in {root}: sources are the files matching {} ({}), relative to the workspace root",
        toml_list(&workspace.config.sources),
        if configured {
            format!("`sources` in {CONFIG_FILE}")
        } else {
            "the default `sources`".to_string()
        },
    );
    if !is_marked_root(&workspace.root) {
        message.push_str(&format!(
            "\n  {root} has neither {CONFIG_FILE} nor a sources/ folder, and no folder above it does: it was taken \
             as the root because it is where verbatim check ran"
        ));
    }
    message.push_str(&format!(
        "\n  put the articles you quote in a sources/ folder at the workspace root, or list where they are in \
         {CONFIG_FILE} there (sources = [\"wire/**/*.txt\"]), or name the root with --root DIR"
    ));
    message
}

/// Globs as a TOML array, as the user would write them.
fn toml_list(globs: &[String]) -> String {
    let quoted: Vec<String> = globs.iter().map(|g| format!("{g:?}")).collect();
    format!("[{}]", quoted.join(", "))
}

/// The drafts named on the command line (folders expanded), or every draft of the workspace.
fn draft_paths(workspace: &Workspace, paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    if paths.is_empty() {
        return Ok(workspace.discover_drafts());
    }
    drafts_named(workspace, paths)
}
