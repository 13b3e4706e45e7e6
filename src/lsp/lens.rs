//! Owns the code lens above a draft's first line summarizing its verdicts
//! ("12 quotes · 9 verified · 2 drift · 1 unsourced"). Its command is empty: it only displays.
use tower_lsp_server::ls_types::{CodeLens, Command, Position, Range};

use super::document::Analysis;
use crate::engine::Verdict;

/// The summary line of a draft's findings (ignored quotes counted apart).
pub fn summary(analysis: &Analysis) -> String {
    let mut counts = [0usize; 5];
    let mut ignored = 0;
    for finding in &analysis.findings {
        if finding.quote.ignored {
            ignored += 1;
            continue;
        }
        counts[match finding.verdict {
            Verdict::Verified => 0,
            Verdict::Drift => 1,
            Verdict::Unsourced => 2,
            Verdict::Misattributed => 3,
            Verdict::Uncredited => 4,
        }] += 1;
    }
    let total: usize = counts[..3].iter().sum();
    let mut text = format!(
        "{total} {} · {} verified · {} drift · {} unsourced",
        if total == 1 { "quote" } else { "quotes" },
        counts[0],
        counts[1],
        counts[2]
    );
    if counts[3] > 0 {
        text.push_str(&format!(" · {} misattributed", counts[3]));
    }
    if counts[4] > 0 {
        text.push_str(&format!(" · {} uncredited", counts[4]));
    }
    if ignored > 0 {
        text.push_str(&format!(" · {ignored} ignored"));
    }
    text
}

pub fn code_lens(analysis: &Analysis) -> Vec<CodeLens> {
    let start = Position::new(0, 0);
    vec![CodeLens {
        range: Range::new(start, start),
        command: Some(Command {
            title: summary(analysis),
            command: String::new(),
            arguments: None,
        }),
        data: None,
    }]
}
