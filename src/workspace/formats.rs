//! Sources in every format: a file's bytes through the guarded extraction to the text the engine indexes, and
//! the way back from that text to the original file (offset map, pages, cues, full metadata) on demand.
//!
//! Extraction runs on a worker thread under `catch_unwind` with a time budget (a parser's panic or endless
//! loop is one message about one file), so a pathological file cannot crash the server or block the others. The content hash of an extracted source is taken over the file's bytes, so a warm start checks a
//! restored source without extracting it again. The offset map is not kept in the index: go-to-definition,
//! hover and `verbatim check` ask [`original`] for it, which extracts the one file again and caches the
//! result by path and file stamp (a few sources are navigated to; every source is indexed).

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::engine::attribution::SpeakerLabels;
use crate::engine::corpus::PreparedSource;
use crate::engine::{Corpus, FileStamp, SourceMetadata, TextFormat};
use crate::extract::{self, ExtractError, Extraction, Format, Limits};

/// A source's text as the engine indexes it, with what the file said about itself.
#[derive(Clone, Debug)]
pub struct SourceContent {
    pub text: String,
    pub format: TextFormat,
    /// From the document itself (extracted formats); `None`: the engine reads it from the text.
    pub metadata: Option<SourceMetadata>,
    /// The hash of the file's bytes (extracted formats); `None`: the hash of the text.
    pub content_hash: Option<u64>,
    /// Who speaks where (transcripts).
    pub speakers: SpeakerLabels,
    pub warnings: Vec<String>,
}

impl SourceContent {
    /// The prepared (tokenized) source for the corpus.
    pub fn prepare(self, key: &str) -> PreparedSource {
        let mut prepared = Corpus::prepare_source(key, self.text, self.format);
        if let Some(metadata) = self.metadata {
            prepared = prepared.with_metadata(metadata);
        }
        if let Some(hash) = self.content_hash {
            prepared = prepared.with_content_hash(hash);
        }
        prepared.with_speakers(self.speakers)
    }

    /// The first warning, for callers that report one line per file.
    pub fn warning(&self) -> Option<String> {
        (!self.warnings.is_empty()).then(|| self.warnings.join("; "))
    }
}

/// The hash recorded for an extracted source: over the file's bytes.
pub fn bytes_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// The longest one file may take to extract before it is skipped with a message.
pub const TIME_BUDGET: Duration = Duration::from_secs(30);

/// Extracts `bytes` (the file `name`) on a worker thread, with the panic guard and the time budget: a parser
/// that panics or never ends costs one message about one file, never the caller. (A worker over budget is left
/// to finish on its own; its result is dropped.)
pub fn extract_guarded(name: &str, bytes: &[u8]) -> Result<Extraction, ExtractError> {
    extract_within(Format::from_name(name), bytes, TIME_BUDGET)
}

/// The name prefix of the threads that read one source each (`verbatim-reader-pdf`, …).
pub const READER_THREAD: &str = "verbatim-reader-";

/// Installs a panic hook that keeps a source reader's caught panic out of the user's terminal and the editor's
/// log: a third-party parser that panics on a damaged file (a PDF operator without its operand, say) is caught
/// and reported as one warning about that file ("1 page could not be fully read"), so the panic's own message
/// and backtrace go to the debug log only. Every other thread's panic is printed as before. Called once by the
/// `verbatim` binary; a library user keeps its own hook.
pub fn quiet_reader_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let reader = std::thread::current()
            .name()
            .is_some_and(|name| name.starts_with(READER_THREAD));
        if reader {
            tracing::debug!("a source reader panicked (caught, reported as a warning): {info}");
        } else {
            previous(info);
        }
    }));
}

/// [`extract_guarded`] with a given format and budget.
pub fn extract_within(
    format: Format,
    bytes: &[u8],
    budget: Duration,
) -> Result<Extraction, ExtractError> {
    let limits = Limits::default();
    if format.is_identity() {
        return extract::extract_guarded(format, bytes, &limits);
    }
    let (sender, receiver) = mpsc::channel();
    let owned = bytes.to_vec();
    let spawned = std::thread::Builder::new()
        .name(format!("{READER_THREAD}{}", format.name()))
        .spawn(move || {
            let _ = sender.send(extract::extract_guarded(format, &owned, &limits));
        });
    match spawned {
        Ok(_) => match receiver.recv_timeout(budget) {
            Ok(result) => result,
            Err(mpsc::RecvTimeoutError::Timeout) => Err(ExtractError::TimedOut {
                seconds: budget.as_secs(),
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(ExtractError::Crashed("the reader stopped".to_string()))
            }
        },
        Err(_) => extract::extract_guarded(format, bytes, &limits),
    }
}

/// Reads and extracts one file as `verbatim extract` does (regular files under the size limit only); the error
/// says why in words.
pub fn extract_file(path: &Path) -> Result<Extraction, String> {
    let (bytes, _) = super::read_bytes_stamped(path).map_err(|e| e.to_string())?;
    extract_guarded(&path.to_string_lossy(), &bytes).map_err(|e| e.to_string())
}

/// A file's bytes → the source's text: Markdown and plain text decoded as they are, other formats
/// extracted. An extraction failure is an `InvalidData` error with the reason in words.
pub fn content_from_bytes(key: &str, bytes: Vec<u8>) -> io::Result<SourceContent> {
    let format = Format::from_name(key);
    if format.is_identity() {
        let (text, warning) = super::decode_text(bytes)?;
        return Ok(SourceContent {
            text,
            format: format.text_format(),
            metadata: None,
            content_hash: None,
            speakers: SpeakerLabels::default(),
            warnings: warning.into_iter().collect(),
        });
    }
    let hash = bytes_hash(&bytes);
    let extraction = extract_guarded(key, &bytes)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))?;
    let metadata = source_metadata(key, &extraction.metadata);
    let speakers = speaker_labels(&extraction.map);
    Ok(SourceContent {
        text: extraction.text,
        format: format.text_format(),
        metadata: Some(metadata),
        content_hash: Some(hash),
        speakers,
        warnings: extraction.warnings,
    })
}

/// Who speaks where in an extracted text, from its cues' speakers: one span per run of cues with the same
/// speaker, from its first cue's start to its last cue's end. Cues without a speaker (before the first label)
/// are left to the text.
pub fn speaker_labels(map: &extract::OffsetMap) -> SpeakerLabels {
    let mut spans: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut open = false;
    for cue in &map.cues {
        let (start, end) = (cue.text_start as usize, cue.text_end as usize);
        match (&cue.speaker, spans.last_mut()) {
            (Some(speaker), Some((span, last))) if open && last == speaker => span.end = end,
            (Some(speaker), _) => {
                spans.push((start..end, speaker.clone()));
                open = true;
            }
            (None, _) => open = false,
        }
    }
    SpeakerLabels { spans }
}

/// An open editor buffer of a source → its text. `None` for binary formats (PDF, Word), whose buffers are
/// not the document: the file on disk stays the source.
pub fn content_from_buffer(key: &str, text: String) -> Option<SourceContent> {
    let format = Format::from_name(key);
    if format.is_binary() {
        return None;
    }
    if format.is_identity() {
        return Some(SourceContent {
            text,
            format: format.text_format(),
            metadata: None,
            content_hash: None,
            speakers: SpeakerLabels::default(),
            warnings: Vec::new(),
        });
    }
    content_from_bytes(key, text.into_bytes()).ok()
}

/// The engine's metadata of an extracted source: the document's title (else the file's name), date, author
/// (else the outlet) and canonical URL.
pub fn source_metadata(key: &str, metadata: &extract::Metadata) -> SourceMetadata {
    let name = Path::new(key)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    SourceMetadata {
        title: metadata.title.clone().unwrap_or(name),
        date: metadata.date.clone(),
        author: metadata.author.clone().or_else(|| metadata.site.clone()),
        url: metadata.url.clone(),
    }
}

/// An extracted source as the editor and the reports need it: the extraction (text, map, metadata) and, for
/// text formats, the file's own text to place positions in.
#[derive(Debug)]
pub struct Original {
    pub extraction: Extraction,
    /// The file decoded (invalid bytes replaced, same byte offsets for valid UTF-8); `None` for PDF and Word.
    pub file_text: Option<String>,
}

impl Original {
    /// The original byte range of a range of the extracted text.
    pub fn original_range(&self, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
        if self.file_text.is_none() {
            return 0..0;
        }
        self.extraction.map.original_range(range)
    }

    /// `p. 3`, `00:03:12 · Minister`, or `None`.
    pub fn locator(&self, range: std::ops::Range<usize>) -> Option<String> {
        self.extraction.map.locator(range)
    }

    /// What an attribution can say of where a range of the text is: its page (PDF), its cue's time and voice
    /// (transcripts), the document's outlet (web pages).
    pub fn place(&self, range: std::ops::Range<usize>) -> crate::engine::PassagePlace {
        let map = &self.extraction.map;
        let cue = map.cue_at(range.start);
        crate::engine::PassagePlace {
            page: (!map.pages.is_empty())
                .then(|| map.locator(range))
                .flatten(),
            time: cue.map(|cue| crate::extract::map_timestamp(cue.start_ms)),
            speaker: cue.and_then(|cue| cue.speaker.clone()),
            outlet: self.extraction.metadata.site.clone(),
        }
    }
}

type Cache = Mutex<HashMap<PathBuf, (FileStamp, Arc<Original>)>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The extraction of the source file at `path` with its map back into the file, extracted again when the
/// file changed since the last call (cached by path and stamp, a few dozen files at most). `None` for
/// Markdown and plain text (their text is the file) and for files that cannot be read.
pub fn original(path: &Path) -> Option<Arc<Original>> {
    let format = Format::from_name(&path.to_string_lossy());
    if format.is_identity() {
        return None;
    }
    let stamp = super::file_stamp(&std::fs::metadata(path).ok()?);
    if let Some((cached, original)) = cache().lock().ok()?.get(path) {
        if *cached == stamp {
            return Some(original.clone());
        }
    }
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() as u64 > super::MAX_SOURCE_BYTES {
        return None;
    }
    let extraction = extract_guarded(&path.to_string_lossy(), &bytes).ok()?;
    let file_text = (!format.is_binary()).then(|| String::from_utf8_lossy(&bytes).into_owned());
    let original = Arc::new(Original {
        extraction,
        file_text,
    });
    if let Ok(mut cache) = cache().lock() {
        if cache.len() >= 64 {
            cache.clear();
        }
        cache.insert(path.to_path_buf(), (stamp, original.clone()));
    }
    Some(original)
}

/// What the attribution template can say of a finding's passage: its page, cue time, outlet (from the source
/// file's extraction) and who the source credits the words to (else a transcript's voice).
pub fn passage_place(
    finding: &crate::engine::Finding,
    source: &crate::engine::Source,
) -> crate::engine::PassagePlace {
    passage_place_in(original(Path::new(&source.key)).as_deref(), finding)
}

/// [`passage_place`] with the source's extraction at hand (`None` for Markdown and plain text).
pub fn passage_place_in(
    original: Option<&Original>,
    finding: &crate::engine::Finding,
) -> crate::engine::PassagePlace {
    let mut place = match (&finding.passage, original) {
        (Some(passage), Some(original)) => original.place(passage.range.clone()),
        _ => crate::engine::PassagePlace::default(),
    };
    if let Some(credited) = &finding.source_attribution {
        place.speaker = Some(credited.name.clone());
    }
    place
}

/// The content hash a source file has now, as recorded at indexing: over the bytes for extracted formats,
/// over the decoded text for Markdown and plain text.
pub fn current_hash(path: &Path) -> Option<u64> {
    let format = Format::from_name(&path.to_string_lossy());
    if format.is_identity() {
        return super::read_text(path)
            .ok()
            .map(|(text, _)| crate::engine::hash::content_hash(&text));
    }
    let bytes = std::fs::read(path).ok()?;
    Some(bytes_hash(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracted_sources_hash_their_bytes() {
        // Long enough to read as an article (a few words read as a section front).
        let page = b"<html><body><article><p>The harbour will reopen to commercial shipping on Monday morning once the divers have cleared the wreck from the main channel, the port director said.</p><p>Fishing boats have been kept in port for nine days, and the harbour authority said every licensed vessel would receive compensation for the days it could not sail, once the claims have been checked.</p><p>The wreck, a cargo ship that sank in the storm, will be towed to the breakers' yard.</p></article></body></html>";
        let content = content_from_bytes("a/page.html", page.to_vec()).unwrap();
        assert_eq!(content.content_hash, Some(bytes_hash(page)));
        assert_eq!(content.format, TextFormat::PlainText);
        assert!(content.text.starts_with("The harbour will reopen"));
        assert_eq!(content.metadata.unwrap().title, "page");
        let plain = content_from_bytes("a/notes.md", b"# Notes".to_vec()).unwrap();
        assert_eq!(plain.content_hash, None);
        assert_eq!(plain.text, "# Notes");
    }

    #[test]
    fn a_reader_over_its_budget_is_one_clear_error() {
        // A large page with a zero budget: the worker cannot answer in time.
        let page = "<p>word word word word</p>".repeat(20_000);
        let error = extract_within(Format::Html, page.as_bytes(), Duration::ZERO).unwrap_err();
        assert!(matches!(error, ExtractError::TimedOut { .. }), "{error}");
        assert!(error.to_string().starts_with("skipped:"));
    }

    #[test]
    fn bad_files_are_one_clear_error() {
        let error = content_from_bytes("scan.pdf", b"%PDF-1.4 nothing".to_vec()).unwrap_err();
        assert!(error.to_string().contains("damaged"), "{error}");
        let error = content_from_bytes("release.docx", b"PK\x03\x04broken".to_vec()).unwrap_err();
        assert!(error.to_string().starts_with("skipped:"), "{error}");
        assert!(content_from_buffer("x.pdf", "text".into()).is_none());
    }
}
