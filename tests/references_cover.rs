//! The reverse index finds every quote `verbatim check` links to a source: on every fixture workspace, each
//! sourced finding (its best passage and every "also in" passage) is among the references from that passage,
//! from the passage's first byte, from its paragraph and from the whole source.
#[path = "support/check.rs"]
mod check;

use std::path::Path;

use verbatim::cli::usage_index;
use verbatim::engine::Verdict;
use verbatim::workspace::source_key;

#[test]
fn every_linked_quote_is_found_from_its_passage() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut roots: Vec<_> = std::fs::read_dir(fixtures.join("cases"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    roots.push(fixtures.join("demo"));
    roots.push(fixtures.join("lsp/references"));
    roots.sort();
    let mut linked = 0;
    for root in roots {
        let Ok(report) = check::check_workspace(&root) else {
            continue;
        };
        let index = usage_index(&report);
        for draft in &report.drafts {
            let key = source_key(&draft.path);
            for finding in &draft.findings {
                if finding.quote.ignored || finding.verdict == Verdict::Misattributed {
                    continue;
                }
                let passages = finding.passage.iter().chain(&finding.also_in);
                for passage in passages {
                    let source = report.corpus.source(passage.source).unwrap();
                    let found = |hits: Vec<verbatim::engine::usage::Hit<'_>>| {
                        hits.iter()
                            .any(|h| h.draft == key && h.usage.quote == finding.quote.range)
                    };
                    let what = format!("{} in {}", draft.path.display(), root.display());
                    let text = source.text.as_str();
                    assert!(
                        found(index.at(&source.key, text, source.format, passage.range.start)),
                        "{what}"
                    );
                    assert!(
                        found(index.query(&source.key, Some(passage.range.clone()))),
                        "{what}"
                    );
                    assert!(found(index.query(&source.key, None)), "{what}");
                    linked += 1;
                }
            }
        }
    }
    assert!(linked > 100, "only {linked} linked quotes in the fixtures");
}
