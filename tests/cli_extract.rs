//! `verbatim extract PATH [--format text|json]` as a user runs it: the exact text a transcript is checked
//! against, the JSON's metadata and offset map (cue times, speakers, pages), and one clear message with exit
//! code 2 for a file that yields no text.
use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn extract(relative: &str, format: &str) -> (i32, String, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    let output = Command::new(env!("CARGO_BIN_EXE_verbatim"))
        .args(["extract", "--format", format])
        .arg(&path)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn transcript_text_is_continuous_speech() {
    let (code, out, err) = extract(
        "fixtures/cases/srt_transcript/sources/minister-interview.srt",
        "text",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(
            "we will not raise the basic rate of income tax in this parliament, and we will not cut a \
             single penny from the budget for schools."
        ),
        "{out}"
    );
    for label in ["MINISTER:", "PRESENTER:", "[crosstalk]", "-->", "<i>"] {
        assert!(!out.contains(label), "{label} in {out}");
    }
}

#[test]
fn json_has_metadata_and_the_map() {
    let (code, out, err) = extract(
        "fixtures/cases/vtt_transcript/sources/press-briefing.vtt",
        "json",
    );
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["format"], "vtt");
    let cues = json["cues"].as_array().unwrap();
    assert_eq!(cues[0]["time"], "00:00:02");
    assert_eq!(cues[0]["speaker"], "Port Director");
    assert!(cues.iter().any(|c| c["speaker"] == "Reporter"));
    let text = json["text"].as_str().unwrap();
    assert!(
        text.contains("fishing fleet be compensated & when?"),
        "{text}"
    );

    let (code, out, err) = extract(
        "fixtures/cases/html_saved_page/sources/city-council.html",
        "json",
    );
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["metadata"]["site"], "The Riverside Gazette");
    assert_eq!(
        json["metadata"]["url"],
        "https://gazette.example/news/2024/03/tram-extension"
    );
    assert_eq!(json["metadata"]["author"], "Priya Raman");
    assert!(!json["segments"].as_array().unwrap().is_empty());

    let (code, out, err) = extract(
        "fixtures/cases/pdf_page_crossing/sources/nato-digest.pdf",
        "json",
    );
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    let pages = json["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert_eq!(pages[0]["page"], 1);
}

#[test]
fn a_scan_says_it_needs_ocr() {
    let (code, out, err) = extract(
        "fixtures/cases/pdf_scanned/sources/scanned-letter.pdf",
        "text",
    );
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("needs OCR"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A PDF whose content stream has an operator without its operand (found by the fuzzer: the PDF library
/// panics on it): the readable text comes out, the damaged page is one warning line, and neither the panic's
/// message nor a backtrace reaches the user's terminal.
#[test]
fn a_damaged_pdf_page_is_one_warning_not_a_panic() {
    let (code, out, err) = extract(
        "fuzz/regressions/pdf/tw-operator-without-operand.pdf",
        "text",
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Readable line before the bad operator."),
        "{out}"
    );
    assert!(
        err.contains("1 page could not be fully read (p. 1)"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A page whose drawing refers to itself (a form that draws itself would overflow the PDF library's stack, which
/// no panic guard can catch) is refused with the reason, and the other pages are read.
#[test]
fn a_page_drawing_itself_is_refused_and_the_rest_is_read() {
    let (code, out, err) = extract("fuzz/regressions/pdf/form-draws-itself.pdf", "text");
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "The second page still reads.");
    assert!(
        err.contains("p. 1 was not read: a form on it draws itself"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// A page of 3,200 tables each inside the last (the article finder's cost is elements × depth: seconds here,
/// minutes at a few hundred kilobytes) is read whole, at once, with one warning saying why.
#[test]
fn a_page_nested_thousands_deep_is_read_whole() {
    let (code, out, err) = extract("fuzz/regressions/html/tables-nested-3200-deep.html", "text");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Tables inside tables:"), "{out}");
    assert_eq!(out.matches("cell words here").count(), 3200);
    assert!(err.contains("nests its elements too deeply"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
