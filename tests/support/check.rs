//! `verbatim check` of a whole workspace as the tests run it: JSON format, never failing on findings, no colour.

use std::path::Path;

use verbatim::cli::{check, CheckArgs, ColorChoice, FailOn, Format, Report};

/// Checks every draft of the workspace at `root` (the report, or the error `check` gave).
pub fn check_workspace(root: &Path) -> Result<Report, String> {
    let args = CheckArgs {
        paths: Vec::new(),
        root: Some(root.to_path_buf()),
        format: Format::Json,
        fail_on: FailOn::Never,
        quiet: false,
        color: ColorChoice::Never,
        summary: false,
        reuse_only: false,
        archive: None,
        output: None,
    };
    check(&args)
}
