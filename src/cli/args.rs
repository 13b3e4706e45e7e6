//! The options of `verbatim check` (clap).
use std::path::PathBuf;

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
    /// One self-contained HTML page for people who do not live in an editor.
    Html,
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
    /// The workspace root (default: from the first path or the current folder upward, the nearest folder
    /// holding verbatim.toml, else the nearest holding a sources/ folder).
    #[arg(long)]
    pub root: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit with 1 when a finding is at least this serious (verified < drift = uncredited < unsourced =
    /// misattributed).
    #[arg(long, value_enum, default_value_t = FailOn::Drift)]
    pub fail_on: FailOn,
    /// Hide verified quotes in human output.
    #[arg(long, short)]
    pub quiet: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print per-source usage (times quoted, drafts, drift, misattributed) instead of the findings
    /// (text, or JSON Lines with --format json).
    #[arg(long)]
    pub summary: bool,
    /// Report only uncredited copying (prose repeating a source without quote marks or credit), not quotes:
    /// a desk editor's pass. Runs even when `reuse.enabled` is false.
    #[arg(long)]
    pub reuse_only: bool,
    /// Also check quotes against this shared archive (PostgreSQL connection string); default:
    /// $VERBATIM_ARCHIVE_URL, then archive.url in verbatim.toml.
    #[arg(long, value_name = "URL")]
    pub archive: Option<String>,
    /// Write the report to FILE instead of standard output (any format; never coloured).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
