//! Misattribution: the draft's speaker of each sourced quote against the source's, and `misattributed`
//! findings where both are confident and name different people (or an outlet credit the source's metadata
//! does not bear out).
//!
//! The source's speaker comes from its text ([`Attributor`]) unless the source has speaker labels (a
//! transcript's cue voices, see [`SpeakerLabels`]), which then decide.

use std::collections::HashMap;
use std::ops::Range;

use super::attribution::{Attribution, Attributor, SpeakerKind, SpeakerLabels};
use crate::engine::corpus::{Corpus, Source, SourceId};
use crate::engine::finding::{Finding, Verdict};
use crate::engine::metadata::SourceMetadata;
use crate::engine::TextFormat;

/// Whom each source passage is credited to, by source and passage range (kept across checks by the verdict
/// cache: a source's text never changes under the same id).
pub type SpeakerMemo = HashMap<(SourceId, usize, usize), Option<Attribution>>;

/// The speaker a source gives the passage at `range`: its label when one holds it (a transcript), else its
/// text's.
pub fn source_attribution(
    text: &str,
    format: TextFormat,
    labels: &SpeakerLabels,
    range: &Range<usize>,
) -> Option<Attribution> {
    if let Some(found) = labels.at(range) {
        return Some(found);
    }
    Attributor::around(text, format, range).at(range)
}

/// Fills each finding's `attribution` (the draft's speaker) and `source_attribution` (its passage's), and
/// adds a `misattributed` finding after every quote whose speakers differ. Findings already `misattributed`
/// (from a cache) are dropped first, so the result is the same however often it runs.
pub fn credit_findings(
    corpus: &Corpus,
    text: &str,
    format: TextFormat,
    findings: &mut Vec<Finding>,
    memo: &mut SpeakerMemo,
) {
    findings.retain(|f| f.verdict != Verdict::Misattributed);
    if findings.is_empty() {
        return;
    }
    let draft = Attributor::new(text, format);
    // A source quoted several times (an interview, a statement) is read once: one attributor of its whole text
    // answers for each of its passages, as `source_attribution` would.
    let mut whole: HashMap<SourceId, Attributor> = HashMap::new();
    let mut source_side = |id: SourceId, range: &Range<usize>| -> Option<Attribution> {
        memo.entry((id, range.start, range.end))
            .or_insert_with(|| {
                let source = corpus.source(id)?;
                let text = source.text.as_str();
                if !Attributor::reads_whole(text) {
                    return source_attribution(text, source.format, &source.speakers, range);
                }
                if let Some(found) = source.speakers.at(range) {
                    return Some(found);
                }
                whole
                    .entry(id)
                    .or_insert_with(|| Attributor::new(text, source.format))
                    .at(range)
            })
            .clone()
    };
    let mut out = Vec::with_capacity(findings.len() + 2);
    for mut finding in findings.drain(..) {
        finding.attribution = draft.at(&finding.quote.outer);
        let Some(passage) = finding.passage.clone() else {
            finding.source_attribution = None;
            out.push(finding);
            continue;
        };
        finding.source_attribution = source_side(passage.source, &passage.range);
        let mismatch = match (&finding.attribution, &finding.source_attribution) {
            (Some(ours), _) if ours.kind == SpeakerKind::Outlet => corpus
                .source(passage.source)
                .and_then(|source| outlet_mismatch(ours, source)),
            (Some(ours), Some(theirs)) if ours.same_speaker(theirs) == Some(false) => {
                // A copy of the same words that does credit the draft's speaker settles it.
                let agreed = finding.also_in.iter().any(|other| {
                    source_side(other.source, &other.range)
                        .is_some_and(|a| ours.same_speaker(&a) == Some(true))
                });
                (!agreed).then(|| {
                    // A pronoun or a role says whom it was read as: `not Tom Lindqvist (“he”)`.
                    let ours = if ours.speaker == ours.name {
                        ours.name.clone()
                    } else {
                        format!("{} (“{}”)", ours.name, ours.speaker)
                    };
                    format!(
                        "misattributed: the source credits these words to {}, not {ours}",
                        theirs.name
                    )
                })
            }
            _ => None,
        };
        let extra = mismatch.map(|message| Finding {
            quote: finding.quote.clone(),
            verdict: Verdict::Misattributed,
            passage: finding.passage.clone(),
            edits: Vec::new(),
            similarity: finding.similarity,
            notes: Vec::new(),
            also_in: Vec::new(),
            message,
            attribution: finding.attribution.clone(),
            source_attribution: finding.source_attribution.clone(),
        });
        out.push(finding);
        out.extend(extra);
    }
    *findings = out;
}

/// An outlet credit (`according to Reuters`) that the source's author, outlet and url do not bear out; `None`
/// when they agree or when the source has no such metadata (nothing to compare).
fn outlet_mismatch(credit: &Attribution, source: &Source) -> Option<String> {
    let metadata: &SourceMetadata = &source.metadata;
    let mut known: Vec<String> = Vec::new();
    if let Some(author) = &metadata.author {
        known.push(squash(author));
    }
    if let Some(url) = &metadata.url {
        let host = url
            .split("://")
            .nth(1)
            .unwrap_or(url)
            .split('/')
            .next()
            .unwrap_or_default()
            .trim_start_matches("www.");
        known.push(squash(host.rsplit_once('.').map_or(host, |(name, _)| name)));
    }
    known.retain(|k| !k.is_empty());
    if known.is_empty() {
        return None;
    }
    let outlet = squash(
        credit
            .speaker
            .trim_start_matches("the ")
            .trim_start_matches("The "),
    );
    let initials: String = credit
        .speaker
        .split_whitespace()
        .filter(|w| !matches!(*w, "the" | "The" | "of"))
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_lowercase)
        .collect();
    let matches = known.iter().any(|k| {
        k.contains(&outlet)
            || outlet.contains(k.as_str())
            || (initials.len() >= 2 && k.starts_with(&initials))
    });
    if matches {
        return None;
    }
    let by = metadata
        .author
        .clone()
        .or_else(|| metadata.url.clone())
        .unwrap_or_default();
    Some(format!(
        "misattributed: the draft credits {}, but the source is “{}” ({by})",
        credit.speaker, metadata.title
    ))
}

/// Lowercase letters and digits only (`The New York Times` → `thenewyorktimes`).
fn squash(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}
