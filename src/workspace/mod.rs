//! The only filesystem user: finds the workspace's sources and drafts, reads them, and loads the corpus.
//!
//! Nothing outside the workspace root is read: the walk does not follow symbolic links, and a linked file is
//! read only when it resolves to a place inside the root. The index snapshot lives in the cache directory
//! (never the workspace): a cold load writes it while reading the sources, a warm load memory-maps it and
//! trusts sources whose size and modification time are unchanged, and their content hashes are checked
//! afterwards ([`Workspace::hash_restored`]). Snapshots are replaced by renaming, never written in place.

pub mod archive_files;
pub mod formats;
pub mod output;
pub mod watch;

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::{Config, RawSettings};
use crate::engine::corpus::snapshot::{SpilledTexts, SNAPSHOT_HEADER};
use crate::engine::corpus::{Bytes, PreparedSource, SharedBytes};
use crate::engine::hash::{checksum, content_hash, Checksum, DataChecksum};
use crate::engine::{Corpus, FileStamp};
pub use formats::SourceContent;

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
    /// Why `verbatim.toml` could not be used at all (not valid TOML, not UTF-8, unreadable), when so. Its
    /// settings are then the defaults and `warnings` says so too; the language server warns and carries on,
    /// `verbatim check` stops (a broken config must fail a CI job, not run it with other settings).
    pub config_error: Option<String>,
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
        let (file_settings, mut warnings, config_error) = read_settings(&root);
        let mut raw = file_settings.clone();
        raw.overlay(overlay);
        let (config, config_warnings) = Config::from_raw(&raw);
        warnings.extend(config_warnings);
        Workspace {
            config_error,
            ..Workspace::with_config(root, config, file_settings, warnings)
        }
    }

    /// A workspace with an already checked configuration.
    pub fn with_config(
        root: PathBuf,
        config: Config,
        file_settings: RawSettings,
        warnings: Vec<String>,
    ) -> Workspace {
        let sources = glob_set(&config.sources);
        let drafts = glob_set(&config.drafts);
        let exclude = glob_set(&config.exclude);
        Workspace {
            root,
            config,
            file_settings,
            warnings,
            config_error: None,
            sources,
            drafts,
            exclude,
        }
    }

    /// The path relative to the root, with `/` separators; `None` outside the root.
    pub fn relative(&self, path: &Path) -> Option<String> {
        let relative = path.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// The path relative to the root when inside it, else the path as given.
    pub fn display(&self, path: &Path) -> String {
        self.relative(path)
            .unwrap_or_else(|| path.display().to_string())
    }

    fn is_excluded(&self, relative: &str) -> bool {
        self.exclude.is_match(relative)
    }

    /// Whether the file is a source (matches the source globs and no exclude glob).
    pub fn is_source(&self, path: &Path) -> bool {
        self.relative(path)
            .is_some_and(|rel| self.is_source_rel(&rel))
    }

    /// Whether the file is a draft: matches the draft globs, is not a source, is not excluded.
    pub fn is_draft(&self, path: &Path) -> bool {
        self.relative(path)
            .is_some_and(|rel| self.is_draft_rel(&rel))
    }

    /// [`Workspace::is_source`] for a path relative to the root (`/`-separated).
    fn is_source_rel(&self, rel: &str) -> bool {
        self.sources.is_match(rel)
            && !self.is_excluded(rel)
            && !self
                .config
                .disabled_formats
                .contains(&crate::extract::Format::from_name(rel))
            && !self.is_saved_page_asset(rel)
    }

    /// True for a file inside the assets folder a browser saves beside a web page (`page.html` and
    /// `page_files/`): its scripts, frames and pictures are part of the page, not sources of their own.
    fn is_saved_page_asset(&self, rel: &str) -> bool {
        let mut folder = String::new();
        let parts: Vec<&str> = rel.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            let stem = [
                "_files",
                "-Dateien",
                "_fichiers",
                "_archivos",
                "_arquivos",
                "-bestanden",
            ]
            .iter()
            .find_map(|suffix| part.strip_suffix(suffix));
            if let Some(stem) = stem.filter(|s| !s.is_empty()) {
                let page = |ext: &str| self.root.join(&folder).join(format!("{stem}.{ext}"));
                if ["html", "htm", "xhtml", "HTML", "HTM"]
                    .iter()
                    .any(|ext| page(ext).is_file())
                {
                    return true;
                }
            }
            folder.push_str(part);
            folder.push('/');
        }
        false
    }

    /// [`Workspace::is_draft`] for a path relative to the root (`/`-separated).
    fn is_draft_rel(&self, rel: &str) -> bool {
        self.drafts.is_match(rel) && !self.sources.is_match(rel) && !self.is_excluded(rel)
    }

    /// Whether the file is the workspace's `verbatim.toml`.
    pub fn is_config_file(&self, path: &Path) -> bool {
        path == self.root.join(CONFIG_FILE)
    }

    /// Every source file under the root, sorted. `.gitignore` does not hide sources: the `sources` globs say
    /// what they are, and articles that may not be committed are often ignored on purpose.
    pub fn discover_sources(&self) -> Vec<PathBuf> {
        let (found, unreadable) = self.discover_sources_reporting();
        for warning in unreadable {
            tracing::warn!("{warning}");
        }
        found
    }

    /// [`Workspace::discover_sources`], with a warning for each folder that could not be read (its files are
    /// skipped), for `verbatim check` to print.
    pub fn discover_sources_reporting(&self) -> (Vec<PathBuf>, Vec<String>) {
        let started = std::time::Instant::now();
        let (found, unreadable) = self.walk(&|rel| self.is_source_rel(rel), false);
        tracing::debug!("found {} sources in {:?}", found.len(), started.elapsed());
        (found, unreadable)
    }

    /// Whether a source can exist at all: some `sources` glob starts with a wildcard, or the folder its fixed
    /// leading part names (`sources/` for the default globs) exists. When not, there is no need to walk the tree
    /// to know that no source will be found.
    pub fn may_hold_sources(&self) -> bool {
        self.config.sources.iter().any(|glob| {
            let parts: Vec<&str> = glob.split('/').collect();
            let fixed = parts
                .iter()
                .take_while(|part| !part.contains(['*', '?', '[', '{']))
                .count();
            if fixed == parts.len() {
                return self.root.join(glob).exists();
            }
            fixed == 0 || self.root.join(parts[..fixed].join("/")).is_dir()
        })
    }

    /// The drafts among `drafts` that the default `sources` globs would have read as sources: with `sources`
    /// narrowed in `verbatim.toml` (and no `drafts` glob), the files left out silently become drafts.
    pub fn drafts_left_out_of_sources(&self, drafts: &[PathBuf]) -> Vec<PathBuf> {
        let defaults = glob_set(&Config::default().sources);
        drafts
            .iter()
            .filter(|path| {
                self.relative(path)
                    .is_some_and(|rel| defaults.is_match(&rel) && !self.is_source_rel(&rel))
            })
            .cloned()
            .collect()
    }

    /// Every draft file under the root, sorted, leaving out what `.gitignore` files (and `.git/info/exclude`)
    /// ignore, as other tools do: build output and scratch files are not drafts.
    pub fn discover_drafts(&self) -> Vec<PathBuf> {
        self.walk(&|rel| self.is_draft_rel(rel), true).0
    }

    /// The files under the root whose relative path (`/`-separated) `keep` accepts, sorted: the `ignore` crate's
    /// parallel walk, which does not follow links and does not enter excluded folders, honouring `.gitignore`
    /// files when `gitignore` is set (whether or not the root is a Git repository).
    /// Also returns a message for each folder that could not be read.
    fn walk(
        &self,
        keep: &(dyn Fn(&str) -> bool + Sync),
        gitignore: bool,
    ) -> (Vec<PathBuf>, Vec<String>) {
        let found = std::sync::Mutex::new(Vec::new());
        let unreadable = std::sync::Mutex::new(Vec::new());
        let mut builder = ignore::WalkBuilder::new(&self.root);
        builder
            .follow_links(false)
            .hidden(false)
            .parents(false)
            .ignore(false)
            .git_global(false)
            .git_ignore(gitignore)
            .git_exclude(gitignore)
            .require_git(false);
        builder.build_parallel().run(|| {
            Box::new(|entry| {
                use ignore::WalkState;
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(error) => {
                        let permission = error
                            .io_error()
                            .is_some_and(|e| e.kind() == io::ErrorKind::PermissionDenied);
                        if permission {
                            unreadable
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push(format!(
                                    "cannot read folder ({error}): its files are skipped"
                                ));
                        }
                        return WalkState::Continue;
                    }
                };
                let Some(kind) = entry.file_type() else {
                    return WalkState::Continue;
                };
                let Ok(relative) = entry.path().strip_prefix(&self.root) else {
                    return WalkState::Continue;
                };
                let rel = relative.to_string_lossy().replace('\\', "/");
                if rel.is_empty() {
                    return WalkState::Continue;
                }
                if kind.is_dir() {
                    return if self.is_excluded(&format!("{rel}/")) {
                        WalkState::Skip
                    } else {
                        WalkState::Continue
                    };
                }
                if (kind.is_file() || kind.is_symlink()) && keep(&rel) {
                    // The walk does not follow links, so only a link can lead outside the root.
                    let path = entry.path();
                    if !kind.is_symlink() || self.is_inside(path) {
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(path.to_path_buf());
                    }
                }
                WalkState::Continue
            })
        });
        let mut found = found.into_inner().unwrap_or_else(|e| e.into_inner());
        found.par_sort_unstable();
        let mut unreadable = unreadable.into_inner().unwrap_or_else(|e| e.into_inner());
        unreadable.sort();
        (found, unreadable)
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
    ///
    /// When `corpus` is empty and a snapshot of this workspace's index is in the cache directory (see
    /// [`cache_file`]), sources whose files kept their size and modification time are restored from it, then
    /// checked against their content hashes before this returns; only new or changed ones are indexed.
    pub fn load_sources(
        &self,
        corpus: &mut Corpus,
        paths: &[PathBuf],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Vec<String> {
        let (mut messages, restored) = self.load_sources_trusting(corpus, paths, progress);
        messages.extend(self.verify_restored(corpus, &restored));
        messages
    }

    /// [`Workspace::load_sources`] without the content check of restored sources: they are trusted by their
    /// files' size and modification time until [`Workspace::hash_restored`] and [`Corpus::stale_sources`]
    /// (or [`Workspace::verify_restored`]) check them, off the critical path.
    pub fn load_sources_trusting(
        &self,
        corpus: &mut Corpus,
        paths: &[PathBuf],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> (Vec<String>, Restored) {
        let total = paths.len();
        let done = AtomicUsize::new(0);
        let mut messages = Vec::new();
        let mut restored = Restored::default();
        let snapshot = match (corpus.is_empty(), cache_file(&self.root)) {
            (true, Some(file)) => map_snapshot(&file),
            _ => None,
        };
        let Some((snapshot, handle)) = snapshot else {
            if let Some(file) = self.spill_file(paths) {
                match self.load_spilling(corpus, paths, &file, &done, progress) {
                    Ok(spilled) => return (spilled, restored),
                    Err(error) => {
                        tracing::warn!("cannot write the index snapshot while loading: {error}");
                        *corpus = Corpus::new();
                        done.store(0, Ordering::Relaxed);
                    }
                }
            }
            corpus.begin_bulk_load();
            let tick = Tick(&done, total, progress);
            self.index_paths(corpus, paths, &mut messages, &tick, None);
            corpus.finish_bulk_load();
            return (messages, restored);
        };
        // Warm start: stat every source (in parallel) while the snapshot is restored, keep the sources whose
        // stamp is unchanged, index the rest.
        let started = std::time::Instant::now();
        let stat = || {
            let stamps: Vec<(String, io::Result<FileStamp>)> = paths
                .par_iter()
                .map(|path| (source_key(path), fs::metadata(path).map(|m| file_stamp(&m))))
                .collect();
            let mut current = HashMap::with_capacity(stamps.len());
            let mut failed = Vec::new();
            for ((key, stamp), path) in stamps.into_iter().zip(paths) {
                match stamp {
                    Ok(stamp) => {
                        current.insert(key, stamp);
                    }
                    Err(error) => failed.push(format!("{}: {error}", self.display(path))),
                }
            }
            tracing::debug!(
                "stamps of {} sources in {:?}",
                current.len(),
                started.elapsed()
            );
            (current, failed)
        };
        let ((mut current, failed), snapshot) =
            rayon::join(stat, || Corpus::restore_unchecked(snapshot));
        messages.extend(failed);
        let path_of: HashMap<&str, &PathBuf> = paths
            .iter()
            .filter_map(|path| Some((path.to_str()?, path)))
            .collect();
        let path_of = |key: &str| {
            path_of
                .get(key)
                .map_or_else(|| PathBuf::from(key), |p| (*p).clone())
        };
        match snapshot {
            Ok(mut snapshot) => {
                snapshot.keep_unchanged(&mut current);
                *corpus = snapshot;
                restored.snapshot = Some((Arc::new(handle), corpus.snapshot_data()));
                restored.sources = corpus
                    .sources()
                    .map(|(_, s)| (s.key.clone(), path_of(&s.key)))
                    .collect();
            }
            Err(reason) => {
                tracing::warn!(
                    "ignoring the index snapshot of {}: {reason}",
                    self.root.display()
                );
                // `current` still holds every readable source: all are indexed below.
            }
        }
        tracing::debug!(
            "restored {} sources from the snapshot ({:?} since the stamps)",
            restored.sources.len(),
            started.elapsed()
        );
        done.store(restored.sources.len(), Ordering::Relaxed);
        progress(restored.sources.len(), total);
        let mut remaining: Vec<PathBuf> = current.keys().map(|key| path_of(key)).collect();
        remaining.sort();
        // Many new sources (or no usable snapshot): index them in bulk, else one by one beside the snapshot.
        let bulk = remaining.len() * 4 > total;
        if bulk {
            corpus.begin_bulk_load();
        }
        let tick = Tick(&done, total, progress);
        self.index_paths(corpus, &remaining, &mut messages, &tick, None);
        corpus.finish_bulk_load();
        (messages, restored)
    }

    /// Reads and indexes files into `corpus`, in order: chunk k+1 is read and tokenized in parallel while
    /// chunk k is inserted (so at most two chunks of prepared sources are alive).
    fn index_paths(
        &self,
        corpus: &mut Corpus,
        paths: &[PathBuf],
        messages: &mut Vec<String>,
        tick: &Tick,
        mut spill: Option<&mut (dyn FnMut(&mut PreparedSource) + Send)>,
    ) {
        type Prepared = Vec<(usize, io::Result<(PreparedSource, Option<String>)>)>;
        let prepare = |range: std::ops::Range<usize>| -> Prepared {
            range
                .into_par_iter()
                .map(|i| {
                    let path = &paths[i];
                    let result = read_source_stamped(path).map(|(content, stamp)| {
                        let key = source_key(path);
                        let warning = content.warning();
                        (content.prepare(&key).with_stamp(stamp), warning)
                    });
                    tick.2(tick.0.fetch_add(1, Ordering::Relaxed) + 1, tick.1);
                    (i, result)
                })
                .collect()
        };
        let mut insert = |corpus: &mut Corpus, messages: &mut Vec<String>, prepared: Prepared| {
            for (i, result) in prepared {
                let path = &paths[i];
                match result {
                    Ok((mut source, warning)) => {
                        if let Some(spill) = spill.as_mut() {
                            spill(&mut source);
                        }
                        corpus.insert_prepared(source);
                        messages.extend(warning.map(|w| format!("{}: {w}", self.display(path))));
                    }
                    Err(error) => messages.push(format!("{}: {error}", self.display(path))),
                }
            }
        };
        const CHUNK: usize = 256;
        let mut pending = prepare(0..paths.len().min(CHUNK));
        let mut start = CHUNK;
        while start < paths.len() {
            let range = start..(start + CHUNK).min(paths.len());
            let ((), next) = rayon::join(|| insert(corpus, messages, pending), || prepare(range));
            pending = next;
            start += CHUNK;
        }
        insert(corpus, messages, pending);
    }

    /// The cache file to write while loading, when the sources look large enough to be worth a snapshot
    /// (estimated from the sizes of the first few).
    fn spill_file(&self, paths: &[PathBuf]) -> Option<PathBuf> {
        let file = cache_file(&self.root)?;
        let sample = paths.len().min(64);
        let bytes: u64 = paths[..sample]
            .iter()
            .filter_map(|p| fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        let estimate = (bytes as usize / sample.max(1)) * paths.len();
        (sample > 0 && estimate >= cache_min_bytes()).then_some(file)
    }

    /// A cold load that writes the snapshot as it goes: each source's text goes to the snapshot file as soon
    /// as it is tokenized (so texts are never all in memory), the rest follows once all are inserted, then
    /// the corpus is restored from the snapshot (texts, words and postings borrowed from its memory map).
    fn load_spilling(
        &self,
        corpus: &mut Corpus,
        paths: &[PathBuf],
        file: &Path,
        done: &AtomicUsize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> io::Result<Vec<String>> {
        if let Some(folder) = file.parent() {
            fs::create_dir_all(folder)?;
        }
        let temporary = file.with_extension(format!("tmp{}", std::process::id()));
        let loaded = (|| {
            let mut out = Releasing::create(&temporary)?;
            io::Write::write_all(&mut out, &[0u8; SNAPSHOT_HEADER])?;
            let mut at = 0usize;
            let mut texts = Checksum::new();
            let mut failed: io::Result<()> = Ok(());
            let mut spill = |source: &mut PreparedSource| {
                let text = source.spill_text(at);
                at += text.len();
                texts.update(text.as_bytes());
                if failed.is_ok() {
                    failed = io::Write::write_all(&mut out, text.as_bytes());
                }
            };
            let mut messages = Vec::new();
            corpus.begin_bulk_load();
            let tick = Tick(done, paths.len(), progress);
            self.index_paths(corpus, paths, &mut messages, &tick, Some(&mut spill));
            let started = std::time::Instant::now();
            corpus.finish_bulk_load();
            tracing::debug!("postings built in {:?}", started.elapsed());
            failed?;
            let texts = SpilledTexts {
                length: at,
                checksum: texts.digest(),
            };
            let (header, _) = corpus.write_snapshot_after_texts(&mut out, texts)?;
            let mut handle = out
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?
                .out;
            io::Seek::seek(&mut handle, io::SeekFrom::Start(0))?;
            io::Write::write_all(&mut handle, &header)?;
            drop(handle);
            fs::rename(&temporary, file)?;
            let mut stamps: HashMap<String, FileStamp> = corpus
                .sources()
                .filter_map(|(id, s)| corpus.stamp(id).map(|stamp| (s.key.clone(), stamp)))
                .collect();
            let (bytes, _) = map_snapshot(file).ok_or(io::ErrorKind::NotFound)?;
            let count = corpus.len();
            // The corpus built in memory goes before its snapshot is read, so the two are never resident at
            // once (the peak of a cold start).
            *corpus = Corpus::new();
            release_free_memory();
            *corpus = Corpus::restore(bytes, &mut stamps).map_err(io::Error::other)?;
            release_mapped();
            if corpus.len() != count {
                return Err(io::Error::other(
                    "the snapshot just written does not restore",
                ));
            }
            release_free_memory();
            tracing::debug!("snapshot written and mapped in {:?}", started.elapsed());
            Ok(messages)
        })();
        if loaded.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        loaded
    }

    /// Reads the files of restored sources again and hashes their content, and checks the snapshot's data
    /// against its checksum by reading the file (not the memory map, so the check does not make the data
    /// resident). Slow: every file is read; call it off the critical path, without holding the corpus.
    /// Returns the hashes (`None` for a file that can no longer be read) and whether the data is intact.
    pub fn hash_restored(&self, restored: &Restored) -> (Vec<(String, Option<u64>)>, bool) {
        let hashes = || {
            restored
                .sources
                .par_iter()
                .map(|(key, path)| {
                    let hash = formats::current_hash(path);
                    (key.clone(), hash)
                })
                .collect()
        };
        let intact = || {
            restored.snapshot.as_ref().is_none_or(|(file, data)| {
                let mut file: &fs::File = file;
                read_randomly(file);
                let intact = data.iter().all(|data| {
                    let sum =
                        io::Seek::seek(&mut file, io::SeekFrom::Start(data.range.start as u64))
                            .and_then(|_| checksum(&mut file, data.range.len()));
                    sum.as_ref().ok() == Some(&data.checksum)
                });
                if !intact {
                    tracing::warn!(
                        "the index snapshot of {} is damaged; indexing every source again",
                        self.root.display()
                    );
                }
                intact
            })
        };
        let (hashes, intact) = rayon::join(hashes, intact);
        (hashes, intact)
    }

    /// Reads sources again (keys are paths): their content, or an error when unreadable or gone.
    pub fn reload_sources(&self, keys: &[String]) -> Vec<(String, io::Result<SourceContent>)> {
        keys.par_iter()
            .map(|key| (key.clone(), read_source(Path::new(key))))
            .collect()
    }

    /// Checks restored sources against the content of their files now and indexes again those that differ
    /// (or whose snapshot data is damaged); drops those gone. Returns a message per source re-indexed.
    pub fn verify_restored(&self, corpus: &mut Corpus, restored: &Restored) -> Vec<String> {
        if restored.sources.is_empty() {
            return Vec::new();
        }
        let (hashes, intact) = self.hash_restored(restored);
        let stale = corpus.stale_sources(&hashes, intact);
        apply_reloaded(corpus, self.reload_sources(&stale))
    }

    /// Writes `corpus`'s snapshot to this workspace's cache file when it is large enough to be worth caching
    /// and changed since it was last saved or restored; returns the corpus generation written. Streams to a
    /// file aside, then renames it (a reader, or a memory map of the previous snapshot, never sees half a
    /// snapshot).
    pub fn write_snapshot(&self, corpus: &Corpus) -> io::Result<Option<u64>> {
        let Some(file) = cache_file(&self.root) else {
            return Ok(None);
        };
        if corpus.is_saved() {
            return Ok(None);
        }
        let bytes: usize = corpus.sources().map(|(_, s)| s.text.len()).sum();
        if bytes < cache_min_bytes() {
            return Ok(None);
        }
        if let Some(folder) = file.parent() {
            fs::create_dir_all(folder)?;
        }
        let temporary = file.with_extension(format!("tmp{}", std::process::id()));
        let written = (|| {
            release_mapped();
            let mut out = Releasing::create(&temporary)?;
            corpus.write_snapshot(&mut out)?;
            io::Write::flush(&mut out)?;
            release_mapped();
            fs::rename(&temporary, &file)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&temporary);
        }
        written.map(|()| Some(corpus.generation()))
    }

    /// [`Workspace::write_snapshot`], then marks the corpus saved; returns whether a snapshot was written.
    pub fn save_cache(&self, corpus: &mut Corpus) -> io::Result<bool> {
        let Some(generation) = self.write_snapshot(corpus)? else {
            return Ok(false);
        };
        corpus.mark_saved_at(generation);
        Ok(true)
    }
}

/// Progress of a load: files done so far, the total, and whom to tell.
struct Tick<'a>(&'a AtomicUsize, usize, &'a (dyn Fn(usize, usize) + Sync));

/// Sources restored from a snapshot on trust (by size and modification time), to be checked against their
/// content hashes, and the snapshot file with the checksum of its data.
#[derive(Clone, Debug, Default)]
pub struct Restored {
    /// (key, path) of each restored source.
    pub sources: Vec<(String, PathBuf)>,
    snapshot: Option<(Arc<fs::File>, Vec<DataChecksum>)>,
}

/// Applies sources read again: upserts those read, removes those gone. Returns a message per source.
pub fn apply_reloaded(
    corpus: &mut Corpus,
    reloaded: Vec<(String, io::Result<SourceContent>)>,
) -> Vec<String> {
    let mut messages = Vec::new();
    for (key, content) in reloaded {
        match content {
            Ok(content) => {
                corpus.insert_prepared(content.prepare(&key));
                tracing::info!("{key} changed since the index snapshot: indexed again");
            }
            Err(error) => {
                corpus.remove_source(&key);
                messages.push(format!("{key}: {error}"));
            }
        }
    }
    messages
}

/// The stamp of a file: size and modification time.
pub fn file_stamp(metadata: &fs::Metadata) -> FileStamp {
    let modified = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as u64);
    FileStamp {
        size: metadata.len(),
        modified,
    }
}

/// Hands the heap freed by a bulk load (the words and postings built before the corpus moved to the memory
/// map, scattered over the allocator's per-thread arenas) back to the system, so it does not stay resident.
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory of the allocator's arenas to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Lets go of memory the process holds but does not use: the resident pages of the mapped snapshots (they
/// stay in the page cache) and the allocator's free pages.
pub fn release_idle_memory() {
    release_mapped();
    release_free_memory();
}

/// The snapshots this process has mapped, so that their resident pages can be dropped (see [`Releasing`]).
static MAPPED: std::sync::Mutex<Vec<std::sync::Weak<memmap2::Mmap>>> =
    std::sync::Mutex::new(Vec::new());

/// Drops the resident pages of every mapped snapshot: they stay in the page cache and are read back on the
/// next access.
fn release_mapped() {
    let mut mapped = MAPPED.lock().unwrap_or_else(|p| p.into_inner());
    mapped.retain(|map| map.strong_count() > 0);
    #[cfg(unix)]
    for map in mapped.iter().filter_map(std::sync::Weak::upgrade) {
        // SAFETY: the map is read-only and its file is never changed in place (a new snapshot is renamed
        // over it), so the pages dropped read back identical; readers only take page faults.
        let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
    }
}

/// Writes through to a file in pieces of at most [`SNAPSHOT_WRITE`] bytes, and every 16 MiB drops the resident
/// pages of the mapped snapshots: writing a new snapshot reads all of the old one (texts, words), which would
/// otherwise all become resident.
struct Releasing {
    out: fs::File,
    since: usize,
}

/// The most a snapshot is written in one call. Ext4 caches a buffered write in folios as large as the write
/// (up to 2 MiB), and one page fault on a memory map then maps the whole folio: a check reading a few words
/// here and there made most of a snapshot resident. Written in 64 KiB pieces, its pages are cached as folios of
/// at most 64 KiB, no more than the kernel maps around a fault anyway.
const SNAPSHOT_WRITE: usize = 64 << 10;

impl Releasing {
    /// A new snapshot file at `path`, written through a 1 MiB buffer: every snapshot is written this way.
    fn create(path: &Path) -> io::Result<io::BufWriter<Releasing>> {
        let out = Releasing {
            out: fs::File::create(path)?,
            since: 0,
        };
        Ok(io::BufWriter::with_capacity(1 << 20, out))
    }
}

impl io::Write for Releasing {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = self.out.write(&bytes[..bytes.len().min(SNAPSHOT_WRITE)])?;
        self.since += written;
        if self.since >= 16 << 20 {
            self.since = 0;
            release_mapped();
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Tells the kernel that `file` is read at random, so that reading it through does not fill the page cache
/// with large folios (read ahead, ext4 caches a file in folios of up to 2 MiB; one page fault on the memory
/// map of a snapshot then maps a whole folio, and a few checks make most of the snapshot resident). Read this
/// way, the pages are cached one by one, in the same large reads.
fn read_randomly(file: &fs::File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: advice on an open file descriptor; it changes how the kernel reads ahead, nothing else.
        unsafe {
            libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_RANDOM);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// Maps the snapshot file read-only (`None` when there is none or it cannot be mapped); with the open file.
fn map_snapshot(file: &Path) -> Option<(SharedBytes, fs::File)> {
    let handle = fs::File::open(file).ok()?;
    // SAFETY: the file lives in verbatim's private cache directory and is only ever replaced by renaming a
    // new file over it (`write_snapshot`), never truncated or written in place, so the mapped bytes do not
    // change under the map. Their content is not trusted: restore checks every bound and checksum.
    let map = Arc::new(unsafe { memmap2::Mmap::map(&handle) }.ok()?);
    MAPPED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(Arc::downgrade(&map));
    let file = handle.try_clone().ok();
    Some((Arc::new(MappedSnapshot { map, file }), handle))
}

/// A snapshot's memory map, and its file to copy data out of where a check reads much and keeps little.
struct MappedSnapshot {
    map: Arc<memmap2::Mmap>,
    file: Option<fs::File>,
}

impl AsRef<[u8]> for MappedSnapshot {
    fn as_ref(&self) -> &[u8] {
        &self.map
    }
}

impl Bytes for MappedSnapshot {
    fn read_at(&self, offset: usize, buffer: &mut [u8]) -> bool {
        #[cfg(unix)]
        if let Some(file) = &self.file {
            use std::os::unix::fs::FileExt;
            return file.read_exact_at(buffer, offset as u64).is_ok();
        }
        let _ = (offset, buffer);
        false
    }
}

/// The key of a source in the corpus: its path as a string.
pub fn source_key(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Workspaces whose sources hold fewer bytes than this are not worth a snapshot (`VERBATIM_CACHE_MIN_BYTES`
/// overrides it).
pub const CACHE_MIN_BYTES: usize = 8 * 1024 * 1024;

fn cache_min_bytes() -> usize {
    std::env::var("VERBATIM_CACHE_MIN_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CACHE_MIN_BYTES)
}

/// The cache directory: `$VERBATIM_CACHE_DIR` (`off` disables the cache), else `$XDG_CACHE_HOME/verbatim`,
/// else `~/.cache/verbatim`. It lies outside the workspace.
pub fn cache_directory() -> Option<PathBuf> {
    match std::env::var_os("VERBATIM_CACHE_DIR") {
        Some(value) if value == "off" || value.is_empty() => None,
        Some(value) => Some(PathBuf::from(value)),
        None => std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(|v| PathBuf::from(v).join("verbatim"))
            .or_else(|| {
                std::env::var_os("HOME")
                    .map(|home| PathBuf::from(home).join(".cache").join("verbatim"))
            }),
    }
}

/// The snapshot file of a workspace root: named after a hash of the root's path and the engine's version.
pub fn cache_file(root: &Path) -> Option<PathBuf> {
    let directory = cache_directory()?;
    let name = format!("{}|{}", root.display(), env!("CARGO_PKG_VERSION"));
    let hash = content_hash(&name);
    let folder = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder: String = folder
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
        .take(40)
        .collect();
    Some(directory.join(format!("index-{folder}-{hash:016x}.bin")))
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

/// Reads `verbatim.toml` at `root` (absent: empty settings, no warning): the settings, the warnings about them,
/// and why the file could not be used at all (then the settings are empty and the warnings say the defaults
/// are used).
pub fn read_settings(root: &Path) -> (RawSettings, Vec<String>, Option<String>) {
    let path = root.join(CONFIG_FILE);
    let error = match fs::read(&path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            // A byte-order mark (some Windows editors write one) is not part of the TOML.
            Ok(text) => {
                match RawSettings::parse_toml(text.strip_prefix('\u{feff}').unwrap_or(&text)) {
                    Ok((raw, warnings)) => return (raw, warnings, None),
                    Err(error) => error,
                }
            }
            Err(_) => format!("{CONFIG_FILE} is not UTF-8"),
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return (RawSettings::default(), Vec::new(), None)
        }
        Err(error) => format!("cannot read {CONFIG_FILE}: {error}"),
    };
    (
        RawSettings::default(),
        vec![format!("{error}; using the defaults")],
        Some(error),
    )
}

/// Reads a text file: UTF-8 (BOM dropped), UTF-16 with a BOM, or lossily decoded UTF-8 with a warning.
/// Binary files (a NUL byte early on, no UTF-16 BOM) and files over [`MAX_SOURCE_BYTES`] are refused.
pub fn read_text(path: &Path) -> io::Result<(String, Option<String>)> {
    read_text_stamped(path).map(|(text, warning, _)| (text, warning))
}

/// Reads a source file in any format: Markdown and plain text decoded, other formats extracted (see
/// [`formats`]).
pub fn read_source(path: &Path) -> io::Result<SourceContent> {
    read_source_stamped(path).map(|(content, _)| content)
}

/// [`read_source`], with the stamp of the file taken before reading it.
fn read_source_stamped(path: &Path) -> io::Result<(SourceContent, FileStamp)> {
    let (bytes, stamp) = read_bytes_stamped(path)?;
    formats::content_from_bytes(&source_key(path), bytes).map(|content| (content, stamp))
}

/// [`read_text`], with the stamp of the file taken before reading it (a file changed while being read then
/// has an older stamp than its content, and is read again at the next start).
fn read_text_stamped(path: &Path) -> io::Result<(String, Option<String>, FileStamp)> {
    let (bytes, stamp) = read_bytes_stamped(path)?;
    decode_text(bytes).map(|(text, warning)| (text, warning, stamp))
}

/// A file's bytes (regular files under the size limit only) and its stamp taken before reading.
fn read_bytes_stamped(path: &Path) -> io::Result<(Vec<u8>, FileStamp)> {
    let metadata = fs::metadata(path)?;
    let stamp = file_stamp(&metadata);
    // FIFOs and devices would block or never end.
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "skipped: not a regular file",
        ));
    }
    if metadata.len() > MAX_SOURCE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "skipped: {} MB is over the {} MB limit",
                metadata.len() >> 20,
                MAX_SOURCE_BYTES >> 20
            ),
        ));
    }
    // Capped even if the file grows after the size check.
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    io::Read::read_to_end(
        &mut io::Read::take(fs::File::open(path)?, MAX_SOURCE_BYTES + 1),
        &mut bytes,
    )?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "skipped: the file grew over the size limit",
        ));
    }
    Ok((bytes, stamp))
}

/// Decodes file bytes as [`read_text`] does.
pub fn decode_text(bytes: Vec<u8>) -> io::Result<(String, Option<String>)> {
    crate::extract::plain::decode(&bytes)
        .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error.to_string()))
}

/// Canonicalizes what exists of `path`: the path itself, else its parent joined with its name (a removed file),
/// else the path as given.
pub fn canonical(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => parent
            .canonicalize()
            .map(|p| p.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// Whether `path` is an existing folder.
pub fn is_folder(path: &Path) -> bool {
    path.is_dir()
}

/// The drafts that paths given on the command line name, canonical, sorted and without repeats: a folder
/// stands for the workspace's drafts under it. `Err` names a path that cannot be resolved.
pub fn drafts_named(workspace: &Workspace, paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut drafts = Vec::new();
    for path in paths {
        let absolute = std::path::absolute(path)
            .and_then(|absolute| absolute.canonicalize())
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if absolute.is_dir() {
            drafts.extend(
                workspace
                    .discover_drafts()
                    .into_iter()
                    .filter(|d| d.starts_with(&absolute)),
            );
        } else {
            drafts.push(absolute);
        }
    }
    drafts.sort();
    drafts.dedup();
    Ok(drafts)
}

/// Whether `folder` is marked as a workspace root: it holds a `verbatim.toml` file or a `sources/` folder.
pub fn is_marked_root(folder: &Path) -> bool {
    folder.join(CONFIG_FILE).is_file() || folder.join("sources").is_dir()
}

/// The workspace root of a file or folder, the one rule that the CLI, the server and the editor plugins
/// (`editors/nvim`, `editors/emacs`; all tested on the same cases, `fixtures/roots/cases.txt`) follow: from the
/// folder itself (for a file, the file's folder) upward, the nearest folder holding `verbatim.toml`; failing
/// that, the nearest folder holding a `sources/` folder. The settings file is the explicit mark, so a folder
/// that happens to be called `sources` below a configured workspace does not split it. `None` when no folder up
/// to the filesystem root is marked.
pub fn find_root(path: &Path) -> Option<PathBuf> {
    let start = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(path)
    };
    start
        .ancestors()
        .find(|folder| folder.join(CONFIG_FILE).is_file())
        .or_else(|| {
            start
                .ancestors()
                .find(|folder| folder.join("sources").is_dir())
        })
        .map(Path::to_path_buf)
}

/// [`find_root`], else the folder itself (for a file, its folder): the root of a file opened outside any
/// workspace, or of `verbatim check` run outside one.
pub fn root_for(path: &Path) -> PathBuf {
    find_root(path).unwrap_or_else(|| {
        if path.is_dir() {
            path.to_path_buf()
        } else {
            path.parent().unwrap_or(path).to_path_buf()
        }
    })
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
