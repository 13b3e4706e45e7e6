//! The only filesystem user: finds the workspace's sources and drafts, reads them, and loads the corpus.
//!
//! Nothing outside the workspace root is read: the walk does not follow symbolic links, and a linked file is
//! read only when it resolves to a place inside the root.

pub mod watch;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::{Config, RawSettings};
use crate::engine::{Corpus, TextFormat};

/// The name of the per-workspace settings file.
pub const CONFIG_FILE: &str = "verbatim.toml";

/// Sources larger than this are refused, so that one stray dump cannot take the memory of the whole session.
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// A workspace root with its checked configuration and the globs compiled.
#[derive(Clone, Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    /// The settings read from `verbatim.toml` (before editor settings are laid over them).
    pub file_settings: RawSettings,
    /// What was wrong with `verbatim.toml`, each once.
    pub warnings: Vec<String>,
    sources: GlobSet,
    drafts: GlobSet,
    exclude: GlobSet,
}

impl Workspace {
    /// Opens a workspace, reading `verbatim.toml` at its root if there is one.
    pub fn open(root: &Path) -> Workspace {
        Workspace::open_with(root, &RawSettings::default())
    }

    /// Opens a workspace with extra settings laid over `verbatim.toml` (an editor's settings).
    pub fn open_with(root: &Path, overlay: &RawSettings) -> Workspace {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let (file_settings, mut warnings) = read_settings(&root);
        let mut raw = file_settings.clone();
        raw.overlay(overlay);
        let (config, config_warnings) = Config::from_raw(&raw);
        warnings.extend(config_warnings);
        Workspace::with_config(root, config, file_settings, warnings)
    }

    /// A workspace with an already checked configuration.
    pub fn with_config(root: PathBuf, config: Config, file_settings: RawSettings, warnings: Vec<String>) -> Workspace {
        let sources = glob_set(&config.sources);
        let drafts = glob_set(&config.drafts);
        let exclude = glob_set(&config.exclude);
        Workspace { root, config, file_settings, warnings, sources, drafts, exclude }
    }

    /// The path relative to the root, with `/` separators; `None` outside the root.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let relative = path.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        Some(parts.join("/"))
    }

    /// The path relative to the root when inside it, else the path as given.
    pub fn display(&self, path: &Path) -> String {
        self.relative(path).unwrap_or_else(|| path.display().to_string())
    }

    fn is_excluded(&self, relative: &str) -> bool {
        self.exclude.is_match(relative)
    }

    /// Whether the file is a source (matches the source globs and no exclude glob).
    pub fn is_source(&self, path: &Path) -> bool {
        self.relative(path).is_some_and(|rel| self.sources.is_match(&rel) && !self.is_excluded(&rel))
    }

    /// Whether the file is a draft: matches the draft globs, is not a source, is not excluded.
    pub fn is_draft(&self, path: &Path) -> bool {
        self.relative(path).is_some_and(|rel| {
            self.drafts.is_match(&rel) && !self.sources.is_match(&rel) && !self.is_excluded(&rel)
        })
    }

    /// Whether the file is the workspace's `verbatim.toml`.
    pub fn is_config_file(&self, path: &Path) -> bool {
        path == self.root.join(CONFIG_FILE)
    }

    /// Every source file under the root, sorted.
    pub fn discover_sources(&self) -> Vec<PathBuf> {
        self.walk(|path| self.is_source(path))
    }

    /// Every draft file under the root, sorted.
    pub fn discover_drafts(&self) -> Vec<PathBuf> {
        self.walk(|path| self.is_draft(path))
    }

    fn walk(&self, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = walkdir::WalkDir::new(&self.root)
            .follow_links(false)
            .into_iter()
            .filter_entry(|entry| {
                entry.depth() == 0
                    || !entry.file_type().is_dir()
                    || self.relative(entry.path()).is_none_or(|rel| !self.is_excluded(&format!("{rel}/")))
            })
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_file() || entry.path_is_symlink())
            .map(walkdir::DirEntry::into_path)
            .filter(|path| keep(path) && self.is_inside(path))
            .collect();
        found.sort();
        found
    }

    /// True when the file, links resolved, lies inside the root.
    pub fn is_inside(&self, path: &Path) -> bool {
        match path.canonicalize() {
            Ok(real) => real.starts_with(&self.root) && real.is_file(),
            Err(_) => false,
        }
    }

    /// Reads every source into `corpus` (in parallel), calling `progress(done, total)` as files are read.
    /// Returns one message per file that could not be read or was decoded lossily.
    pub fn load_sources(
        &self,
        corpus: &mut Corpus,
        paths: &[PathBuf],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Vec<String> {
        let total = paths.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let prepared: Vec<_> = paths
            .par_iter()
            .map(|path| {
                let result = read_text(path).map(|(text, warning)| {
                    let key = path.to_string_lossy().into_owned();
                    let format = TextFormat::from_path(&key);
                    (Corpus::prepare_source(&key, text, format), warning)
                });
                let count = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                progress(count, total);
                (path, result)
            })
            .collect();
        let mut messages = Vec::new();
        for (path, result) in prepared {
            match result {
                Ok((source, warning)) => {
                    corpus.insert_prepared(source);
                    if let Some(warning) = warning {
                        messages.push(format!("{}: {warning}", self.display(path)));
                    }
                }
                Err(error) => messages.push(format!("{}: {error}", self.display(path))),
            }
        }
        messages
    }
}

fn glob_set(globs: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        // Config has already refused invalid globs; one that still fails is skipped.
        if let Ok(glob) = Glob::new(glob) {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

/// Reads `verbatim.toml` at `root` (absent: empty settings, no warning).
pub fn read_settings(root: &Path) -> (RawSettings, Vec<String>) {
    let path = root.join(CONFIG_FILE);
    match fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => RawSettings::from_toml_str(&text),
            Err(_) => (RawSettings::default(), vec![format!("{CONFIG_FILE} is not UTF-8; using the defaults")]),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => (RawSettings::default(), Vec::new()),
        Err(error) => (RawSettings::default(), vec![format!("cannot read {CONFIG_FILE}: {error}; using the defaults")]),
    }
}

/// Reads a text file: UTF-8 (BOM dropped), UTF-16 with a BOM, or lossily decoded UTF-8 with a warning.
/// Binary files (a NUL byte early on, no UTF-16 BOM) and files over [`MAX_SOURCE_BYTES`] are refused.
pub fn read_text(path: &Path) -> io::Result<(String, Option<String>)> {
    let metadata = fs::metadata(path)?;
    if metadata.len() > MAX_SOURCE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("skipped: {} MB is over the {} MB limit", metadata.len() >> 20, MAX_SOURCE_BYTES >> 20),
        ));
    }
    decode_text(fs::read(path)?)
}

/// Decodes file bytes as [`read_text`] does.
pub fn decode_text(bytes: Vec<u8>) -> io::Result<(String, Option<String>)> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Ok(decode_utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Ok(decode_utf16(rest, u16::from_be_bytes));
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "skipped: binary file (contains NUL bytes)"));
    }
    let bytes = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, None)),
        Err(error) => {
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            Ok((text, Some("not valid UTF-8; undecodable bytes were replaced with U+FFFD".to_string())))
        }
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> (String, Option<String>) {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    let mut lossy = bytes.len() % 2 == 1;
    let text: String = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    let warning = lossy.then(|| "invalid UTF-16; undecodable units were replaced with U+FFFD".to_string());
    (text, warning)
}

/// The root to use for a file opened on its own: the nearest ancestor with `verbatim.toml` or a `sources/`
/// folder, else the file's folder.
pub fn root_for_file(path: &Path) -> PathBuf {
    let start = path.parent().unwrap_or(path);
    for folder in start.ancestors() {
        if folder.join(CONFIG_FILE).is_file() || folder.join("sources").is_dir() {
            return folder.to_path_buf();
        }
    }
    start.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_boms_and_invalid_utf8() {
        let (text, warning) = decode_text(b"\xEF\xBB\xBFhello".to_vec()).unwrap();
        assert_eq!((text.as_str(), warning), ("hello", None));
        let (text, warning) = decode_text(vec![0xFF, 0xFE, b'h', 0, b'i', 0]).unwrap();
        assert_eq!((text.as_str(), warning), ("hi", None));
        let (text, warning) = decode_text(b"caf\xE9 au lait".to_vec()).unwrap();
        assert_eq!(text, "caf\u{FFFD} au lait");
        assert!(warning.is_some());
        assert!(decode_text(b"PK\x03\x04\0\0binary".to_vec()).is_err());
    }
}
