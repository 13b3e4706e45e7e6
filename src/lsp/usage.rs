//! Owns keeping each folder's reverse index of quotations ([`UsageIndex`]) filled: open drafts are recorded
//! from each of their analyses; drafts not open are read from disk and checked in the background, one at a
//! time on the blocking pool (a queue per folder: a whole folder after indexing or a settings change, the
//! drafts quoting a source after that source changed, a draft after its file changed or its buffer closed).
//! Each check replaces that draft's entries only. Requests read the index as it is (a scan still running
//! gives partial answers).
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::folders::{draft_key, uri_to_path, Folder};
use super::state::Server;
use crate::engine::usage::DraftUsages;
use crate::engine::{Parallelism, TextFormat, UsageIndex};
use crate::workspace::read_text;

/// Queues every draft of the folder (after its sources were indexed, or its settings changed); drafts no
/// longer discovered are dropped from the index.
pub fn scan_folder(server: &Arc<Server>, folder: &Arc<Folder>) {
    let (server, folder) = (server.clone(), folder.clone());
    let scan = folder.usage.scans.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::task::spawn_blocking(move || {
        let drafts = folder.workspace().discover_drafts();
        if folder.usage.scans.load(Ordering::SeqCst) != scan {
            return;
        }
        let keep: std::collections::HashSet<String> = drafts.iter().map(|p| draft_key(p)).collect();
        let open = open_drafts(&server, &folder);
        folder
            .usage
            .index
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|key| keep.contains(key) || open.iter().any(|o| o == key));
        enqueue(&server, &folder, drafts);
        folder.usage.settled.store(true, Ordering::SeqCst);
    });
}

/// Queues the drafts not open that quote one of `sources` (source keys), after those sources changed.
pub fn sources_changed(server: &Arc<Server>, folder: &Arc<Folder>, sources: &[String]) {
    let drafts: Vec<PathBuf> = {
        let index = folder.usage.index();
        let mut drafts: Vec<PathBuf> = sources
            .iter()
            .flat_map(|source| index.drafts_quoting(source))
            .map(PathBuf::from)
            .collect();
        drafts.sort();
        drafts.dedup();
        drafts
    };
    enqueue(server, folder, drafts);
}

/// Queues one draft file (changed on disk, or its buffer closed); a removed file leaves the index.
pub fn draft_changed(server: &Arc<Server>, folder: &Arc<Folder>, path: &Path, removed: bool) {
    if removed {
        folder.usage.remove(&draft_key(path));
    } else {
        enqueue(server, folder, vec![path.to_path_buf()]);
    }
}

/// The keys of the folder's drafts open in the editor (the buffer, not the file, is their truth).
fn open_drafts(server: &Server, folder: &Arc<Folder>) -> Vec<String> {
    server
        .docs
        .uris()
        .iter()
        .filter_map(uri_to_path)
        .filter(|path| {
            server
                .folders
                .for_path(path)
                .is_some_and(|f| Arc::ptr_eq(&f, folder))
        })
        .map(|path| draft_key(&path))
        .collect()
}

/// Adds drafts to the folder's queue and starts its worker unless one runs.
fn enqueue(server: &Arc<Server>, folder: &Arc<Folder>, drafts: Vec<PathBuf>) {
    if drafts.is_empty() {
        return;
    }
    folder
        .usage
        .queue
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .extend(drafts);
    if folder.usage.working.swap(true, Ordering::SeqCst) {
        return;
    }
    let failed = folder.clone();
    let (server, folder) = (server.clone(), folder.clone());
    let runtime = tokio::runtime::Handle::current();
    let worker = move || {
        let _runtime = runtime.enter();
        lower_priority();
        loop {
            let next = {
                let mut queue = folder.usage.queue.lock().unwrap_or_else(|p| p.into_inner());
                let next = queue.pop_first();
                if next.is_none() {
                    // Under the queue's lock: an enqueue after this sees no worker and starts one.
                    folder.usage.working.store(false, Ordering::SeqCst);
                }
                next
            };
            let Some(path) = next else {
                refresh_lenses(&server);
                break;
            };
            if server.is_shut_down() {
                continue;
            }
            // A writer typing comes first: this waits for a pause in the open drafts' checks.
            server.wait_until_quiet(QUIET, PATIENCE);
            check_closed_draft(&server, &folder, &path);
            server.note_check();
        }
    };
    let spawned = std::thread::Builder::new()
        .name("verbatim-usage".into())
        .spawn(worker);
    if let Err(error) = spawned {
        tracing::error!("cannot start the background check of drafts: {error}");
        failed.usage.working.store(false, Ordering::SeqCst);
    }
}

/// How long the open drafts' checks must have been idle before the next draft not open is checked …
const QUIET: std::time::Duration = std::time::Duration::from_millis(250);

/// … waiting at most this long (a writer typing without pause slows the background checks, never stops them).
const PATIENCE: std::time::Duration = std::time::Duration::from_secs(2);

/// Background checks run at a lower scheduling priority than the editor's requests (Linux: the thread's
/// nice value).
fn lower_priority() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: changes this thread's own nice value; no memory is touched.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}

/// Asks the client to fetch code lenses again (a source's counts changed), when it can be asked.
fn refresh_lenses(server: &Arc<Server>) {
    let caps = server.caps();
    if !(caps.code_lens && caps.code_lens_refresh) || server.is_shut_down() {
        return;
    }
    let server = server.clone();
    tokio::spawn(async move {
        let refresh = server.client.code_lens_refresh();
        let _ = server.ask("workspace/codeLens/refresh", refresh).await;
    });
}

/// Reads and checks one draft that is not open, and records it (open drafts are recorded by their analyses).
fn check_closed_draft(server: &Server, folder: &Folder, path: &Path) {
    let key = draft_key(path);
    let is_open = || {
        server
            .docs
            .uris()
            .iter()
            .any(|uri| uri_to_path(uri).is_some_and(|p| p == path))
    };
    if is_open() || !folder.is_ready() {
        return;
    }
    let workspace = folder.workspace();
    if !workspace.is_draft(path) {
        folder.usage.remove(&key);
        return;
    }
    let Ok((text, _)) = read_text(path) else {
        folder.usage.remove(&key);
        return;
    };
    let format = TextFormat::from_path(&key);
    let corpus = folder.corpus();
    let check = std::panic::AssertUnwindSafe(|| {
        // On this thread alone: the pass runs at a low priority and must leave the cores to open drafts.
        corpus.check_draft_with(&text, format, &workspace.config.engine, Parallelism::Serial)
    });
    let Ok(findings) = std::panic::catch_unwind(check) else {
        tracing::error!("the engine panicked while checking {}", path.display());
        return;
    };
    let (usages, unsourced) = UsageIndex::usages_of(&corpus, &findings);
    drop(corpus);
    // Opened meanwhile: its analysis (of the buffer) is the truth, not the file.
    if is_open() {
        return;
    }
    folder.usage.record(
        &key,
        DraftUsages {
            text: text.into(),
            format,
            usages,
            unsourced,
        },
    );
}
