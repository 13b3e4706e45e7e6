//! Runs `verbatim check`: the report printed in the chosen format, the index cache saved, the exit code (0 clean,
//! 1 findings at least as serious as `--fail-on`, 2 errors).
use std::io::{self, Write};
use std::process::ExitCode;

use super::args::{CheckArgs, ColorChoice, FailOn, Format};
use super::report::check;
use super::report::Report;
use super::{github, html, human, json, sarif, summary};
use crate::engine::Verdict;
use crate::workspace::output::OutputFile;

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
    if let Err(error) = write_report(&report, args) {
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
        Verdict::Unsourced | Verdict::Misattributed => 2,
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

/// Writes the report in the chosen format to `--output` or standard output.
fn write_report(report: &Report, args: &CheckArgs) -> io::Result<()> {
    let print = |out: &mut dyn Write| match args.format {
        _ if args.summary => summary::write_summary(out, report, args.format),
        Format::Human => human::write_human(out, report, args.quiet),
        Format::Json => json::write_json_lines(out, report),
        Format::Sarif => sarif::write_sarif(out, report),
        Format::Github => github::write_github(out, report),
        Format::Html => html::write_html(out, report),
    };
    if let Some(path) = &args.output {
        let mut file = OutputFile::create(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        if args.format == Format::Human {
            // A file never gets colour.
            let mut plain = anstream::StripStream::new(&mut file as &mut dyn Write);
            print(&mut plain)?;
            plain.flush()?;
        } else {
            print(&mut file)?;
        }
        return file
            .persist()
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())));
    }
    if args.format == Format::Html {
        // A large page is written in big blocks, not line by line.
        let mut out = io::BufWriter::with_capacity(1 << 17, io::stdout().lock());
        print(&mut out)?;
        return out.flush();
    }
    let color = match args.color {
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
        ColorChoice::Auto => anstream::ColorChoice::Auto,
    };
    let mut out = anstream::AutoStream::new(io::stdout().lock(), color);
    print(&mut out)?;
    out.flush()
}
