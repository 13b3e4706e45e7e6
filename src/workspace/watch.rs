//! Server-side file watcher fallback (owned by the language server): watches workspace roots with `notify`
//! for clients that cannot watch files themselves, and reports which files were created, changed or removed.
//! It knows nothing of sources or drafts; the caller filters the paths.
use std::path::{Path, PathBuf};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// What happened to a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileEvent {
    /// Created or changed: read it again.
    Changed,
    /// Removed (or renamed away).
    Removed,
}

/// A recursive watcher over any number of roots; dropping it stops watching.
pub struct FileWatcher {
    watcher: RecommendedWatcher,
    roots: Vec<PathBuf>,
}

impl FileWatcher {
    /// Starts a watcher that calls `on_change` (on the watcher's own thread) with each batch of file events.
    pub fn new(
        on_change: impl Fn(Vec<(PathBuf, FileEvent)>) + Send + 'static,
    ) -> notify::Result<FileWatcher> {
        let watcher = notify::recommended_watcher(move |result: notify::Result<notify::Event>| {
            let Ok(event) = result else { return };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            let changes: Vec<(PathBuf, FileEvent)> = event
                .paths
                .into_iter()
                .filter(|path| !path.is_dir())
                .map(|path| {
                    // The file's state now says more than the event's kind (renames report both ends).
                    let what = if path.is_file() {
                        FileEvent::Changed
                    } else {
                        FileEvent::Removed
                    };
                    (path, what)
                })
                .collect();
            if !changes.is_empty() {
                on_change(changes);
            }
        })?;
        Ok(FileWatcher {
            watcher,
            roots: Vec::new(),
        })
    }

    /// Watches `root` and everything below it (once, however often it is asked).
    pub fn watch(&mut self, root: &Path) -> notify::Result<()> {
        if self.roots.iter().any(|r| r == root) {
            return Ok(());
        }
        self.watcher.watch(root, RecursiveMode::Recursive)?;
        self.roots.push(root.to_path_buf());
        Ok(())
    }

    /// Stops watching `root`.
    pub fn unwatch(&mut self, root: &Path) {
        if let Some(i) = self.roots.iter().position(|r| r == root) {
            self.roots.remove(i);
            let _ = self.watcher.unwatch(root);
        }
    }

    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    #[test]
    fn reports_changed_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let (tx, rx) = mpsc::channel();
        let mut watcher = FileWatcher::new(move |changes| {
            let _ = tx.send(changes);
        })
        .unwrap();
        watcher.watch(&root).unwrap();
        watcher.watch(&root).unwrap();
        assert_eq!(watcher.roots().len(), 1);
        let file = root.join("a.md");
        std::fs::write(&file, "hello").unwrap();
        let wait_for = |what: FileEvent| {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while std::time::Instant::now() < deadline {
                if let Ok(changes) = rx.recv_timeout(Duration::from_millis(200)) {
                    if changes.iter().any(|(p, w)| p == &file && *w == what) {
                        return true;
                    }
                }
            }
            false
        };
        assert!(wait_for(FileEvent::Changed));
        std::fs::remove_file(&file).unwrap();
        assert!(wait_for(FileEvent::Removed));
    }
}
