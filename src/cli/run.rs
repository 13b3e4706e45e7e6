//! Runs `verbatim check`: the report printed in the chosen format, the index cache saved, the exit code (0 clean,
//! 1 findings at least as serious as `--fail-on`, 2 errors).
use std::io::{self, Write};
use std::process::ExitCode;

use super::args::{CheckArgs, ColorChoice, FailOn, Format};
use super::report::check;
use super::{github, human, json, sarif};
use crate::engine::Verdict;

/// Runs `verbatim check` and prints its report; the exit code is 0, 1 (findings) or 2 (errors).
pub fn run(args: &CheckArgs) -> ExitCode {
    let mut report = match check(args) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("verbatim: error: {error}");
            return ExitCode::from(2);
        }
    };
    for warning in &report.warnings {
        eprintln!("verbatim: warning: {warning}");
    }
    for note in &report.notes {
        eprintln!("verbatim: note: {note}");
    }
    let color = match args.color {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    let mut out = anstream::AutoStream::new(io::stdout().lock(), color);
    let printed = match args.format {
        Format::Human => human::write_human(&mut out, &report, args.quiet),
        Format::Json => json::write_json_lines(&mut out, &report),
        Format::Sarif => sarif::write_sarif(&mut out, &report),
        Format::Github => github::write_github(&mut out, &report),
    };
    if let Err(error) = printed.and_then(|()| out.flush()) {
        if error.kind() != io::ErrorKind::BrokenPipe {
            eprintln!("verbatim: error: cannot write the report: {error}");
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
        // Copying without credit is as serious as a quote that drifts.
        Verdict::Uncredited => 1,
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
