//! Owns the server's shared state ([`Server`]) and the check cycle of a draft: what role an open document
//! plays (draft or source), computing its [`Analysis`] (cached by version and epoch), re-checks after edits
//! (at once when no check of the draft runs, else once more after it: a burst coalesces and the latest
//! version wins), publishing diagnostics with the document's version, and bringing open source buffers into
//! their folder's corpus ([`Server::sync_source`]: at most one at a time per source, the latest version wins;
//! a draft's check first applies any source buffer of its folder the corpus does not hold yet).
//!
//! Stale results: an analysis keeps what it was computed against (document version, the folder's settings,
//! the corpus revision). It is published, or answered to a diagnostics pull, only while all of it still holds
//! and no settings change is pending ([`Server::current_diagnostics`], checked under the publishing lock and
//! the corpus read lock, right before the send): a check that started under older settings, an older corpus
//! or an older text never shows after a newer state is known. Every change that makes analyses stale is
//! followed by a re-check of the drafts it touches, which publishes the current state.
//!
//! Concurrency: handlers run up to four at a time. Document edits are applied synchronously before any
//! `.await`; no std lock or DashMap guard is held across an `.await`; checks run on the blocking pool.
//! Requests to the client are bounded by [`CLIENT_TIMEOUT`] ([`Server::ask`]): a client that never answers
//! costs a warning, never a handler.
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use dashmap::DashMap;
use tower_lsp_server::ls_types::{MessageType, Uri};
use tower_lsp_server::Client;

use super::capabilities::ClientCaps;
use super::diagnostics;
use super::document::{Analysis, DocumentStore};
use super::folders::{uri_to_path, Folder, Folders};
use super::settings::EditorSettings;
use crate::engine::reuse::ReuseCache;
use crate::engine::{Finding, Verdict, VerdictCache};
use crate::workspace::source_key;
use crate::workspace::watch::FileWatcher;

/// How long the server waits for the client's answer to one of its requests (`workspace/configuration`,
/// `client/registerCapability`, `window/workDoneProgress/create`, refreshes) before going on without it.
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a diagnostics pull waits for a settings change being applied (reading `verbatim.toml`, asking
/// the client for its settings) before it answers with the settings in force.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a draft's check loop runs (see [`Server::schedule_check`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CheckState {
    Idle,
    Running,
    /// Running, and asked for again meanwhile: it goes round once more, for the latest version.
    Again,
}

/// How far the corpus has caught up with one open source buffer.
#[derive(Default)]
pub struct SourceSync {
    /// The buffer version the folder's corpus holds (`i64::MIN`: none yet). Written only while the folder's
    /// corpus write lock is held, together with the corpus change, so that the two always agree.
    applied: AtomicI64,
    /// Held while the buffer is put into the corpus: one re-index of a given source at a time (taken before
    /// the corpus write lock, never the other way round).
    gate: Mutex<()>,
}

impl SourceSync {
    fn new() -> SourceSync {
        SourceSync {
            applied: AtomicI64::new(i64::MIN),
            gate: Mutex::new(()),
        }
    }

    /// The buffer version the corpus holds.
    pub fn applied(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Records that the corpus now holds `version` (call with the folder's corpus write lock held).
    pub fn set_applied(&self, version: i32) {
        self.applied.store(i64::from(version), Ordering::SeqCst);
    }
}

/// What an open document is to the server.
pub enum Role {
    /// A draft: its quotes are checked against the folder's sources.
    Draft(Arc<Folder>),
    /// One of the folder's sources: its buffer replaces the file on disk in the corpus.
    Source(Arc<Folder>, PathBuf),
    /// Neither (excluded, or not a draft by the folder's globs).
    Other,
}

/// Everything the handlers share.
pub struct Server {
    pub client: Client,
    caps: OnceLock<ClientCaps>,
    pub docs: DocumentStore,
    pub folders: Folders,
    /// A folder for untitled drafts when there is no workspace folder: no sources, default settings.
    scratch: OnceLock<Arc<Folder>>,
    pub settings: EditorSettings,
    /// Changes whenever sources or settings change: analyses of an older epoch are stale.
    epoch: AtomicU64,
    /// The (version, epoch) last published per draft, so that the same diagnostics are not sent twice.
    published: DashMap<Uri, (i32, u64)>,
    /// Open source buffers and the version of each that its folder's corpus holds.
    sources: DashMap<Uri, Arc<SourceSync>>,
    pub watcher: Mutex<Option<FileWatcher>>,
    next_token: AtomicU64,
    /// Warnings found during `initialize`, shown once the client is ready for messages.
    pending: Mutex<Vec<String>>,
    /// Requests the client left unanswered (each warned about once).
    unanswered: Mutex<Vec<&'static str>>,
    /// Set by `shutdown`: nothing new is started (no watcher, no registration).
    shut_down: AtomicBool,
    /// Settings changes, applied one at a time, in order.
    pub reconfiguring: tokio::sync::Mutex<()>,
    /// Settings changes received (numbered as they arrive; the latest one does the work).
    reconfigurations: AtomicU64,
    /// Each folder's link to its shared archive, if it has one.
    pub archive: super::archive::ArchiveLinks,
    /// New settings learnt (pushed with a notification, answered by the client, `verbatim.toml` changed),
    /// numbered; see [`Server::settings_learnt`].
    learnt: AtomicU64,
    /// The last of `learnt` applied to every folder: while it is behind, nothing is published (applying
    /// re-checks the drafts) and pulls wait for it.
    applied: tokio::sync::watch::Sender<u64>,
    /// Held from the last look at an analysis's basis to the send of its diagnostics, so that diagnostics go
    /// out in the order their basis was checked (and new settings are noted under it).
    publishing: tokio::sync::Mutex<()>,
    /// The check loop of each draft.
    checks: DashMap<Uri, Arc<Mutex<CheckState>>>,
    /// Analyses of open drafts running now, and when the last one ended (ms after `started`): background
    /// work waits for a quiet moment (see [`Server::wait_until_quiet`]).
    foreground: AtomicU64,
    quiet_since: AtomicU64,
    started: std::time::Instant,
    /// Draft checks done (open or not), for [`Server::start_trimming`].
    checks_done: AtomicU64,
}

/// How often the pages that checks read through a mapped index snapshot are let go (when checks ran).
const TRIM_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Counts an analysis as foreground work while it lives.
struct Foreground<'a>(&'a Server);

impl<'a> Foreground<'a> {
    fn begin(server: &'a Server) -> Foreground<'a> {
        server.foreground.fetch_add(1, Ordering::SeqCst);
        Foreground(server)
    }
}

impl Drop for Foreground<'_> {
    fn drop(&mut self) {
        let now = self.0.started.elapsed().as_millis() as u64;
        self.0.quiet_since.store(now, Ordering::SeqCst);
        self.0.foreground.fetch_sub(1, Ordering::SeqCst);
        self.0.note_check();
    }
}

impl Server {
    pub fn new(client: Client) -> Server {
        Server {
            client,
            caps: OnceLock::new(),
            docs: DocumentStore::default(),
            folders: Folders::default(),
            scratch: OnceLock::new(),
            settings: EditorSettings::default(),
            epoch: AtomicU64::new(1),
            published: DashMap::new(),
            sources: DashMap::new(),
            watcher: Mutex::new(None),
            next_token: AtomicU64::new(1),
            pending: Mutex::new(Vec::new()),
            unanswered: Mutex::new(Vec::new()),
            shut_down: AtomicBool::new(false),
            reconfiguring: tokio::sync::Mutex::new(()),
            reconfigurations: AtomicU64::new(0),
            archive: Default::default(),
            learnt: AtomicU64::new(0),
            applied: tokio::sync::watch::Sender::new(0),
            publishing: tokio::sync::Mutex::new(()),
            checks: DashMap::new(),
            foreground: AtomicU64::new(0),
            quiet_since: AtomicU64::new(0),
            started: std::time::Instant::now(),
            checks_done: AtomicU64::new(0),
        }
    }

    /// Counts a draft check (see [`Server::start_trimming`]).
    pub fn note_check(&self) {
        self.checks_done.fetch_add(1, Ordering::Relaxed);
    }

    /// Lets go of idle memory once a second while checks run: the pages of the mapped index snapshots
    /// and the allocator's free pages. A check reads the texts and words of its candidate sources through
    /// the map; over many drafts (the background check of the drafts not open, a day of editing) that is
    /// most of the corpus, which would otherwise all stay resident. The pages stay in the page cache: the
    /// next check that needs one takes a minor fault.
    pub fn start_trimming(self: &Arc<Self>) {
        let server = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut last = 0;
            let mut tick = tokio::time::interval(TRIM_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                let Some(server) = server.upgrade() else {
                    break;
                };
                if server.is_shut_down() {
                    break;
                }
                let done = server.checks_done.load(Ordering::Relaxed);
                if done != last {
                    last = done;
                    let _ =
                        tokio::task::spawn_blocking(crate::workspace::release_idle_memory).await;
                }
            }
        });
    }

    /// Blocks until no check of an open draft has run for `quiet` (or the server shuts down), so that
    /// background work (checking drafts not open) leaves the cores to a writer who is typing; but never
    /// longer than `patience`, so that a stream of edits delays background work without starving it.
    pub fn wait_until_quiet(&self, quiet: std::time::Duration, patience: std::time::Duration) {
        let give_up = std::time::Instant::now() + patience;
        let quiet = quiet.as_millis() as u64;
        while !self.is_shut_down() && std::time::Instant::now() < give_up {
            let now = self.started.elapsed().as_millis() as u64;
            let since = self.quiet_since.load(Ordering::SeqCst);
            let wait = if self.foreground.load(Ordering::SeqCst) > 0 {
                quiet
            } else {
                (since + quiet).saturating_sub(now)
            };
            if wait == 0 {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(wait.min(quiet)));
        }
    }

    /// Awaits `request` (a request to the client named `method`) for at most [`CLIENT_TIMEOUT`]; `None` when
    /// the client did not answer in time, warned about once per method.
    pub async fn ask<T>(
        &self,
        method: &'static str,
        request: impl Future<Output = T>,
    ) -> Option<T> {
        match tokio::time::timeout(CLIENT_TIMEOUT, request).await {
            Ok(answer) => Some(answer),
            Err(_) => {
                let mut unanswered = self.unanswered.lock().unwrap_or_else(|p| p.into_inner());
                if unanswered.contains(&method) {
                    tracing::debug!("the client did not answer {method} within {CLIENT_TIMEOUT:?}");
                } else {
                    unanswered.push(method);
                    tracing::warn!(
                        "the client did not answer {method} within {CLIENT_TIMEOUT:?}; going on without \
                         it (not logged again)"
                    );
                }
                None
            }
        }
    }

    /// Notes that `shutdown` was received.
    pub fn set_shut_down(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    /// Numbers a settings change as it arrives (see [`Server::is_latest_reconfiguration`]).
    pub fn next_reconfiguration(&self) -> u64 {
        self.reconfigurations.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether no settings change arrived after the one numbered `turn`.
    pub fn is_latest_reconfiguration(&self, turn: u64) -> bool {
        self.reconfigurations.load(Ordering::SeqCst) == turn
    }

    /// Notes that new settings are known (pushed with `didChangeConfiguration`, answered by the client,
    /// `verbatim.toml` changed on disk) and returns their number: from then until [`Server::settings_applied`]
    /// is called with it, nothing is published and pulls wait. Taken under the publishing lock, so that once
    /// it returns no diagnostics computed under the older settings can still be sent. (A client slow to
    /// answer `workspace/configuration` holds nothing back: its settings are not known before its answer.)
    pub async fn settings_learnt(&self) -> u64 {
        let _publishing = self.publishing.lock().await;
        self.learnt.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Records that the settings numbered `learnt` (and all before them) are in every folder (call after the
    /// folders' new settings are in and the epoch moved).
    pub fn settings_applied(&self, learnt: u64) {
        self.applied.send_if_modified(|applied| {
            let newer = learnt > *applied;
            if newer {
                *applied = learnt;
            }
            newer
        });
    }

    /// Whether settings are known that some folder does not apply yet.
    pub fn settings_pending(&self) -> bool {
        *self.applied.borrow() < self.learnt.load(Ordering::SeqCst)
    }

    /// Waits until the settings known so far are applied (at most [`SETTLE_TIMEOUT`]).
    async fn settled(&self) {
        let learnt = self.learnt.load(Ordering::SeqCst);
        let mut applied = self.applied.subscribe();
        let wait = applied.wait_for(|&applied| applied >= learnt);
        if tokio::time::timeout(SETTLE_TIMEOUT, wait).await.is_err() {
            tracing::warn!("new settings are still being applied after {SETTLE_TIMEOUT:?}");
        }
    }

    pub fn caps(&self) -> &ClientCaps {
        static DEFAULT: OnceLock<ClientCaps> = OnceLock::new();
        self.caps
            .get()
            .unwrap_or_else(|| DEFAULT.get_or_init(ClientCaps::default))
    }

    pub fn set_caps(&self, caps: ClientCaps) {
        let _ = self.caps.set(caps);
    }

    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::SeqCst)
    }

    /// Marks every analysis stale (call after the corpus or the settings changed).
    pub fn bump_epoch(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
    }

    pub fn next_token(&self) -> u64 {
        self.next_token.fetch_add(1, Ordering::SeqCst)
    }

    fn scratch(&self) -> Arc<Folder> {
        self.scratch
            .get_or_init(|| {
                let folder = Folder::new(
                    &std::env::temp_dir().join("verbatim-untitled"),
                    true,
                    &Default::default(),
                );
                folder.set_ready(true);
                Arc::new(folder)
            })
            .clone()
    }

    /// The role of an open document.
    pub fn role(&self, uri: &Uri) -> Role {
        let Some(path) = uri_to_path(uri) else {
            // Untitled buffers are drafts of the first folder (or of a folder without sources).
            let folder = self
                .folders
                .all()
                .into_iter()
                .find(|f| !f.implicit)
                .unwrap_or_else(|| self.scratch());
            return Role::Draft(folder);
        };
        let Some(folder) = self.folders.for_path(&path) else {
            return Role::Other;
        };
        let workspace = folder.workspace();
        if workspace.is_source(&path) {
            Role::Source(folder, path)
        } else if workspace.is_draft(&path) {
            Role::Draft(folder)
        } else {
            Role::Other
        }
    }

    /// The findings of an open draft for its current text, computed now unless already known. `None` when the
    /// document is not an open draft or its folder's sources are still being indexed.
    pub fn analyze(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        // A source edited just before this request may not be in the corpus yet: apply it first (bumping the
        // epoch), so that the answer reflects every edit the client sent before the request.
        if self.any_source_pending() {
            if let Role::Draft(folder) = self.role(uri) {
                if folder.is_ready() {
                    self.sync_sources_of(&folder);
                }
            }
        }
        // The epoch first, then the settings and the corpus: a change after this moment makes the analysis
        // stale (older epoch), never one before it.
        let epoch = self.epoch();
        let Role::Draft(folder) = self.role(uri) else {
            return None;
        };
        if !folder.is_ready() {
            return None;
        }
        if let Some(analysis) = self.docs.current_analysis(uri, epoch) {
            if Arc::ptr_eq(&analysis.workspace, &folder.workspace())
                && analysis.corpus == folder.corpus().revision()
            {
                return Some(analysis);
            }
        }
        // A check to run (not an answer already known): background work waits for it.
        let _foreground = Foreground::begin(self);
        let snapshot = self.docs.snapshot(uri)?;
        let workspace = folder.workspace();
        let text = snapshot.rope.to_string();
        let (findings, revision) = {
            let corpus = folder.corpus();
            let mut cache = snapshot.cache.lock().unwrap_or_else(|p| p.into_inner());
            let mut reuse_cache = snapshot
                .reuse_cache
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let check = std::panic::AssertUnwindSafe(|| {
                // The quotes, and uncredited copying in the prose outside quote marks (per-paragraph cache),
                // side by side: neither reads what the other finds.
                let (cache, reuse_cache): (&mut VerdictCache, &mut ReuseCache) =
                    (&mut cache, &mut reuse_cache);
                let (mut findings, copied) = rayon::join(
                    || {
                        corpus.check_draft_cached(
                            &text,
                            snapshot.format,
                            &workspace.config.engine,
                            cache,
                        )
                    },
                    || {
                        corpus.check_reuse(
                            &text,
                            snapshot.format,
                            &workspace.config.reuse,
                            reuse_cache,
                        )
                    },
                );
                findings.extend(copied);
                findings.sort_by_key(|f| f.quote.range.start);
                findings
            });
            let findings = match std::panic::catch_unwind(check) {
                Ok(findings) => findings,
                Err(_) => {
                    tracing::error!("the engine panicked while checking {}", uri.as_str());
                    Vec::new()
                }
            };
            let findings: Vec<Finding> = findings
                .into_iter()
                .filter(|f| f.quote.range.end <= text.len())
                .collect();
            // Who quotes what: this draft's entries in the folder's reverse index, from its buffer.
            if let Some(path) = uri_to_path(uri) {
                super::folders::record_open(
                    &folder,
                    &path,
                    &text,
                    snapshot.format,
                    &corpus,
                    &findings,
                );
            }
            (findings, corpus.revision())
        };
        let analysis = Arc::new(Analysis {
            version: snapshot.version,
            epoch,
            workspace,
            corpus: revision,
            rope: snapshot.rope,
            text: text.into(),
            format: snapshot.format,
            findings,
        });
        self.docs.store_analysis(uri, analysis.clone());
        Some(analysis)
    }

    /// As [`Server::analyze`], on the blocking pool.
    pub async fn analysis(self: &Arc<Self>, uri: &Uri) -> Option<Arc<Analysis>> {
        let server = self.clone();
        let uri = uri.clone();
        tokio::task::spawn_blocking(move || server.analyze(&uri))
            .await
            .ok()
            .flatten()
    }

    /// The finding whose quote (marks included) contains byte `offset`.
    pub fn finding_at(analysis: &Analysis, offset: usize) -> Option<&Finding> {
        // The speaker's name of a misattribution first (it lies outside the quote), then the quote.
        let findings = &analysis.findings;
        findings
            .iter()
            .find(|f| {
                let range = f.range();
                f.verdict == Verdict::Misattributed && range.start <= offset && offset <= range.end
            })
            .or_else(|| {
                findings
                    .iter()
                    .find(|f| f.quote.outer.start <= offset && offset <= f.quote.outer.end)
            })
    }

    /// Looks up in the folder's archive the quotes of `analysis` that no local source verifies and its prose
    /// (uncredited copying; on a task of its own); when articles are found, they join the corpus and the
    /// folder's drafts are checked again.
    pub fn refine_with_archive(self: &Arc<Self>, uri: &Uri, analysis: &Analysis) {
        let Role::Draft(folder) = self.role(uri) else {
            return;
        };
        let Some(lookup) = self.archive.lookup_for(&folder, analysis) else {
            return;
        };
        let server = self.clone();
        tokio::spawn(async move {
            // The quotes' answer is applied before the prose windows are asked about.
            let (quotes, prose) = lookup.quotes_first();
            for lookup in std::iter::once(quotes).chain(prose) {
                let report = lookup.run().await;
                if let Some(message) = report.reachable_again {
                    server.client.log_message(MessageType::INFO, message).await;
                }
                if let Some(message) = report.warning {
                    server
                        .client
                        .show_message(MessageType::WARNING, message)
                        .await;
                }
                if report.added > 0 {
                    server.bump_epoch();
                    server.recheck(Some(&folder));
                }
            }
        });
    }

    /// Re-checks a draft and publishes its diagnostics: at once when no check of it runs; otherwise the running
    /// check goes round once more when it is done, for the version the draft has then. So a burst of edits
    /// costs one check at its start and one for its latest version, with no fixed pause before either (a check
    /// of an edited draft takes milliseconds: only the quotes whose text changed are checked again).
    pub fn schedule_check(self: &Arc<Self>, uri: Uri) {
        if !self.docs.is_open(&uri) {
            return;
        }
        let slot = self
            .checks
            .entry(uri.clone())
            .or_insert_with(|| Arc::new(Mutex::new(CheckState::Idle)))
            .clone();
        {
            let mut state = slot.lock().unwrap_or_else(|p| p.into_inner());
            if *state != CheckState::Idle {
                *state = CheckState::Again;
                return;
            }
            *state = CheckState::Running;
        }
        let server = self.clone();
        tokio::spawn(async move {
            // Idle again if the loop is torn down mid-round (a panic), so that later edits start a check.
            struct Unwinding(Option<Arc<Mutex<CheckState>>>);
            impl Drop for Unwinding {
                fn drop(&mut self) {
                    if let Some(slot) = self.0.take() {
                        *slot.lock().unwrap_or_else(|p| p.into_inner()) = CheckState::Idle;
                    }
                }
            }
            let mut unwinding = Unwinding(Some(slot.clone()));
            loop {
                if let Some(analysis) = server.analysis(&uri).await {
                    server.publish(&uri, &analysis).await;
                    // Local verdicts first; the archive refines them when it answers.
                    server.refine_with_archive(&uri, &analysis);
                }
                // Going round or going idle is decided under the lock: an edit between the two would otherwise
                // mark the loop `Again` after it decided to stop, and its check would be lost.
                let mut state = slot.lock().unwrap_or_else(|p| p.into_inner());
                if *state != CheckState::Again || !server.docs.is_open(&uri) {
                    *state = CheckState::Idle;
                    unwinding.0 = None;
                    break;
                }
                *state = CheckState::Running;
            }
        });
    }

    /// Forgets a closed draft's check loop (a loop still running ends after its round).
    pub fn forget_checks(&self, uri: &Uri) {
        self.checks.remove(uri);
    }

    /// Re-checks every open draft of `folder` (or of every folder), after sources or settings changed, and
    /// asks the client to refresh what it pulls (on tasks of their own: handlers never wait for the client).
    pub fn recheck(self: &Arc<Self>, folder: Option<&Arc<Folder>>) {
        for uri in self.docs.uris() {
            if let Role::Draft(of) = self.role(&uri) {
                if folder.is_none_or(|f| Arc::ptr_eq(f, &of)) {
                    self.schedule_check(uri);
                }
            }
        }
        let caps = self.caps();
        if caps.pulls_diagnostics() {
            let server = self.clone();
            tokio::spawn(async move {
                let refresh = server.client.workspace_diagnostic_refresh();
                let _ = server.ask("workspace/diagnostic/refresh", refresh).await;
            });
        }
        if caps.code_lens && caps.code_lens_refresh {
            let server = self.clone();
            tokio::spawn(async move {
                let refresh = server.client.code_lens_refresh();
                let _ = server.ask("workspace/codeLens/refresh", refresh).await;
            });
        }
        if caps.inlay_hints && caps.inlay_hint_refresh {
            let server = self.clone();
            tokio::spawn(async move {
                let refresh = server.client.inlay_hint_refresh();
                let _ = server.ask("workspace/inlayHint/refresh", refresh).await;
            });
        }
    }

    /// Pushes the diagnostics of an analysis, unless the client pulls them, the same ones were already sent, or
    /// the analysis is no longer current: the document moved on, or its folder's settings or corpus changed,
    /// or a settings change is pending (whatever made it stale re-checks the draft and publishes then).
    pub async fn publish(&self, uri: &Uri, analysis: &Analysis) {
        if !self.caps().push_diagnostics() {
            return;
        }
        // From the last look at the basis to the send: a newer analysis's diagnostics cannot overtake these.
        let _publishing = self.publishing.lock().await;
        let key = (analysis.version, analysis.epoch);
        if self.published.get(uri).is_some_and(|last| *last >= key) {
            return;
        }
        if self.docs.version(uri) != Some(analysis.version) {
            return;
        }
        let Some(diagnostics) = self.current_diagnostics(uri, analysis) else {
            return;
        };
        self.published.insert(uri.clone(), key);
        let version = self.caps().diagnostic_versions.then_some(analysis.version);
        self.client
            .publish_diagnostics(uri.clone(), diagnostics, version)
            .await;
    }

    /// Clears a closed draft's diagnostics.
    pub async fn unpublish(&self, uri: &Uri) {
        let _publishing = self.publishing.lock().await;
        if self.published.remove(uri).is_some() && self.caps().push_diagnostics() {
            self.client
                .publish_diagnostics(uri.clone(), Vec::new(), None)
                .await;
        }
    }

    /// The diagnostics of an analysis, with the severities it was computed with, if it still describes the
    /// draft's folder: no settings change pending, the folder's settings and corpus those it was computed
    /// against (compared under the corpus read lock the diagnostics are built under, so the corpus cannot
    /// change in between). The document version is the caller's concern (a pull answers for any version).
    pub fn current_diagnostics(
        &self,
        uri: &Uri,
        analysis: &Analysis,
    ) -> Option<Vec<tower_lsp_server::ls_types::Diagnostic>> {
        if self.settings_pending() {
            return None;
        }
        let Role::Draft(folder) = self.role(uri) else {
            return None;
        };
        if !Arc::ptr_eq(&folder.workspace(), &analysis.workspace) {
            return None;
        }
        let corpus = folder.corpus();
        if corpus.revision() != analysis.corpus {
            return None;
        }
        let severity = &analysis.workspace.config.severity;
        Some(diagnostics::diagnostics(
            analysis,
            &corpus,
            severity,
            self.caps(),
        ))
    }

    /// The diagnostics a `textDocument/diagnostic` pull answers: of the draft's current text, computed under
    /// the settings in force once any settings change announced before the pull is applied, and against the
    /// corpus as it is when they are built (checked again if it changed meanwhile). Empty for a document that
    /// is not an open draft, or while its folder is being indexed for the first time.
    pub async fn pulled_diagnostics(
        self: &Arc<Self>,
        uri: &Uri,
    ) -> Vec<tower_lsp_server::ls_types::Diagnostic> {
        self.settled().await;
        // A source edit or settings change landing between the check and the building of its diagnostics makes
        // the analysis stale: check again (a handful of times at most; changes that frequent are typing).
        for _ in 0..8 {
            let Some(analysis) = self.analysis(uri).await else {
                return Vec::new();
            };
            if let Some(diagnostics) = self.current_diagnostics(uri, &analysis) {
                return diagnostics;
            }
            self.settled().await;
        }
        let Some(analysis) = self.analysis(uri).await else {
            return Vec::new();
        };
        let Role::Draft(folder) = self.role(uri) else {
            return Vec::new();
        };
        let corpus = folder.corpus();
        let severity = &analysis.workspace.config.severity;
        diagnostics::diagnostics(&analysis, &corpus, severity, self.caps())
    }

    /// Notes that `uri` is open as a source buffer (its corpus version is unknown until it is synced).
    pub fn open_source(&self, uri: &Uri) {
        self.sources
            .insert(uri.clone(), Arc::new(SourceSync::new()));
    }

    /// Forgets a closed source buffer.
    pub fn close_source(&self, uri: &Uri) {
        self.sources.remove(uri);
    }

    /// The sync state of an open source buffer, created if missing (indexing records what it put in).
    pub fn source_sync(&self, uri: &Uri) -> Arc<SourceSync> {
        self.sources
            .entry(uri.clone())
            .or_insert_with(|| Arc::new(SourceSync::new()))
            .clone()
    }

    /// Whether the corpus lacks the latest version of the open source buffer `uri`.
    fn source_pending(&self, uri: &Uri) -> bool {
        let Some(sync) = self.sources.get(uri).map(|s| s.clone()) else {
            return false;
        };
        self.docs
            .version(uri)
            .is_some_and(|version| i64::from(version) > sync.applied())
    }

    /// Whether any open source buffer is ahead of its corpus (cheap: one look per open source).
    fn any_source_pending(&self) -> bool {
        let uris: Vec<Uri> = self.sources.iter().map(|e| e.key().clone()).collect();
        uris.iter().any(|uri| self.source_pending(uri))
    }

    /// Applies every open source buffer of `folder` whose latest version the corpus does not hold yet; true
    /// when any was applied. Blocking (waits for a re-index of the same source already running).
    pub fn sync_sources_of(&self, folder: &Arc<Folder>) -> bool {
        // The URIs first, no guard kept: syncing takes the documents' and the corpus' locks.
        let uris: Vec<Uri> = self.sources.iter().map(|e| e.key().clone()).collect();
        let mut applied = false;
        for uri in uris {
            if !self.source_pending(&uri) {
                continue;
            }
            if let Role::Source(of, _) = self.role(&uri) {
                if Arc::ptr_eq(&of, folder) {
                    applied |= self.sync_source(&uri).is_some();
                }
            }
        }
        applied
    }

    /// Puts the latest text of the open source buffer `uri` into its folder's corpus (the buffer wins over the
    /// file on disk), unless the corpus already holds that version or the folder is still being indexed (the
    /// indexing puts open buffers in itself). Returns the folder when the corpus changed.
    ///
    /// Blocking: run it on the blocking pool. One call per source at a time (the source's gate); a call that
    /// waited for another finds the corpus caught up and returns at once, so a burst of edits costs about one
    /// re-index per edit that arrived while the previous re-index ran, never a queue of stale ones. After it
    /// returns, the corpus holds at least the version the buffer had when it was called.
    pub fn sync_source(&self, uri: &Uri) -> Option<Arc<Folder>> {
        if !self.docs.is_open(uri) {
            return None;
        }
        // Created when missing: a document may have become a source by a settings change.
        let sync = self.source_sync(uri);
        let _gate = sync.gate.lock().unwrap_or_else(|p| p.into_inner());
        let Role::Source(folder, path) = self.role(uri) else {
            return None;
        };
        if !folder.is_ready() {
            return None;
        }
        let snapshot = self.docs.snapshot(uri)?;
        if i64::from(snapshot.version) <= sync.applied() {
            return None;
        }
        let key = source_key(&path);
        let text = snapshot.rope.to_string();
        {
            // The write lock may wait for a long check to finish: this runs on the blocking pool.
            let mut corpus = folder.corpus_mut();
            if let Some(content) = crate::workspace::formats::content_from_buffer(&key, text) {
                corpus.insert_prepared(content.prepare(&key));
            }
            sync.set_applied(snapshot.version);
        }
        self.bump_epoch();
        Some(folder)
    }

    /// After an edit of the source buffer `uri` to `version`: re-indexes that source on the blocking pool and
    /// re-checks its folder's open drafts. A burst coalesces: a task whose version is no longer the buffer's
    /// drops out (the newer change's own task does the work), and at most one re-index of a source runs at a
    /// time ([`Server::sync_source`]). No debounce: the re-index of one source and the re-check of the
    /// quotes depending on it (per-source [`VerdictCache`](crate::engine::VerdictCache)) take milliseconds,
    /// less than waiting for the typing to pause would.
    pub async fn source_edited(self: Arc<Self>, uri: Uri, version: i32) {
        let latest = |server: &Server| server.docs.version(&uri) == Some(version);
        if !latest(&self) {
            return;
        }
        let (server, edited) = (self.clone(), uri.clone());
        let synced = tokio::task::spawn_blocking(move || {
            // Queued behind another re-index: the buffer may have moved on meanwhile.
            if server.docs.version(&edited) != Some(version) {
                return None;
            }
            server.sync_source(&edited)
        })
        .await
        .ok()
        .flatten();
        match synced {
            Some(folder) => self.recheck(Some(&folder)),
            // Already applied by a request that checked a draft first: its folder's drafts still need a push.
            None if latest(&self) && !self.source_pending(&uri) => {
                if let Role::Source(folder, _) = self.role(&uri) {
                    if folder.is_ready() {
                        self.recheck(Some(&folder));
                    }
                }
            }
            None => {}
        }
    }

    pub fn pending_warnings(&self, warnings: Vec<String>) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(warnings);
    }

    pub fn take_pending_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Shows each settings warning once.
    pub async fn show_warnings(&self, warnings: Vec<String>) {
        for warning in self.settings.unseen_warnings(warnings) {
            self.client
                .show_message(MessageType::WARNING, format!("verbatim: {warning}"))
                .await;
        }
    }
}
