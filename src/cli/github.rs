//! `--format github`: GitHub Actions workflow commands (annotations), one per finding worth one.
use std::io::{self, Write};

use super::line_character;
use super::report::Report;
use crate::config::Severity;
use crate::engine::EditKind;
use crate::lineindex::LineIndex;

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

pub(super) fn write_github(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let severity = &report.workspace.config.severity;
    for draft in &report.drafts {
        let positions = LineIndex::new(&draft.text);
        let path = report.workspace.display(&draft.path);
        for finding in &draft.findings {
            // Verified quotes (a hint by default) are not worth an annotation.
            let command = match severity.for_code(finding.verdict.code()) {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Information => "notice",
                Severity::Hint | Severity::Off => continue,
            };
            let range = finding.range();
            let (line, character) = line_character(&positions, range.start);
            let (end_line, end_character) = line_character(&positions, range.end);
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
}
