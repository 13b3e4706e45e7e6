//! Speaker identification measured on PolNeAR (human-annotated attributions in real news), and the
//! misattribution check measured on its quotes re-credited to another person of the same article.
//!
//! `cargo bench --bench attribution -- /path/to/polnear-dev` (a folder with `text/*.txt` and
//! `attributions/*.ann`, BRAT standoff, offsets in characters). The articles are read, never copied.
//! `--verbose` prints every miss.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use verbatim::engine::attribution::{lexicon, Attribution, Attributor, SpeakerKind};
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
        recredit.collect(&text, &gold_quotes);
        recredit.measure(article, &text);
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
                let excerpt = context(&text, quote);
                println!(
                    "{outcome:?} {article}: «{excerpt}» gold {gold:?} got {:?}",
                    found
                        .as_ref()
                        .map(|f| (&f.speaker, &f.name, &f.cue, f.confidence))
                );
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
    recredit.print(verbose);
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
/// quiet when the credit is right? Each article becomes a source; two drafts quote its direct quotes of 4+
/// words whose annotated speaker is named (`“…,” Name said.` / `Name said: “…”`), one crediting the annotated
/// speaker, one another person the article quotes.
#[derive(Default)]
struct Recredit {
    /// (quote text, right name, wrong name, where the article has the quote)
    cases: Vec<(String, String, String, Range<usize>)>,
    right_total: usize,
    right_flagged: usize,
    wrong_total: usize,
    wrong_flagged: usize,
    wrong_unmatched: usize,
    examples: Vec<String>,
    /// Time spent checking the generated drafts with attribution on, and the same drafts with it off.
    time_on: std::time::Duration,
    time_off: std::time::Duration,
    quotes_checked: usize,
}

/// The annotated speaker as a name to write in a draft: parentheses dropped, `None` for pronouns and
/// unnamed speakers.
fn written_name(text: &str, annotation: &Annotation) -> Option<String> {
    let raw: String = annotation
        .source
        .iter()
        .map(|s| &text[s.clone()])
        .collect::<Vec<_>>()
        .join(" ");
    let mut name = String::new();
    let mut depth = 0;
    for c in raw.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => name.push(c),
            _ => {}
        }
    }
    let name = name
        .split(',')
        .next()?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let words: Vec<&str> = name.split(' ').collect();
    let capitalised = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    let is_name = words.len() <= 5
        && capitalised == words.len()
        && !matches!(
            words[0],
            "He" | "She" | "They" | "It" | "The" | "A" | "An" | "I" | "We"
        );
    // Another person: outlets and organisations (`Reuters`, `Yahoo News`) are not re-credited.
    if words.iter().any(|w| {
        lexicon::is_outlet_word(w)
            || lexicon::is_org_word(w)
            || lexicon::is_place_or_body(&w.to_lowercase())
    }) {
        return None;
    }
    let parsed = verbatim::engine::attribution::names::parse_name(&words)?;
    (is_name && parsed.surname.chars().count() > 1).then_some(name)
}

impl Recredit {
    fn collect(&mut self, text: &str, gold: &[(Range<usize>, &Annotation)]) {
        let named: Vec<(Range<usize>, String)> = gold
            .iter()
            .filter(|(q, _)| text[q.clone()].split_whitespace().count() >= 4)
            .filter_map(|(q, a)| Some((q.clone(), written_name(text, a)?)))
            .collect();
        let surname = |name: &str| {
            let words: Vec<&str> = name.split(' ').collect();
            verbatim::engine::attribution::names::parse_name(&words)
                .map(|n| n.surname)
                .unwrap_or_default()
        };
        for (i, (quote, name)) in named.iter().enumerate() {
            // Another person the article quotes: the next named speaker with another surname.
            let other = named
                .iter()
                .cycle()
                .skip(i + 1)
                .take(named.len())
                .map(|(_, n)| n)
                .find(|n| surname(n) != surname(name));
            let Some(other) = other else { continue };
            let words = text[quote.clone()]
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            self.cases
                .push((words, name.clone(), other.clone(), quote.clone()));
        }
    }

    fn measure(&mut self, article: &str, text: &str) {
        use verbatim::engine::{Corpus, EngineSettings, Verdict};
        let cases = std::mem::take(&mut self.cases);
        if cases.is_empty() {
            return;
        }
        let mut corpus = Corpus::new();
        corpus.upsert_source(
            &format!("sources/{article}.txt"),
            text.to_string(),
            TextFormat::PlainText,
        );
        let settings = EngineSettings::default();
        for wrong in [false, true] {
            let mut draft = String::from("# Draft\n\n");
            for (n, (quote, right_name, wrong_name, _)) in cases.iter().enumerate() {
                let name = if wrong { wrong_name } else { right_name };
                let bare = quote.trim_end_matches(['.', ',', ' ']);
                if n % 2 == 0 {
                    draft.push_str(&format!("“{bare},” {name} said.\n\n"));
                } else {
                    draft.push_str(&format!("{name} said: “{bare}.”\n\n"));
                }
            }
            let started = std::time::Instant::now();
            let findings = corpus.check_draft(&draft, TextFormat::Markdown, &settings);
            self.time_on += started.elapsed();
            let off = EngineSettings {
                attribution: false,
                ..settings.clone()
            };
            let started = std::time::Instant::now();
            let plain = corpus.check_draft(&draft, TextFormat::Markdown, &off);
            self.time_off += started.elapsed();
            self.quotes_checked += plain.len();
            for (n, (quote, right_name, wrong_name, at)) in cases.iter().enumerate() {
                let bare = quote.trim_end_matches(['.', ',', ' ']);
                let of_quote: Vec<_> = findings
                    .iter()
                    .filter(|f| {
                        draft[f.quote.range.clone()].trim_end_matches(['.', ',', ' ']) == bare
                    })
                    .collect();
                let sourced = of_quote
                    .iter()
                    .any(|f| matches!(f.verdict, Verdict::Verified | Verdict::Drift));
                let flagged = of_quote.iter().any(|f| f.verdict == Verdict::Misattributed);
                if wrong {
                    self.wrong_total += 1;
                    self.wrong_flagged += usize::from(flagged);
                    self.wrong_unmatched += usize::from(!sourced);
                    if !flagged && sourced && self.examples.len() < 400 {
                        let theirs = of_quote.iter().find_map(|f| f.source_attribution.as_ref());
                        let ours = of_quote.iter().find_map(|f| f.attribution.as_ref());
                        let matched: Vec<String> = of_quote
                            .iter()
                            .filter_map(|f| f.passage.as_ref())
                            .map(|p| format!("{:?}", &text[p.range.clone()]))
                            .collect();
                        self.examples.push(format!(
                            "missed #{n} {article}: credited {wrong_name} (right {right_name}); source side {:?}; draft side {:?}; matched {}\n    «{}»",
                            theirs.map(|a| (&a.speaker, &a.name, a.confidence)),
                            ours.map(|a| (&a.speaker, a.confidence)),
                            matched.join(" | "),
                            context(text, at)
                        ));
                    }
                } else {
                    self.right_total += 1;
                    self.right_flagged += usize::from(flagged);
                    if flagged {
                        let message = of_quote
                            .iter()
                            .find(|f| f.verdict == Verdict::Misattributed)
                            .map(|f| f.message.clone());
                        self.examples.push(format!(
                            "false alarm #{n} {article}: {right_name}: {message:?}"
                        ));
                    }
                }
            }
        }
    }

    fn print(&self, verbose: bool) {
        let sourced = self.wrong_total - self.wrong_unmatched;
        println!(
            "re-credited quotes: {} — misattributions found {} ({:.1}%; {:.1}% of the {} the checker matched to the article); correctly credited: {} — false alarms {}",
            self.wrong_total,
            self.wrong_flagged,
            self.wrong_flagged as f64 / self.wrong_total.max(1) as f64 * 100.0,
            self.wrong_flagged as f64 / sourced.max(1) as f64 * 100.0,
            sourced,
            self.right_total,
            self.right_flagged
        );
        println!(
            "checking those drafts ({} quotes): {:.1?} with attribution, {:.1?} without ({:.0} µs per quote for attribution)",
            self.quotes_checked,
            self.time_on,
            self.time_off,
            (self.time_on.as_secs_f64() - self.time_off.as_secs_f64()) * 1e6 / self.quotes_checked.max(1) as f64
        );
        if verbose {
            for example in &self.examples {
                println!("{example}");
            }
        }
    }
}

/// The article around a quote, on one line (`¶` for a line break), for the verbose lists.
fn context(text: &str, quote: &Range<usize>) -> String {
    let mut from = quote.start.saturating_sub(160);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (quote.end + 120).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    text[from..to].replace('\n', " ¶ ")
}
