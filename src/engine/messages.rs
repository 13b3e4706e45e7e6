//! Messages: findings and edits in words, as diagnostics and terminals show them.
use super::finding::{Edit, EditKind, Verdict};

/// The message of an unsourced quote, naming the closest source when some of its words were found.
pub(super) fn unsourced(closest: Option<&str>, similarity: f32) -> String {
    match closest {
        Some(title) => format!(
            "no source contains this quote (closest: “{title}”, which has {:.0}% of the quote’s words)",
            similarity * 100.0
        ),
        None => "no source contains this quote".to_string(),
    }
}

/// The message of a verified or drifted quote: the source's title, the edits, other sources, notes.
pub(super) fn sourced(
    verdict: Verdict,
    title: &str,
    edits: &[Edit],
    also_in: usize,
    notes: &[String],
) -> String {
    let mut message = if verdict == Verdict::Verified {
        format!("verified: matches “{title}”")
    } else {
        let differences: Vec<String> = edits.iter().map(describe_edit).collect();
        format!("drift from “{title}”: {}", differences.join("; "))
    };
    if also_in > 0 {
        message.push_str(&format!(
            " (also in {also_in} other source{})",
            plural(also_in)
        ));
    }
    for note in notes {
        message.push_str(&format!("; note: {note}"));
    }
    message
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// One edit in words, as shown in messages.
pub fn describe_edit(edit: &Edit) -> String {
    let quote = shorten(&edit.quote_words);
    let source = shorten(&edit.source_words);
    match edit.kind {
        EditKind::Substituted if !edit.context.is_empty() => {
            format!("“{} {quote}” for “{} {source}”", edit.context, edit.context)
        }
        EditKind::Substituted => format!("“{quote}” for “{source}”"),
        EditKind::Missing => format!("missing “{source}”"),
        EditKind::Added => format!("added “{quote}”"),
        EditKind::Reordered => format!("reordered “{quote}” (source: “{source}”)"),
    }
}

fn shorten(words: &str) -> String {
    const LIMIT: usize = 60;
    if words.chars().count() <= LIMIT {
        return words.to_string();
    }
    let head: String = words.chars().take(LIMIT).collect();
    format!("{}…", head.trim_end())
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
