//! The `verbatim` command: argument parsing, logging set-up and dispatch (no logic of its own).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Checks every quotation in your drafts against the source articles of the workspace.
#[derive(Parser)]
#[command(name = "verbatim", version, about, long_about = None)]
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
    /// Serve the Language Server Protocol on standard input and output.
    Lsp {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
}

fn main() -> ExitCode {
    // Logs go to stderr: stdout is the protocol channel of `verbatim lsp` and the report of `verbatim check`.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("VERBATIM_LOG")
                .unwrap_or_else(|_| EnvFilter::new("warn,pdf_extract=off")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
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
        Command::Lsp { stdio: _ } => verbatim::lsp::run_stdio(),
    }
}
