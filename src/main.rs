//! The `verbatim` command: argument parsing, logging set-up and dispatch (no logic of its own).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing::Level;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// `verbatim --version`: the package version and the commit it was built from (see build.rs).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("VERBATIM_BUILD_COMMIT"),
    ")"
);

/// Checks every quotation in your drafts against the source articles of the workspace.
#[derive(Parser)]
#[command(name = "verbatim", version = VERSION, about, long_about = None)]
struct Arguments {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check drafts and print each quotation's verdict (verified, drift, unsourced).
    Check(verbatim::cli::CheckArgs),
    /// Print the text verbatim checks quotes against for one source (web page, PDF, transcript, Word…).
    Extract(verbatim::cli::extract::ExtractArgs),
    /// List the quotes of the workspace's drafts aligned with a source, or with the passage at PATH:LINE:COL.
    Refs(verbatim::cli::RefsArgs),
    /// Manage the shared PostgreSQL archive of sources (init, ingest, stats, remove).
    #[command(subcommand)]
    Archive(verbatim::cli::archive::ArchiveCommand),
    /// Serve the Language Server Protocol on standard input and output.
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

fn main() -> ExitCode {
    // Logs go to stderr: stdout is the protocol channel of `verbatim lsp` and the report of `verbatim check`.
    // `verbatim check` writes them in the style of its own messages (`verbatim: warning: …`); the language
    // server keeps timestamps and targets for the editor's log.
    let is_check = std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "check" || a == "extract" || a == "refs");
    let filter = EnvFilter::try_from_env("VERBATIM_LOG")
        .unwrap_or_else(|_| EnvFilter::new("warn,pdf_extract=off"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    if is_check {
        logs.event_format(CliLine).init();
    } else {
        logs.init();
    }
    verbatim::workspace::formats::quiet_reader_panics();
    let arguments = match Arguments::try_parse() {
        Ok(arguments) => arguments,
        Err(error) => {
            let code = if error.use_stderr() { 2 } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match arguments.command {
        Command::Check(check) => verbatim::cli::run(&check),
        Command::Extract(extract) => verbatim::cli::extract::run(&extract),
        Command::Refs(refs) => verbatim::cli::run_refs(&refs),
        Command::Archive(command) => verbatim::cli::archive::run(&command),
        Command::Lsp { stdio: _ } => verbatim::lsp::run_stdio(),
    }
}

/// One log event as one `verbatim: <level>: <message>` line, the style of `verbatim check`'s own messages.
struct CliLine;

impl<S, N> FormatEvent<S, N> for CliLine
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &tracing::Event<'_>,
    ) -> std::fmt::Result {
        let level = match *event.metadata().level() {
            Level::ERROR => "error",
            Level::WARN => "warning",
            Level::INFO => "info",
            Level::DEBUG => "debug",
            Level::TRACE => "trace",
        };
        write!(writer, "verbatim: {level}: ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}
