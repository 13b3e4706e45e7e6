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
