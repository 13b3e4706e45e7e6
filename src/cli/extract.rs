//! `verbatim extract PATH [--format text|json]`: prints exactly the text verbatim checks quotes against for one
//! source, so a writer can see why a quote did or did not match. JSON adds the format, metadata, warnings and
//! the offset map's pages, cues (times, speakers) and segments.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{json, Value};

use crate::extract::{Extraction, Format};
use crate::workspace::formats::extract_file;

#[derive(clap::Args, Debug, Clone)]
pub struct ExtractArgs {
    /// The source file (.html, .htm, .pdf, .srt, .vtt, .docx, .md, .txt).
    pub path: PathBuf,
    /// `text`: the extracted text alone; `json`: with metadata and the offset map.
    #[arg(long, value_enum, default_value = "text")]
    pub format: ExtractFormat,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractFormat {
    Text,
    Json,
}

/// Runs `verbatim extract`: exit 0 with the text, 2 when the file cannot be read or yields no text.
pub fn run(args: &ExtractArgs) -> ExitCode {
    let name = args.path.to_string_lossy().into_owned();
    let extraction = match extract_file(&args.path) {
        Ok(extraction) => extraction,
        Err(error) => {
            eprintln!("verbatim: {name}: {error}");
            return ExitCode::from(2);
        }
    };
    for warning in &extraction.warnings {
        eprintln!("verbatim: {name}: {warning}");
    }
    let mut out = io::stdout().lock();
    let written = match args.format {
        ExtractFormat::Text => writeln!(out, "{}", extraction.text),
        ExtractFormat::Json => writeln!(out, "{}", to_json(&name, &extraction)),
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("verbatim: cannot write: {error}");
            ExitCode::from(2)
        }
    }
}

/// The JSON document of one extraction: `path`, `format`, `text`, `metadata`, `warnings`, `pages`
/// (`{start, page}`: the text offset where each page begins), `cues` (`{start, end, time, start_ms, end_ms,
/// speaker, original}`) and `segments` (`[text_start, text_end, original_start, original_end]`: byte offsets in
/// the file, for .docx in its `word/document.xml`; none for PDF).
pub fn to_json(path: &str, extraction: &Extraction) -> Value {
    let map = &extraction.map;
    let pages: Vec<Value> = map
        .pages
        .iter()
        .map(|&(start, page)| json!({"start": start, "page": page}))
        .collect();
    let cues: Vec<Value> = map
        .cues
        .iter()
        .map(|cue| {
            json!({
                "start": cue.text_start,
                "end": cue.text_end,
                "time": crate::extract::map_timestamp(cue.start_ms),
                "start_ms": cue.start_ms,
                "end_ms": cue.end_ms,
                "speaker": cue.speaker,
                "original": [cue.original_start, cue.original_end],
            })
        })
        .collect();
    let segments: Vec<Value> = if extraction.format == Format::Pdf {
        Vec::new()
    } else {
        map.segments
            .iter()
            .map(|s| json!([s.text_start, s.text_end, s.original_start, s.original_end]))
            .collect()
    };
    json!({
        "path": path,
        "format": extraction.format.name(),
        "text": extraction.text,
        "metadata": extraction.metadata,
        "warnings": extraction.warnings,
        "pages": pages,
        "cues": cues,
        "segments": segments,
    })
}
