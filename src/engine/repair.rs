//! Repairs: the text edits that restore a source's wording, and the attribution text for a quote.

use std::ops::Range;

use super::corpus::Source;
use super::finding::{EditKind, Finding, Verdict};

/// Replace `range` (bytes of the draft) with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: Range<usize>,
    pub new_text: String,
}

/// Edits to the draft after which the quote in `finding` verifies against `source` (empty unless drift).
///
/// Each difference is mended where it is, so the writer's ellipses, brackets and line breaks stay; when words
/// were reordered, the quote's text is replaced by the source passage as a whole. Quote marks inside the
/// source's words become single marks, so they cannot close the draft's quote.
pub fn repair_edits(draft: &str, finding: &Finding, source: &Source) -> Vec<TextEdit> {
    if finding.verdict != Verdict::Drift {
        return Vec::new();
    }
    let Some(passage) = &finding.passage else {
        return Vec::new();
    };
    if finding.edits.iter().any(|e| e.kind == EditKind::Reordered) {
        let words = source.text.get(passage.range.clone()).unwrap_or_default();
        return vec![TextEdit {
            range: finding.quote.range.clone(),
            new_text: inner_marks(&collapse(words)),
        }];
    }
    let mut edits = Vec::new();
    for edit in &finding.edits {
        let source_words = inner_marks(&edit.source_words);
        match edit.kind {
            EditKind::Substituted => {
                edits.push(TextEdit {
                    range: edit.quote_range.clone(),
                    new_text: source_words,
                });
            }
            EditKind::Added => {
                let mut range = edit.quote_range.clone();
                if draft[..range.start].ends_with(' ') {
                    range.start -= 1;
                } else if draft[range.end..].starts_with(' ') {
                    range.end += 1;
                }
                edits.push(TextEdit {
                    range,
                    new_text: String::new(),
                });
            }
            EditKind::Missing => {
                let at = edit.quote_range.start;
                let before = draft[..at].chars().next_back();
                let new_text =
                    if at == finding.quote.range.start || before.is_some_and(char::is_whitespace) {
                        format!("{source_words} ")
                    } else {
                        format!(" {source_words}")
                    };
                edits.push(TextEdit {
                    range: at..at,
                    new_text,
                });
            }
            EditKind::Reordered => {}
        }
    }
    edits
}

/// Applies non-overlapping edits to a text (in any order).
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        if edit.range.start < at || edit.range.end > text.len() {
            continue;
        }
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.new_text);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Double quote marks inside quoted words become single ones (“ → ‘, ” → ’, " → ').
fn inner_marks(words: &str) -> String {
    words
        .chars()
        .map(|c| match c {
            '“' | '„' => '‘',
            '”' => '’',
            '"' => '\'',
            '«' => '‹',
            '»' => '›',
            c => c,
        })
        .collect()
}

/// What an attribution can say of where a passage is, beyond its source's metadata: the page of a PDF, the cue
/// time of a transcript, who the source credits the words to (or the transcript's voice), and a web page's
/// outlet. Filled by the caller from the source's extraction and the finding; empty for Markdown sources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PassagePlace {
    /// `p. 3` or `pp. 3–4`.
    pub page: Option<String>,
    /// `00:03:12`: where the passage's first cue starts.
    pub time: Option<String>,
    pub speaker: Option<String>,
    pub outlet: Option<String>,
}

/// Fills an attribution template: `{title}`, `{date}`, `{author}`, `{url}`, `{path}` (the source's file
/// name), and from `place` `{page}`, `{time}`, `{speaker}` and `{outlet}`. An ISO date (2022-02-04) is written as
/// “4 Feb 2022”. A placeholder with no value disappears with the separator before it (or, first in its
/// brackets, after it), so " ({title}, {date})" becomes " (Title)" for an undated source and
/// " ({speaker}, {title})" becomes " (Title)" when nobody is named.
pub fn attribution_text(template: &str, source: &Source, place: &PassagePlace) -> String {
    let metadata = &source.metadata;
    let file_name = source
        .key
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(&source.key)
        .to_string();
    let some = |value: &Option<String>| value.clone().unwrap_or_default();
    let values = [
        ("{title}", metadata.title.clone()),
        (
            "{date}",
            metadata.date.as_deref().map(human_date).unwrap_or_default(),
        ),
        ("{author}", some(&metadata.author)),
        ("{url}", some(&metadata.url)),
        ("{path}", file_name),
        ("{page}", some(&place.page)),
        ("{time}", some(&place.time)),
        ("{speaker}", some(&place.speaker)),
        ("{outlet}", some(&place.outlet)),
    ];
    const SEPARATORS: [&str; 5] = [", ", "; ", " - ", " — ", " · "];
    let mut text = template.to_string();
    for (placeholder, value) in values {
        if value.is_empty() {
            for separator in SEPARATORS.iter().chain([&" "]) {
                text = text.replace(&format!("{separator}{placeholder}"), "");
            }
            for separator in SEPARATORS {
                text = text.replace(&format!("{placeholder}{separator}"), "");
            }
        }
        text = text.replace(placeholder, &value);
    }
    text.replace("()", "").replace("( ", "(")
}

/// `2022-02-04` (optionally followed by a time) → `4 Feb 2022`; anything else unchanged.
pub fn human_date(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let day_part = date.get(..10).unwrap_or(date);
    let parts: Vec<&str> = day_part.split('-').collect();
    if let [year, month, day] = parts[..] {
        if let (Ok(year), Ok(month), Ok(day)) = (
            year.parse::<u32>(),
            month.parse::<usize>(),
            day.parse::<u32>(),
        ) {
            if (1..=12).contains(&month) && (1..=31).contains(&day) && year > 0 {
                return format!("{day} {} {year}", MONTHS[month - 1]);
            }
        }
    }
    date.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Corpus, EngineSettings, TextFormat};

    const SOURCE: &str = "---\ntitle: China reveals position\ndate: 2022-02-04\n---\n\n“The parties oppose the further \
        expansion of NATO and call for the North Atlantic Alliance to refrain from ideological approaches from the \
        time of the Cold War,” it reads, as well as urging the bloc “to respect sovereignty, security, the \
        interests of other countries.”\n";

    fn repaired(draft: &str) -> (String, Vec<crate::engine::Finding>) {
        let mut corpus = Corpus::new();
        let id = corpus.upsert_source("sources/rt.md", SOURCE.to_string(), TextFormat::Markdown);
        let settings = EngineSettings::default();
        let findings = corpus.check_draft(draft, TextFormat::Markdown, &settings);
        let source = corpus.source(id).unwrap();
        let mut edits = Vec::new();
        for finding in &findings {
            edits.extend(repair_edits(draft, finding, source));
        }
        let fixed = apply_edits(draft, &edits);
        let after = corpus.check_draft(&fixed, TextFormat::Markdown, &settings);
        (fixed, after)
    }

    #[test]
    fn drift_repairs_verify() {
        for draft in [
            "“The parties oppose further expansion of NATO and call on the North Atlantic Alliance to refrain from \
             ideological approaches since the Cold War.”",
            "They urged “the bloc to respect the sovereignty, security, interests of other countries”.",
            "“The parties strongly oppose the further expansion of NATO and call for the Alliance to refrain”",
            "“oppose the expansion further of NATO and call for the North Atlantic Alliance”",
        ] {
            let (fixed, after) = repaired(draft);
            assert_eq!(after.len(), 1, "{fixed}");
            assert_eq!(after[0].verdict, Verdict::Verified, "{fixed}\n{}", after[0].message);
        }
    }

    #[test]
    fn attribution() {
        let source = Corpus::prepare_source("x/rt.md", SOURCE.to_string(), TextFormat::Markdown);
        let mut corpus = Corpus::new();
        let id = corpus.insert_prepared(source);
        let source = corpus.source(id).unwrap();
        assert_eq!(
            attribution_text(" ({title}, {date})", source, &PassagePlace::default()),
            " (China reveals position, 4 Feb 2022)"
        );
        let mut undated = source.clone();
        undated.metadata.date = None;
        assert_eq!(
            attribution_text(" ({title}, {date})", &undated, &PassagePlace::default()),
            " (China reveals position)"
        );
        assert_eq!(
            attribution_text("[{title}]({path})", source, &PassagePlace::default()),
            "[China reveals position](rt.md)"
        );
    }

    #[test]
    fn attribution_templates_say_where_in_the_source() {
        let mut corpus = Corpus::new();
        let id = corpus.upsert_source("sources/rt.md", SOURCE.to_string(), TextFormat::Markdown);
        let source = corpus.source(id).unwrap();
        let place = PassagePlace {
            page: Some("p. 3".into()),
            time: Some("00:03:12".into()),
            speaker: Some("Amara Okafor".into()),
            outlet: Some("RT".into()),
        };
        let template = " ({speaker}, {title}, {page} · {time}; {outlet})";
        assert_eq!(
            attribution_text(template, source, &place),
            " (Amara Okafor, China reveals position, p. 3 · 00:03:12; RT)"
        );
        // Each missing value goes with its separator, first in the brackets or not.
        assert_eq!(
            attribution_text(template, source, &PassagePlace::default()),
            " (China reveals position)"
        );
        let only_time = PassagePlace {
            time: Some("00:03:12".into()),
            ..PassagePlace::default()
        };
        assert_eq!(
            attribution_text(template, source, &only_time),
            " (China reveals position · 00:03:12)"
        );
    }
}
