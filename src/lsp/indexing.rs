//! Owns keeping each folder's index of sources fresh: the first indexing in the background with `$/progress`,
//! file watching (the client's `workspace/didChangeWatchedFiles` when it can register it, else the server-side
//! [`FileWatcher`]), updating only the sources that changed, and applying settings changes without a restart.
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::ls_types::{
    ConfigurationItem, DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    MessageType, NumberOrString, OneOf, Registration, RelativePattern, Unregistration,
};

use super::folders::{canonical, Folder};
use super::state::{Role, Server};
use crate::config::RawSettings;
use crate::engine::Corpus;
use crate::workspace::formats::content_from_buffer;
use crate::workspace::watch::{FileEvent, FileWatcher};
use crate::workspace::{is_marked_root, read_source, source_key, Workspace, CONFIG_FILE};

const WATCH_REGISTRATION: &str = "verbatim/watch-sources";
const CONFIGURATION_REGISTRATION: &str = "verbatim/configuration";

/// Indexes a folder's sources on the blocking pool, reporting `$/progress` when the client allows it, then
/// re-checks the folder's open drafts. A newer run for the same folder makes this one give way.
pub async fn index_folder(server: Arc<Server>, folder: Arc<Folder>) {
    let run = folder
        .index_run
        .fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        + 1;
    let workspace = folder.workspace();
    let progress = begin_progress(&server, &folder).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(usize, usize)>();
    let task = tokio::task::spawn_blocking(move || {
        let paths = workspace.discover_sources();
        let _ = tx.send((0, paths.len()));
        let mut corpus = Corpus::new();
        let report = |done: usize, total: usize| {
            let _ = tx.send((done, total));
        };
        let (messages, restored) = workspace.load_sources_trusting(&mut corpus, &paths, &report);
        (corpus, messages, paths.len(), restored)
    });
    let mut last_percent = None;
    while let Some((done, total)) = rx.recv().await {
        let percent = (done * 100).checked_div(total).unwrap_or(100) as u32;
        if last_percent != Some(percent) {
            last_percent = Some(percent);
            if let Some(progress) = &progress {
                progress
                    .report_with_message(format!("{done}/{total} sources"), percent)
                    .await;
            }
        }
    }
    let outcome = task.await;
    let superseded = folder.index_run.load(std::sync::atomic::Ordering::SeqCst) != run;
    let Ok((mut corpus, messages, count, restored)) = outcome else {
        if let Some(progress) = progress {
            progress.finish_with_message("indexing failed").await;
        }
        server
            .client
            .show_message(MessageType::ERROR, "verbatim: indexing the sources failed")
            .await;
        return;
    };
    if superseded {
        if let Some(progress) = progress {
            progress.finish_with_message("restarted").await;
        }
        return;
    }
    // Open source buffers win over the files on disk; the versions put in are recorded with the corpus swap,
    // so that a buffer edited meanwhile is found ahead of the corpus and applied again (`Server::sync_source`).
    let mut buffers = Vec::new();
    for uri in server.docs.uris() {
        if let Role::Source(of, path) = server.role(&uri) {
            if Arc::ptr_eq(&of, &folder) {
                if let Some(snapshot) = server.docs.snapshot(&uri) {
                    let key = source_key(&path);
                    // A PDF or Word buffer is not the document: the file read from disk stays.
                    if let Some(content) = content_from_buffer(&key, snapshot.rope.to_string()) {
                        corpus.insert_prepared(content.prepare(&key));
                    }
                    buffers.push((server.source_sync(&uri), snapshot.version));
                }
            }
        }
    }
    let drafts: Vec<_> = server
        .docs
        .uris()
        .into_iter()
        .filter(|uri| matches!(server.role(uri), Role::Draft(of) if Arc::ptr_eq(&of, &folder)))
        .collect();
    {
        let mut slot = folder.corpus_mut();
        *slot = corpus;
        for (sync, version) in buffers {
            sync.set_applied(version);
        }
        // No verdict cached against the old corpus may be reused (its source ids and statistics are gone);
        // cleared under the write lock, so that no check can fill a cache from the old corpus meanwhile.
        for uri in &drafts {
            server.docs.clear_cache(uri);
        }
    }
    folder.set_ready(true);
    server.bump_epoch();
    if let Some(progress) = progress {
        progress
            .finish_with_message(format!("{count} sources"))
            .await;
    }
    for message in messages {
        server
            .client
            .log_message(MessageType::WARNING, format!("verbatim: {message}"))
            .await;
    }
    tracing::info!("indexed {count} sources in {}", folder.root.display());
    server.recheck(Some(&folder));
    // Sources restored from the snapshot on trust (size, mtime) are checked against their content hashes
    // in the background; then a large workspace keeps a snapshot of its index for the next start.
    let (checking, checker) = (folder, server);
    tokio::spawn(async move {
        let verify = checking.clone();
        let changed = tokio::task::spawn_blocking(move || verify_restored(&verify, &restored))
            .await
            .unwrap_or(false);
        if changed {
            checker.bump_epoch();
            checker.recheck(Some(&checking));
        }
        tokio::task::spawn_blocking(move || save_snapshot(&checking));
    });
}

/// Checks the sources restored from a snapshot against their files' content hashes (files read without any
/// lock) and indexes again those that changed; true when any did.
fn verify_restored(folder: &Folder, restored: &crate::workspace::Restored) -> bool {
    if restored.sources.is_empty() {
        return false;
    }
    let workspace = folder.workspace();
    // On one thread: the other core stays free for the editor's requests meanwhile.
    let (hashes, intact) = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool.install(|| workspace.hash_restored(restored)),
        Err(_) => workspace.hash_restored(restored),
    };
    let stale = folder.corpus().stale_sources(&hashes, intact);
    // Nothing changed (the usual warm start): no write lock, which would wait for the checks running.
    if stale.is_empty() {
        return false;
    }
    let reloaded = workspace.reload_sources(&stale);
    for message in crate::workspace::apply_reloaded(&mut folder.corpus_mut(), reloaded) {
        tracing::warn!("{message}");
    }
    true
}

/// Writes the folder's index snapshot to the cache directory when it is worth it (see
/// `Workspace::write_snapshot`). The snapshot is streamed under the read lock (requests only read; a source
/// change waits for it). Failures are logged, never shown: the cache is an optimisation.
fn save_snapshot(folder: &Folder) {
    let workspace = folder.workspace();
    let written = workspace.write_snapshot(&folder.corpus());
    match written {
        Ok(Some(generation)) => {
            folder.corpus_mut().mark_saved_at(generation);
            tracing::info!("index snapshot written for {}", folder.root.display());
        }
        Ok(None) => {}
        Err(error) => tracing::warn!("cannot write the index snapshot: {error}"),
    }
}

type Ongoing =
    tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::NotCancellable>;

async fn begin_progress(server: &Server, folder: &Folder) -> Option<Ongoing> {
    if !server.caps().work_done_progress {
        return None;
    }
    let token = NumberOrString::String(format!("verbatim/index/{}", server.next_token()));
    let create = server.client.create_work_done_progress(token.clone());
    match server.ask("window/workDoneProgress/create", create).await {
        Some(Ok(())) => {}
        // Refused or unanswered: indexing goes on without progress.
        Some(Err(_)) | None => return None,
    }
    let name = folder
        .root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Some(
        server
            .client
            .progress(token, format!("Indexing sources of {name}"))
            .with_percentage(0)
            .begin()
            .await,
    )
}

/// Pulls the `verbatim` section of every folder with `workspace/configuration` (when the client has it).
pub async fn pull_configuration(server: &Server) {
    if !server.caps().configuration {
        return;
    }
    let folders: Vec<Arc<Folder>> = server
        .folders
        .all()
        .into_iter()
        .filter(|f| !f.implicit)
        .collect();
    let mut items: Vec<ConfigurationItem> = folders
        .iter()
        .map(|f| ConfigurationItem {
            scope_uri: Some(f.uri.clone()),
            section: Some("verbatim".to_string()),
        })
        .collect();
    if items.is_empty() {
        items.push(ConfigurationItem {
            scope_uri: None,
            section: Some("verbatim".to_string()),
        });
    }
    let asked = server.client.configuration(items);
    let Some(answer) = server.ask("workspace/configuration", asked).await else {
        // Unanswered: the settings already known (the defaults, at first) stay in force.
        return;
    };
    match answer {
        Ok(values) => {
            let mut warnings = Vec::new();
            let fallback = values.first().cloned().unwrap_or(Value::Null);
            for folder in server.folders.all() {
                let index = folders.iter().position(|f| Arc::ptr_eq(f, &folder));
                let value = index
                    .and_then(|i| values.get(i).cloned())
                    .unwrap_or_else(|| fallback.clone());
                let (raw, found) = RawSettings::from_json(&value);
                warnings.extend(found);
                *folder.pulled.lock().unwrap_or_else(|p| p.into_inner()) = raw;
            }
            server.show_warnings(warnings).await;
        }
        Err(error) => tracing::warn!("workspace/configuration failed: {error}"),
    }
}

/// Applies the settings change numbered `turn` ([`Server::next_reconfiguration`]: a
/// `workspace/didChangeConfiguration`, or `verbatim.toml` changed on disk), unless a newer change arrived
/// meanwhile (the newer one does the work, for every folder). Changes are applied one at a time, in order:
/// the client is asked for its settings (when it can answer), then — nothing published from the moment they
/// are known ([`Server::settings_learnt`]) until they are applied — every folder re-reads `verbatim.toml` and
/// the editor's layers and the epoch moves; then the open drafts are re-checked (their folders re-indexed in
/// the background when the source globs changed).
pub async fn settings_changed(server: &Arc<Server>, turn: u64) {
    let serialized = server.reconfiguring.lock().await;
    if !server.is_latest_reconfiguration(turn) {
        return;
    }
    pull_configuration(server).await;
    /// Marks the settings applied however the work ends, so that publishing never stays held back.
    struct Applied<'a>(&'a Server, u64);
    impl Drop for Applied<'_> {
        fn drop(&mut self) {
            self.0.settings_applied(self.1);
        }
    }
    let applied = Applied(server, server.settings_learnt().await);
    let mut reindex = Vec::new();
    for folder in server.folders.all() {
        if apply_settings(server, &folder).await {
            reindex.push(folder);
        }
    }
    server.bump_epoch();
    drop(applied);
    drop(serialized);
    // Every draft: a publish held back while the change was pending is made now.
    server.recheck(None);
    if !reindex.is_empty() {
        register_watchers(server).await;
        for folder in reindex {
            tokio::spawn(index_folder(server.clone(), folder));
        }
    }
}

/// Gives a folder its settings anew (`verbatim.toml` and the editor's layers); true when its source globs
/// changed (its sources must be indexed again).
async fn apply_settings(server: &Arc<Server>, folder: &Arc<Folder>) -> bool {
    let pulled = folder
        .pulled
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let overlay = server.settings.overlay(&pulled);
    let root = folder.root.clone();
    let Ok(workspace) =
        tokio::task::spawn_blocking(move || Workspace::open_with(&root, &overlay)).await
    else {
        return false;
    };
    server.show_warnings(workspace.warnings.clone()).await;
    let old = folder.set_workspace(workspace);
    let new = folder.workspace();
    if old.config != new.config {
        server.docs.clear_caches();
    }
    old.config.sources != new.config.sources || old.config.exclude != new.config.exclude
}

/// Applies changed files: `verbatim.toml` is a settings change ([`settings_changed`]); a source is read again
/// (or dropped), unless it is open in the editor (the buffer wins). Open drafts of the touched folders are
/// re-checked.
pub async fn files_changed(server: &Arc<Server>, changes: Vec<(PathBuf, FileEvent)>) {
    let mut reconfigured = false;
    let mut touched: Vec<Arc<Folder>> = Vec::new();
    let open_paths: HashSet<PathBuf> = server
        .docs
        .uris()
        .iter()
        .filter_map(super::folders::uri_to_path)
        .collect();
    let mut updates = Vec::new();
    for (path, event) in changes {
        let path = canonical(&path);
        let Some(folder) = server.folders.for_path(&path) else {
            continue;
        };
        if folder.workspace().is_config_file(&path) {
            reconfigured = true;
            continue;
        }
        if !folder.workspace().is_source(&path) || open_paths.contains(&path) || !folder.is_ready()
        {
            continue;
        }
        updates.push((folder, path, event));
    }
    if reconfigured {
        let turn = server.next_reconfiguration();
        server.settings_learnt().await;
        settings_changed(server, turn).await;
    }
    // Also in a folder just reconfigured: a re-index it started reads the files anew anyway.
    if updates.is_empty() {
        return;
    }
    let read = tokio::task::spawn_blocking(move || {
        updates
            .into_iter()
            .map(|(folder, path, event)| {
                let text = match event {
                    FileEvent::Changed => read_source(&path).ok(),
                    FileEvent::Removed => None,
                };
                (folder, path, text)
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap_or_default();
    for (folder, path, text) in read {
        let key = source_key(&path);
        {
            let mut corpus = folder.corpus_mut();
            match text {
                Some(content) => {
                    corpus.insert_prepared(content.prepare(&key));
                }
                None => {
                    corpus.remove_source(&key);
                }
            }
        }
        if !touched.iter().any(|f| Arc::ptr_eq(f, &folder)) {
            touched.push(folder);
        }
    }
    server.bump_epoch();
    for folder in &touched {
        server.recheck(Some(folder));
    }
}

/// Registers `workspace/didChangeWatchedFiles` for every folder's source globs and `verbatim.toml`, or starts
/// the server-side watcher when the client cannot watch files.
pub async fn register_watchers(server: &Arc<Server>) {
    if server.is_shut_down() {
        return;
    }
    let folders = server.folders.all();
    if !server.caps().watch_files {
        start_fallback_watcher(server, &folders);
        return;
    }
    let relative = server.caps().watch_relative_patterns;
    let mut watchers = Vec::new();
    for folder in &folders {
        let mut globs = folder.workspace().config.sources.clone();
        globs.push(CONFIG_FILE.to_string());
        for glob in globs {
            let glob_pattern = if relative {
                GlobPattern::Relative(RelativePattern {
                    base_uri: OneOf::Right(folder.uri.clone()),
                    pattern: glob,
                })
            } else {
                let root = folder.root.to_string_lossy().replace('\\', "/");
                GlobPattern::String(format!("{}/{}", root.trim_end_matches('/'), glob))
            };
            watchers.push(FileSystemWatcher {
                glob_pattern,
                kind: None,
            });
        }
    }
    let unregister = server.client.unregister_capability(vec![Unregistration {
        id: WATCH_REGISTRATION.to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
    }]);
    let _ = server.ask("client/unregisterCapability", unregister).await;
    let options = DidChangeWatchedFilesRegistrationOptions { watchers };
    let registration = Registration {
        id: WATCH_REGISTRATION.to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: serde_json::to_value(options).ok(),
    };
    let register = server.client.register_capability(vec![registration]);
    match server.ask("client/registerCapability", register).await {
        Some(Ok(())) => {}
        Some(Err(error)) => {
            tracing::warn!(
                "the client refused to watch files ({error}); watching them in the server"
            );
            start_fallback_watcher(server, &folders);
        }
        None => {
            tracing::warn!(
                "the client did not answer the file watching registration; watching in the server"
            );
            start_fallback_watcher(server, &folders);
        }
    }
}

/// Asks the client to send `workspace/didChangeConfiguration` (clients that need the registration).
pub async fn register_configuration(server: &Server) {
    if !server.caps().configuration_registration {
        return;
    }
    let registration = Registration {
        id: CONFIGURATION_REGISTRATION.to_string(),
        method: "workspace/didChangeConfiguration".to_string(),
        register_options: Some(serde_json::json!({ "section": "verbatim" })),
    };
    let register = server.client.register_capability(vec![registration]);
    let _ = server.ask("client/registerCapability", register).await;
}

fn start_fallback_watcher(server: &Arc<Server>, folders: &[Arc<Folder>]) {
    let mut slot = server.watcher.lock().unwrap_or_else(|p| p.into_inner());
    if slot.is_none() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<(PathBuf, FileEvent)>>();
        match FileWatcher::new(move |changes| {
            let _ = tx.send(changes);
        }) {
            Ok(watcher) => *slot = Some(watcher),
            Err(error) => {
                tracing::warn!("cannot watch files: {error}");
                return;
            }
        }
        let server = server.clone();
        tokio::spawn(async move {
            while let Some(mut changes) = rx.recv().await {
                // Editors save in bursts: gather what arrives within a short while.
                tokio::time::sleep(Duration::from_millis(50)).await;
                while let Ok(more) = rx.try_recv() {
                    changes.extend(more);
                }
                // The last event for a path wins.
                let mut latest: Vec<(PathBuf, FileEvent)> = Vec::new();
                for (path, event) in changes {
                    latest.retain(|(p, _)| p != &path);
                    latest.push((path, event));
                }
                files_changed(&server, latest).await;
            }
        });
    }
    drop(slot);
    // Adding the watches walks every folder (one inotify watch per directory): on the blocking pool, so that at
    // 100,000 sources the walk runs beside the first indexing instead of before it.
    for folder in folders {
        // A folder made up for a lone file may be a home directory: watch it only when it looks like a
        // verbatim workspace.
        if folder.implicit && !is_marked_root(&folder.root) {
            continue;
        }
        let (server, folder) = (server.clone(), folder.clone());
        tokio::task::spawn_blocking(move || {
            // Not a folder removed (or a server shut down) meanwhile.
            let current = server.folders.all().iter().any(|f| Arc::ptr_eq(f, &folder));
            if !current || server.is_shut_down() {
                return;
            }
            let mut slot = server.watcher.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(watcher) = slot.as_mut() {
                if let Err(error) = watcher.watch(&folder.root) {
                    tracing::warn!("cannot watch {}: {error}", folder.root.display());
                }
            }
        });
    }
}
