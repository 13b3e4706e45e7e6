//! The reverse index of quotations ([`UsageIndex`]): for every draft, the source passages its quotes align
//! with (source key, passage range, verdict, quote range), queried from the source's side — who quotes this
//! source, this passage, this paragraph. Kept per draft: re-checking a draft replaces that draft's entries only.
//!
//! Sources are keyed by their key (the corpus' relative path), not their [`SourceId`](super::SourceId): an
//! edited source comes back under a new id, and the index must outlive a re-index of the corpus.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::sync::Arc;

use super::corpus::Corpus;
use super::finding::{Finding, Verdict};
use super::prose::prose;
use super::TextFormat;

/// One quote of a draft aligned with a passage of one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Usage {
    /// The source's key (see [`Corpus::source_id`]).
    pub source: String,
    /// The passage, in bytes of the source's text as it was when the draft was checked.
    pub passage: Range<usize>,
    /// Verified or drift (a misattributed quote keeps the verdict of its words, with `misattributed` set).
    pub verdict: Verdict,
    /// The draft credits the words to someone else than the source does.
    pub misattributed: bool,
    /// The source is one of the quote's "also in" sources, not its best one.
    pub also_in: bool,
    /// The quotation in the draft (marks excluded), in bytes.
    pub quote: Range<usize>,
    /// Who the draft credits the quote to (resolved name), if anyone.
    pub speaker: Option<String>,
}

impl Usage {
    /// The usage's verdict as a reader counts it: misattributed wins over the words' verdict.
    pub fn code(&self) -> &'static str {
        if self.misattributed {
            Verdict::Misattributed.code()
        } else {
            self.verdict.code()
        }
    }
}

/// The usages of one draft, with the text their ranges are bytes of.
#[derive(Clone, Debug)]
pub struct DraftUsages {
    pub text: Arc<str>,
    pub format: TextFormat,
    pub usages: Vec<Usage>,
    /// Quotes no source contains (for the per-source summary: they are nobody's).
    pub unsourced: usize,
}

/// One answer of a query: the draft's key, its entry and the usage.
#[derive(Clone, Copy, Debug)]
pub struct Hit<'a> {
    pub draft: &'a str,
    pub entry: &'a DraftUsages,
    pub usage: &'a Usage,
}

/// How often one source is quoted (for code lenses and `verbatim check --summary`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceUsage {
    pub quotes: usize,
    pub drafts: usize,
    pub verified: usize,
    pub drift: usize,
    pub misattributed: usize,
}

impl SourceUsage {
    /// "quoted 3× in 2 drafts · 1 drift" (nothing about verified quotes: they are the norm).
    pub fn label(&self) -> String {
        let mut text = format!(
            "quoted {}× in {} draft{}",
            self.quotes,
            self.drafts,
            if self.drafts == 1 { "" } else { "s" }
        );
        if self.drift > 0 {
            text.push_str(&format!(" · {} drift", self.drift));
        }
        if self.misattributed > 0 {
            text.push_str(&format!(" · {} misattributed", self.misattributed));
        }
        text
    }

    /// Counts `hits` (a quote aligned with a wire copy's passage as well as its best source counts for both).
    pub fn of<'a>(hits: impl IntoIterator<Item = Hit<'a>>) -> SourceUsage {
        let mut usage = SourceUsage::default();
        let mut drafts = HashSet::new();
        for hit in hits {
            usage.quotes += 1;
            drafts.insert(hit.draft);
            if hit.usage.misattributed {
                usage.misattributed += 1;
            }
            match hit.usage.verdict {
                Verdict::Verified => usage.verified += 1,
                Verdict::Drift => usage.drift += 1,
                _ => {}
            }
        }
        usage.drafts = drafts.len();
        usage
    }
}

/// The reverse index: per draft its usages, per source the drafts quoting it.
#[derive(Default, Debug)]
pub struct UsageIndex {
    drafts: HashMap<String, DraftUsages>,
    /// Source key → the drafts with at least one usage of it.
    quoting: HashMap<String, HashSet<String>>,
    /// Bumped at every change (for callers caching answers).
    generation: u64,
}

impl UsageIndex {
    pub fn new() -> UsageIndex {
        UsageIndex::default()
    }

    /// The usages a draft's findings make: one per sourced quote (its best passage, and each "also in"
    /// passage); a `misattributed` finding marks the usage of the quote it follows.
    pub fn usages_of(corpus: &Corpus, findings: &[Finding]) -> (Vec<Usage>, usize) {
        let mut usages: Vec<Usage> = Vec::new();
        let mut unsourced = 0;
        for finding in findings {
            if finding.quote.ignored {
                continue;
            }
            if finding.verdict == Verdict::Misattributed {
                for usage in usages.iter_mut().filter(|u| u.quote == finding.quote.range) {
                    usage.misattributed = true;
                }
                continue;
            }
            let Some(passage) = &finding.passage else {
                unsourced += 1;
                continue;
            };
            let speaker = finding.attribution.as_ref().map(|a| a.name.clone());
            let passages =
                std::iter::once((passage, false)).chain(finding.also_in.iter().map(|p| (p, true)));
            for (passage, also_in) in passages {
                let Some(source) = corpus.source(passage.source) else {
                    continue;
                };
                usages.push(Usage {
                    source: source.key.clone(),
                    passage: passage.range.clone(),
                    verdict: finding.verdict,
                    misattributed: false,
                    also_in,
                    quote: finding.quote.range.clone(),
                    speaker: speaker.clone(),
                });
            }
        }
        (usages, unsourced)
    }

    /// Replaces everything known of draft `key` (its text and findings, checked against `corpus`).
    pub fn record(
        &mut self,
        key: &str,
        text: impl Into<Arc<str>>,
        format: TextFormat,
        corpus: &Corpus,
        findings: &[Finding],
    ) {
        let (usages, unsourced) = UsageIndex::usages_of(corpus, findings);
        self.replace(
            key,
            DraftUsages {
                text: text.into(),
                format,
                usages,
                unsourced,
            },
        );
    }

    /// Replaces draft `key`'s entry; only that draft's links are touched.
    pub fn replace(&mut self, key: &str, entry: DraftUsages) {
        self.unlink(key);
        for usage in &entry.usages {
            self.quoting
                .entry(usage.source.clone())
                .or_default()
                .insert(key.to_string());
        }
        self.drafts.insert(key.to_string(), entry);
        self.generation += 1;
    }

    /// Forgets a draft (deleted, or no longer a draft).
    pub fn remove(&mut self, key: &str) -> bool {
        self.unlink(key);
        let removed = self.drafts.remove(key).is_some();
        self.generation += 1;
        removed
    }

    fn unlink(&mut self, key: &str) {
        let Some(old) = self.drafts.get(key) else {
            return;
        };
        for usage in &old.usages {
            if let Some(drafts) = self.quoting.get_mut(&usage.source) {
                drafts.remove(key);
                if drafts.is_empty() {
                    self.quoting.remove(&usage.source);
                }
            }
        }
    }

    /// Drops every draft `keep` refuses (after a re-discovery).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let gone: Vec<String> = self.drafts.keys().filter(|k| !keep(k)).cloned().collect();
        for key in gone {
            self.remove(&key);
        }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn draft(&self, key: &str) -> Option<&DraftUsages> {
        self.drafts.get(key)
    }

    pub fn drafts(&self) -> impl Iterator<Item = (&str, &DraftUsages)> {
        self.drafts.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.drafts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.drafts.is_empty()
    }

    /// The drafts quoting `source`, sorted.
    pub fn drafts_quoting(&self, source: &str) -> Vec<&str> {
        let mut drafts: Vec<&str> = self
            .quoting
            .get(source)
            .map(|d| d.iter().map(String::as_str).collect())
            .unwrap_or_default();
        drafts.sort_unstable();
        drafts
    }

    /// Every usage of `source` whose passage overlaps `range` (a point range `a..a` matches passages holding
    /// `a`, ends included); all of them for `None`. Sorted by draft, then position in the draft.
    pub fn query(&self, source: &str, range: Option<Range<usize>>) -> Vec<Hit<'_>> {
        let mut hits = Vec::new();
        for draft in self.drafts_quoting(source) {
            let Some(entry) = self.drafts.get(draft) else {
                continue;
            };
            for usage in entry.usages.iter().filter(|u| u.source == source) {
                if range.as_ref().is_none_or(|r| overlaps(&usage.passage, r)) {
                    hits.push(Hit {
                        draft,
                        entry,
                        usage,
                    });
                }
            }
        }
        hits
    }

    /// The usages of `source` (whose text is `text`) at byte `offset`: those whose passage holds it, else
    /// those whose passage lies in the paragraph there.
    pub fn at(&self, source: &str, text: &str, format: TextFormat, offset: usize) -> Vec<Hit<'_>> {
        let exact = self.query(source, Some(offset..offset));
        if !exact.is_empty() {
            return exact;
        }
        match paragraph_at(text, format, offset) {
            Some(paragraph) if paragraph.start <= offset => self.query(source, Some(paragraph)),
            _ => Vec::new(),
        }
    }

    /// The usages aligned with the same passage as the quote at byte `offset` of draft `key` (on its words or
    /// its marks), in other drafts and elsewhere in this one. Empty when no sourced quote is there.
    pub fn same_passage(&self, key: &str, offset: usize) -> Vec<Hit<'_>> {
        let Some(entry) = self.drafts.get(key) else {
            return Vec::new();
        };
        // On the quote, or on its marks (only punctuation between the offset and the quote's words).
        let marks_only = |range: Range<usize>| {
            entry.text.get(range).is_some_and(|between| {
                between.chars().count() <= 2 && between.chars().all(|c| !c.is_alphanumeric())
            })
        };
        let mine: Vec<&Usage> = entry
            .usages
            .iter()
            .filter(|u| {
                (u.quote.start <= offset && offset <= u.quote.end)
                    || (offset < u.quote.start && marks_only(offset..u.quote.start))
                    || (offset > u.quote.end && marks_only(u.quote.end..offset))
            })
            .collect();
        let mut hits: Vec<Hit<'_>> = Vec::new();
        for usage in mine {
            for hit in self.query(&usage.source, Some(usage.passage.clone())) {
                let same = hit.draft == key && hit.usage.quote == usage.quote;
                let seen = hits
                    .iter()
                    .any(|h| h.draft == hit.draft && h.usage.quote == hit.usage.quote);
                if !same && !seen {
                    hits.push(hit);
                }
            }
        }
        hits
    }

    /// Per source key, how often it is quoted, sorted by key.
    pub fn summary(&self) -> BTreeMap<&str, SourceUsage> {
        self.quoting
            .keys()
            .map(|source| (source.as_str(), SourceUsage::of(self.query(source, None))))
            .filter(|(_, usage)| usage.quotes > 0)
            .collect()
    }

    /// Every person quoted (the draft's speaker of a sourced quote, by resolved name) with their quotes.
    pub fn speakers(&self) -> BTreeMap<&str, Vec<Hit<'_>>> {
        let mut people: BTreeMap<&str, Vec<Hit<'_>>> = BTreeMap::new();
        let mut drafts: Vec<&String> = self.drafts.keys().collect();
        drafts.sort();
        for draft in drafts {
            let entry = &self.drafts[draft];
            for usage in entry.usages.iter().filter(|u| !u.also_in) {
                if let Some(name) = usage.speaker.as_deref().filter(|n| !n.is_empty()) {
                    people.entry(name).or_default().push(Hit {
                        draft,
                        entry,
                        usage,
                    });
                }
            }
        }
        people
    }
}

/// Whether `passage` overlaps `range`; a point range holds its ends.
fn overlaps(passage: &Range<usize>, range: &Range<usize>) -> bool {
    if range.is_empty() {
        passage.start <= range.start && range.start <= passage.end
    } else {
        passage.start < range.end && range.start < passage.end
    }
}

/// The prose block (paragraph, heading, list item) of `text` holding byte `offset`, or the block starting
/// next after it (the blank line before a paragraph reads as that paragraph); `None` past the last block.
pub fn paragraph_at(text: &str, format: TextFormat, offset: usize) -> Option<Range<usize>> {
    paragraphs(text, format)
        .into_iter()
        .find(|block| offset <= block.end)
}

/// The ranges of every prose block of `text`, in order.
pub fn paragraphs(text: &str, format: TextFormat) -> Vec<Range<usize>> {
    prose(text, format)
        .blocks
        .iter()
        .filter_map(|block| {
            let first = block.segments.first()?;
            let last = block.segments.last()?;
            Some(first.start..last.end)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineSettings;

    const SOURCE: &str = "# Council vote\n\nThe mayor said the budget would \"protect every library in the city\" this year.\n\nA second paragraph talks about roads and bridges being repaired soon.\n";

    fn corpus() -> Corpus {
        let mut corpus = Corpus::new();
        corpus.upsert_source(
            "sources/council.md",
            SOURCE.to_string(),
            TextFormat::Markdown,
        );
        corpus.upsert_source(
            "sources/other.md",
            "Nothing to do with it at all, only weather reports of rain.".to_string(),
            TextFormat::Markdown,
        );
        corpus
    }

    fn record(index: &mut UsageIndex, corpus: &Corpus, key: &str, text: &str) {
        let findings = corpus.check_draft(text, TextFormat::Markdown, &EngineSettings::default());
        index.record(key, text, TextFormat::Markdown, corpus, &findings);
    }

    #[test]
    fn finds_every_draft_quoting_a_passage_and_replaces_per_draft() {
        let corpus = corpus();
        let mut index = UsageIndex::new();
        record(
            &mut index,
            &corpus,
            "a.md",
            "She said “protect every library in the city” today.",
        );
        record(&mut index, &corpus, "b.md", "He wrote “protect every book in the city” and “roads and bridges being repaired soon”.");
        record(
            &mut index,
            &corpus,
            "c.md",
            "“An invented sentence nobody ever wrote down.”",
        );
        let library = SOURCE.find("protect").unwrap();
        let hits = index.query("sources/council.md", Some(library..library));
        let drafts: Vec<&str> = hits.iter().map(|h| h.draft).collect();
        assert_eq!(drafts, ["a.md", "b.md"]);
        assert_eq!(hits[0].usage.verdict, Verdict::Verified);
        assert_eq!(hits[1].usage.verdict, Verdict::Drift);
        assert_eq!(index.query("sources/council.md", None).len(), 3);
        assert_eq!(index.draft("c.md").unwrap().unsourced, 1);
        let summary = index.summary();
        assert_eq!(
            summary["sources/council.md"].label(),
            "quoted 3× in 2 drafts · 1 drift"
        );
        // A re-check of b.md replaces only its entries.
        record(&mut index, &corpus, "b.md", "Nothing quoted here any more.");
        assert_eq!(index.query("sources/council.md", None).len(), 1);
        assert_eq!(index.drafts_quoting("sources/council.md"), ["a.md"]);
        // From a quote: the other drafts quoting its passage.
        record(
            &mut index,
            &corpus,
            "d.md",
            "Again: “protect every library in the city”.",
        );
        let a = index.draft("a.md").unwrap().usages[0].quote.clone();
        let same = index.same_passage("a.md", a.start + 3);
        assert_eq!(same.iter().map(|h| h.draft).collect::<Vec<_>>(), ["d.md"]);
        assert!(index.remove("d.md"));
        assert!(index.same_passage("a.md", a.start + 3).is_empty());
    }

    #[test]
    fn paragraphs_are_prose_blocks() {
        let blocks = paragraphs(SOURCE, TextFormat::Markdown);
        assert_eq!(blocks.len(), 3);
        let at = SOURCE.find("roads").unwrap();
        assert_eq!(
            paragraph_at(SOURCE, TextFormat::Markdown, at),
            Some(blocks[2].clone())
        );
        assert_eq!(
            paragraph_at(SOURCE, TextFormat::Markdown, SOURCE.len()),
            None
        );
    }
}
