//! `verbatim check`: checks drafts from the command line and prints findings as text, JSON Lines, SARIF 2.1.0
//! or GitHub workflow commands.

pub mod extract;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::config::Severity;
use crate::engine::{Corpus, EditKind, Finding, TextFormat, Verdict};
use crate::lsp::position::{PositionEncoding, TextPositions};
use crate::workspace::{read_text, root_for_file, Workspace};

/// Output formats of `verbatim check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text, coloured on a terminal.
    Human,
    /// JSON Lines: one finding per line.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// The least serious verdict that makes `verbatim check` exit with 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Verified,
    Drift,
    Unsourced,
    Never,
}

/// When to colour human output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The options of `verbatim check`.
#[derive(Clone, Debug, clap::Args)]
pub struct CheckArgs {
    /// Drafts or folders of drafts to check (default: every draft under the root).
    pub paths: Vec<PathBuf>,
    /// The workspace root (default: the nearest folder, from the first path or the current one, holding
    /// verbatim.toml or sources/).
    #[arg(long)]
    pub root: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when a finding is at least this serious (verified < drift < unsourced).
    #[arg(long, value_enum, default_value_t = FailOn::Drift)]
    pub fail_on: FailOn,
    /// Hide verified quotes in human output.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

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
    let checked: Vec<Result<DraftReport, String>> = drafts
        .par_iter()
        .map(|path| {
            let (text, warning) =
                read_text(path).map_err(|e| format!("{}: {e}", workspace.display(path)))?;
            if let Some(warning) = warning {
                tracing::warn!("{}: {warning}", workspace.display(path));
            }
            let format = TextFormat::from_path(&path.to_string_lossy());
            let findings = corpus.check_draft(&text, format, &settings);
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

/// Runs `verbatim check` and prints its report; the exit code is 0, 1 (findings) or 2 (errors).
pub fn run(args: &CheckArgs) -> ExitCode {
    let mut report = match check(args) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("verbatim: {error}");
            return ExitCode::from(2);
        }
    };
    for warning in &report.warnings {
        eprintln!("verbatim: warning: {warning}");
    }
    let color = match args.color {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    let mut out = anstream::AutoStream::new(io::stdout().lock(), color);
    let printed = match args.format {
        Format::Human => write_human(&mut out, &report, args.quiet),
        Format::Json => write_json_lines(&mut out, &report),
        Format::Sarif => write_sarif(&mut out, &report),
        Format::Github => write_github(&mut out, &report),
    };
    if let Err(error) = printed.and_then(|()| out.flush()) {
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("verbatim: cannot write the report: {error}");
            return ExitCode::from(2);
        }
    }
    // A large workspace keeps a snapshot of its index so the next run starts warm.
    if let Err(error) = report.workspace.save_cache(&mut report.corpus) {
        eprintln!("verbatim: warning: cannot write the index cache: {error}");
    }
    let threshold = match args.fail_on {
        FailOn::Verified => Some(0),
        FailOn::Drift => Some(1),
        FailOn::Unsourced => Some(2),
        FailOn::Never => None,
    };
    let rank = |verdict: Verdict| match verdict {
        Verdict::Verified => 0,
        Verdict::Drift => 1,
        Verdict::Unsourced => 2,
    };
    let failed = threshold.is_some_and(|threshold| {
        report
            .drafts
            .iter()
            .flat_map(|d| &d.findings)
            .any(|f| rank(f.verdict) >= threshold)
    });
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A 0-based line and UTF-16 character, as in LSP.
fn line_character(positions: &TextPositions, offset: usize) -> (u32, u32) {
    let position = positions.position(offset, PositionEncoding::Utf16);
    (position.line, position.character)
}

fn json_range(positions: &TextPositions, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_character) = line_character(positions, range.start);
    let (end_line, end_character) = line_character(positions, range.end);
    json!({
        "start": {"line": start_line, "character": start_character},
        "end": {"line": end_line, "character": end_character},
    })
}

/// The finding as the JSON object of `--format json` (documented in the README; keep it stable).
pub fn finding_json(
    report: &Report,
    draft: &DraftReport,
    positions: &TextPositions,
    finding: &Finding,
) -> Value {
    let source = finding.passage.as_ref().and_then(|passage| {
        let source = report.corpus.source(passage.source)?;
        let source_positions = TextPositions::new(&source.text);
        Some((source, source_positions, passage))
    });
    let source_json = source.as_ref().map(|(source, source_positions, passage)| {
        json!({
            "path": report.workspace.display(Path::new(&source.key)),
            "range": json_range(source_positions, &passage.range),
            "title": source.metadata.title,
            "date": source.metadata.date,
        })
    });
    let edits: Vec<Value> = finding
        .edits
        .iter()
        .map(|edit| {
            let mut value = json!({
                "kind": edit.kind.name(),
                "quote": edit.quote_words,
                "source": edit.source_words,
                "range": json_range(positions, &edit.quote_range),
            });
            if let Some((_, source_positions, _)) = &source {
                value["source_range"] = json_range(source_positions, &edit.source_range);
            }
            value
        })
        .collect();
    let also_in: Vec<Value> = finding
        .also_in
        .iter()
        .filter_map(|passage| report.corpus.source(passage.source))
        .map(|source| json!(report.workspace.display(Path::new(&source.key))))
        .collect();
    json!({
        "path": report.workspace.display(&draft.path),
        "range": json_range(positions, &finding.quote.range),
        "code": finding.verdict.code(),
        "message": finding.message,
        "source": source_json,
        "edits": edits,
        "similarity": (finding.similarity * 1000.0).round() / 1000.0,
        "also_in": also_in,
        "notes": finding.notes,
    })
}

fn write_json_lines(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for draft in &report.drafts {
        let positions = TextPositions::new(&draft.text);
        for finding in &draft.findings {
            writeln!(out, "{}", finding_json(report, draft, &positions, finding))?;
        }
    }
    Ok(())
}

fn verdict_style(verdict: Verdict) -> Style {
    match verdict {
        Verdict::Verified => AnsiColor::Green.on_default(),
        Verdict::Drift => AnsiColor::Yellow.on_default().bold(),
        Verdict::Unsourced => AnsiColor::Red.on_default().bold(),
    }
}

/// Collapses whitespace and shortens to `limit` characters.
fn excerpt(text: &str, limit: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= limit {
        collapsed
    } else {
        let head: String = collapsed.chars().take(limit).collect();
        format!("{}…", head.trim_end())
    }
}

fn write_human(out: &mut dyn Write, report: &Report, quiet: bool) -> io::Result<()> {
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let removed = AnsiColor::Red.on_default();
    let added = AnsiColor::Green.on_default();
    let mut counts = [0usize; 3];
    for draft in &report.drafts {
        let positions = TextPositions::new(&draft.text);
        let path = report.workspace.display(&draft.path);
        for finding in &draft.findings {
            counts[finding.verdict as usize] += 1;
            if quiet && finding.verdict == Verdict::Verified {
                continue;
            }
            let (line, character) = line_character(&positions, finding.quote.range.start);
            let style = verdict_style(finding.verdict);
            let quote = excerpt(
                draft
                    .text
                    .get(finding.quote.range.clone())
                    .unwrap_or_default(),
                70,
            );
            writeln!(
                out,
                "{bold}{path}:{}:{}{bold:#}  {style}{:<9}{style:#} “{quote}”",
                line + 1,
                character + 1,
                finding.verdict.code()
            )?;
            if let Some(passage) = &finding.passage {
                if let Some(source) = report.corpus.source(passage.source) {
                    let source_positions = TextPositions::new(&source.text);
                    let (source_line, source_character) =
                        line_character(&source_positions, passage.range.start);
                    let date = source
                        .metadata
                        .date
                        .as_deref()
                        .map(|d| format!(", {d}"))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "    {dim}source{dim:#}  {}:{}:{}  “{}”{date}",
                        report.workspace.display(Path::new(&source.key)),
                        source_line + 1,
                        source_character + 1,
                        source.metadata.title
                    )?;
                }
            }
            // Side by side: what the draft says, what the source says (the matched word before a
            // substitution is shown on both sides, so “on” for “for” reads “call on” / “call for”).
            let sides: Vec<(String, String)> = finding
                .edits
                .iter()
                .map(|edit| {
                    let with_context = |words: &str| match (edit.kind, edit.context.is_empty()) {
                        (_, _) if words.is_empty() => "—".to_string(),
                        (EditKind::Substituted, false) => {
                            excerpt(&format!("{} {words}", edit.context), 50)
                        }
                        _ => excerpt(words, 50),
                    };
                    (
                        with_context(&edit.quote_words),
                        with_context(&edit.source_words),
                    )
                })
                .collect();
            let width = sides
                .iter()
                .map(|(draft_side, _)| draft_side.chars().count())
                .max()
                .unwrap_or(0);
            for (edit, (draft_side, source_side)) in finding.edits.iter().zip(&sides) {
                let padding = " ".repeat(width.saturating_sub(draft_side.chars().count()));
                writeln!(
                    out,
                    "    {dim}{:<11}{dim:#} {removed}{draft_side}{removed:#}{padding}  {dim}source:{dim:#} {added}{source_side}{added:#}",
                    edit.kind.name(),
                )?;
            }
            if finding.verdict == Verdict::Unsourced {
                writeln!(out, "    {dim}{}{dim:#}", finding.message)?;
            }
            for note in &finding.notes {
                writeln!(
                    out,
                    "    {}note:{:#} {note}",
                    AnsiColor::Magenta.on_default(),
                    AnsiColor::Magenta.on_default()
                )?;
            }
            for passage in &finding.also_in {
                if let Some(source) = report.corpus.source(passage.source) {
                    writeln!(
                        out,
                        "    {dim}also in{dim:#} {}",
                        report.workspace.display(Path::new(&source.key))
                    )?;
                }
            }
        }
    }
    let total: usize = counts.iter().sum();
    writeln!(
        out,
        "{bold}{total} quote{} in {} draft{}{bold:#}: {} verified, {} drift, {} unsourced ({} sources)",
        if total == 1 { "" } else { "s" },
        report.drafts.len(),
        if report.drafts.len() == 1 { "" } else { "s" },
        counts[0],
        counts[1],
        counts[2],
        report.corpus.len()
    )
}

/// The SARIF level of a verdict, from the configured severities.
fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information | Severity::Hint => "note",
        Severity::Off => "none",
    }
}

fn sarif_region(positions: &TextPositions, text: &str, range: &std::ops::Range<usize>) -> Value {
    let (start_line, start_character) = line_character(positions, range.start);
    let (end_line, end_character) = line_character(positions, range.end);
    let snippet = text.get(range.clone()).unwrap_or_default();
    json!({
        "startLine": start_line + 1,
        "startColumn": start_character + 1,
        "endLine": end_line + 1,
        "endColumn": end_character + 1,
        "charOffset": text.get(..range.start).map_or(0, |t| t.encode_utf16().count()),
        "charLength": snippet.encode_utf16().count(),
        "snippet": {"text": snippet},
    })
}

/// A file URI for an absolute path.
pub fn file_uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let scheme = if text.starts_with('/') {
        "file://"
    } else {
        "file:///"
    };
    format!("{scheme}{}", percent_encode(&text, b"/-._~:@!$&'()*+,;="))
}

/// A relative URI reference for a relative path (`:` is escaped so the first segment is not a scheme).
fn relative_uri(path: &str) -> String {
    percent_encode(path, b"/-._~@!$&'()*+,;=")
}

/// Percent-encodes every byte that is not alphanumeric or in `allowed`.
fn percent_encode(text: &str, allowed: &[u8]) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || allowed.contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

fn write_sarif(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let severity = &report.workspace.config.severity;
    let rules = [
        (
            Verdict::Verified,
            "VerifiedQuote",
            "The quotation matches a source word for word.",
        ),
        (
            Verdict::Drift,
            "QuoteDrift",
            "The quotation differs from the wording of its source.",
        ),
        (
            Verdict::Unsourced,
            "UnsourcedQuote",
            "No source in the workspace contains the quotation.",
        ),
    ];
    let rule_values: Vec<Value> = rules
        .iter()
        .map(|(verdict, name, description)| {
            json!({
                "id": verdict.code(),
                "name": name,
                "shortDescription": {"text": description},
                "fullDescription": {"text": description},
                "defaultConfiguration": {"level": sarif_level(severity.for_code(verdict.code()))},
                "properties": {"tags": ["quotation", "accuracy"]},
            })
        })
        .collect();
    let mut results = Vec::new();
    for draft in &report.drafts {
        let positions = TextPositions::new(&draft.text);
        let draft_path = report.workspace.display(&draft.path);
        for finding in &draft.findings {
            let level = severity.for_code(finding.verdict.code());
            let mut result = json!({
                "ruleId": finding.verdict.code(),
                "ruleIndex": finding.verdict as usize,
                "level": sarif_level(level),
                "kind": if finding.verdict == Verdict::Verified { "pass" } else { "fail" },
                "message": {"text": finding.message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": relative_uri(&draft_path), "uriBaseId": "SRCROOT"},
                        "region": sarif_region(&positions, &draft.text, &finding.quote.range),
                    }
                }],
                "partialFingerprints": {
                    "quoteText/v1": format!("{:016x}", crate::engine::normalize::hash_normal(
                        &excerpt(draft.text.get(finding.quote.range.clone()).unwrap_or_default(), 10_000))),
                },
            });
            if result["kind"] == "pass" {
                result["level"] = json!("none");
            }
            if let Some(passage) = &finding.passage {
                if let Some(source) = report.corpus.source(passage.source) {
                    let source_positions = TextPositions::new(&source.text);
                    result["relatedLocations"] = json!([{
                        "id": 1,
                        "message": {"text": format!("source passage in “{}”", source.metadata.title)},
                        "physicalLocation": {
                            "artifactLocation": {
                                "uri": relative_uri(&report.workspace.display(Path::new(&source.key))),
                                "uriBaseId": "SRCROOT"
                            },
                            "region": sarif_region(&source_positions, &source.text, &passage.range),
                        }
                    }]);
                }
            }
            if !finding.edits.is_empty() {
                result["properties"] = json!({
                    "edits": finding.edits.iter().map(|e| json!({
                        "kind": e.kind.name(), "quote": e.quote_words, "source": e.source_words
                    })).collect::<Vec<_>>()
                });
            }
            results.push(result);
        }
    }
    let mut root_uri = file_uri(&report.workspace.root);
    if !root_uri.ends_with('/') {
        root_uri.push('/');
    }
    let sarif = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "verbatim",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rule_values,
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_uri}},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &sarif)?;
    writeln!(out)
}

/// Escapes a workflow command's message (`%`, CR, LF) or property (also `:` and `,`).
fn github_escape(text: &str, property: bool) -> String {
    let mut escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        escaped = escaped.replace(':', "%3A").replace(',', "%2C");
    }
    escaped
}

fn write_github(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let severity = &report.workspace.config.severity;
    for draft in &report.drafts {
        let positions = TextPositions::new(&draft.text);
        let path = report.workspace.display(&draft.path);
        for finding in &draft.findings {
            // Verified quotes (a hint by default) are not worth an annotation.
            let command = match severity.for_code(finding.verdict.code()) {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information => "notice",
                Severity::Hint | Severity::Off => continue,
            };
            let (line, character) = line_character(&positions, finding.quote.range.start);
            let (end_line, end_character) = line_character(&positions, finding.quote.range.end);
            let mut message = finding.message.clone();
            for edit in finding
                .edits
                .iter()
                .filter(|e| e.kind != EditKind::Missing || !e.source_words.is_empty())
            {
                message.push_str(&format!(
                    "\n{}: “{}” / source “{}”",
                    edit.kind.name(),
                    edit.quote_words,
                    edit.source_words
                ));
            }
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                github_escape(&path, true),
                line + 1,
                character + 1,
                end_line + 1,
                end_character + 1,
                github_escape(&format!("verbatim {}", finding.verdict.code()), true),
                github_escape(&message, false)
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_commands() {
        assert_eq!(github_escape("a:b,c%\nd", true), "a%3Ab%2Cc%25%0Ad");
        assert_eq!(github_escape("a:b,c", false), "a:b,c");
    }

    #[test]
    fn file_uris() {
        assert_eq!(
            file_uri(Path::new("/tmp/a b/ü.md")),
            "file:///tmp/a%20b/%C3%BC.md"
        );
    }
}
