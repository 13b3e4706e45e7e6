//! `verbatim check` (the real binary) on uncredited copying: the `uncredited` finding in every output format
//! (JSON with the same keys as a quote's finding, SARIF rule and result, GitHub annotation, human line and
//! summary), exit codes, `--reuse-only`, and the `reuse.*` / `severity.uncredited` settings.
use std::path::PathBuf;

#[path = "support/cli.rs"]
mod cli;

use serde_json::Value;

/// The wire story of `fixtures/cases/reuse_copied_sentence`.
const SOURCE: &str =
    include_str!("../fixtures/cases/reuse_copied_sentence/sources/wire-xi-putin.md");

/// One sentence of the source copied with one word changed (line 3), one verified quote (line 5).
const DRAFT: &str = "# Security\n\nMoscow has repeatedly denied that it has any aggressive intentions and has \
called for written security guarantees limiting the expansion of NATO. Diplomats were unmoved.\n\nThe wire said \
“The West points to reports of a troop buildup near the common border” on Friday.\n";

const COPIED: &str =
    "Moscow has repeatedly denied that it has any aggressive intentions and has called for \
written security guarantees limiting the expansion of NATO";

use cli::check as verbatim;

/// A workspace with the wire story, `drafts/story.md` and, if given, `verbatim.toml`.
fn workspace(config: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    cli::workspace("wire-xi-putin.md", SOURCE, DRAFT, config)
}

fn json_findings(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

fn codes(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn json_has_the_quote_keys_and_exact_ranges() {
    let (_dir, root) = workspace(None);
    let run = verbatim(&root, &["--format", "json"]);
    assert_eq!(run.code, 1, "uncredited fails like drift: {}", run.stdout);
    let findings = json_findings(&run.stdout);
    assert_eq!(codes(&findings), ["uncredited", "verified"]);
    let (copied, quote) = (&findings[0], &findings[1]);
    // Keys are only ever added: an uncredited finding has exactly the keys of a quote's.
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(copied), keys(quote));
    let line = DRAFT.lines().nth(2).unwrap();
    assert_eq!(copied["path"], "drafts/story.md");
    assert_eq!(copied["range"]["start"]["line"], 2);
    assert_eq!(copied["range"]["start"]["character"], 0);
    assert_eq!(copied["range"]["end"]["line"], 2);
    assert_eq!(
        copied["range"]["end"]["character"],
        COPIED.encode_utf16().count()
    );
    assert!(line.starts_with(COPIED));
    assert_eq!(copied["similarity"], 0.95);
    assert_eq!(copied["source"]["path"], "sources/wire-xi-putin.md");
    assert_eq!(
        copied["source"]["title"],
        "Xi and Putin oppose NATO expansion"
    );
    // The source passage: the whole sentence on line 12 of the source, without its full stop.
    assert_eq!(copied["source"]["range"]["start"]["line"], 11);
    assert_eq!(copied["source"]["range"]["start"]["character"], 0);
    assert_eq!(copied["source"]["range"]["end"]["character"], 146);
    let edits = copied["edits"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{edits:#?}");
    assert_eq!(edits[0]["kind"], "substituted");
    assert_eq!(edits[0]["quote"], "repeatedly");
    assert_eq!(edits[0]["source"], "consistently");
    assert_eq!(edits[0]["range"]["start"]["character"], 11);
    assert_eq!(edits[0]["range"]["end"]["character"], 21);
    assert_eq!(
        copied["message"],
        "uncredited: 22 words copied from “Xi and Putin oppose NATO expansion” with 1 change (“has repeatedly” \
         for “has consistently”), without quote marks or credit"
    );
}

#[test]
fn sarif_github_and_human() {
    let (_dir, root) = workspace(None);
    let sarif: Value =
        serde_json::from_str(&verbatim(&root, &["--format", "sarif"]).stdout).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let index = rules
        .iter()
        .position(|r| r["id"] == "uncredited")
        .expect("an uncredited rule");
    assert_eq!(rules[index]["name"], "UncreditedCopying");
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "uncredited")
        .expect("an uncredited result");
    assert_eq!(result["ruleIndex"], index);
    assert_eq!(result["level"], "warning");
    assert_eq!(result["kind"], "fail");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 3);
    assert_eq!(region["startColumn"], 1);
    assert_eq!(region["charLength"], COPIED.encode_utf16().count());

    let github = verbatim(&root, &["--format", "github"]).stdout;
    assert_eq!(
        github.lines().collect::<Vec<_>>(),
        [format!(
            "::warning file=drafts/story.md,line=3,col=1,endLine=3,endColumn={},title=verbatim uncredited::\
             uncredited: 22 words copied from “Xi and Putin oppose NATO expansion” with 1 change (“has \
             repeatedly” for “has consistently”), without quote marks or credit%0Asubstituted: “repeatedly” / \
             source “consistently”",
            COPIED.chars().count() + 1
        )],
        "the verified quote is a hint: no annotation"
    );

    let human = verbatim(&root, &["--format", "human", "--color", "never"]).stdout;
    assert!(
        human.contains("drafts/story.md:3:1  uncredited “Moscow has repeatedly denied"),
        "{human}"
    );
    assert!(
        human.contains("1 quote in 1 draft: 1 verified, 0 drift, 0 unsourced; 1 uncredited copy"),
        "{human}"
    );
}

#[test]
fn reuse_only_fail_on_and_settings() {
    let (_dir, root) = workspace(None);
    // A desk editor's pass: the copying alone.
    let run = verbatim(&root, &["--format", "json", "--reuse-only"]);
    assert_eq!(codes(&json_findings(&run.stdout)), ["uncredited"]);
    assert_eq!(run.code, 1);
    // Uncredited ranks with drift: below unsourced.
    assert_eq!(
        verbatim(&root, &["--format", "json", "--fail-on", "unsourced"]).code,
        0
    );

    let (_dir, root) = workspace(Some("[reuse]\nenabled = false\n"));
    let run = verbatim(&root, &["--format", "json"]);
    assert_eq!(codes(&json_findings(&run.stdout)), ["verified"]);
    assert_eq!(run.code, 0);
    // --reuse-only runs even when the setting is off.
    let run = verbatim(&root, &["--format", "json", "--reuse-only"]);
    assert_eq!(codes(&json_findings(&run.stdout)), ["uncredited"]);

    let (_dir, root) = workspace(Some("[severity]\nuncredited = \"off\"\n"));
    let run = verbatim(&root, &["--format", "json"]);
    assert_eq!(codes(&json_findings(&run.stdout)), ["verified"]);
    assert_eq!(run.code, 0, "an off verdict fails nothing");

    let (_dir, root) = workspace(Some("[reuse]\nmin_words = 30\n"));
    let run = verbatim(&root, &["--format", "json"]);
    assert_eq!(codes(&json_findings(&run.stdout)), ["verified"]);

    let (_dir, root) = workspace(Some("[severity]\nuncredited = \"information\"\n"));
    let github = verbatim(&root, &["--format", "github"]).stdout;
    assert!(
        github.starts_with("::notice file=drafts/story.md,line=3,"),
        "{github}"
    );
}
