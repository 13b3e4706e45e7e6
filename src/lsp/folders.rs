//! Owns the workspace folders the server knows: each one's [`Workspace`] (checked settings, source globs), its
//! [`Corpus`] of sources, whether its index is ready, and the conversions between `file:` URIs and paths.
//!
//! A folder comes from `workspaceFolders` (or `rootUri`), from `workspace/didChangeWorkspaceFolders`, or is made
//! up for a file opened outside every folder (its nearest ancestor with `verbatim.toml` or `sources/`).
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use tower_lsp_server::ls_types::Uri;

use crate::config::RawSettings;
use crate::engine::Corpus;
use crate::workspace::Workspace;

/// One workspace folder.
pub struct Folder {
    /// Canonical root.
    pub root: PathBuf,
    pub uri: Uri,
    /// True for a folder made up for a file opened on its own.
    pub implicit: bool,
    workspace: RwLock<Arc<Workspace>>,
    /// The `verbatim` section pulled with `workspace/configuration` for this folder.
    pub pulled: Mutex<RawSettings>,
    corpus: RwLock<Corpus>,
    ready: AtomicBool,
    /// Increments at each indexing run, so that an outdated run does not overwrite a newer one.
    pub index_run: AtomicU64,
}

impl Folder {
    pub fn new(root: &Path, implicit: bool, editor: &RawSettings) -> Folder {
        let workspace = Workspace::open_with(root, editor);
        let root = workspace.root.clone();
        let uri = path_to_uri(&root).unwrap_or_else(|| "file:///".parse().expect("a valid URI"));
        Folder {
            root,
            uri,
            implicit,
            workspace: RwLock::new(Arc::new(workspace)),
            pulled: Mutex::new(RawSettings::default()),
            corpus: RwLock::new(Corpus::new()),
            ready: AtomicBool::new(false),
            index_run: AtomicU64::new(0),
        }
    }

    pub fn workspace(&self) -> Arc<Workspace> {
        self.workspace
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_workspace(&self, workspace: Workspace) -> Arc<Workspace> {
        let workspace = Arc::new(workspace);
        let mut slot = self.workspace.write().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *slot, workspace)
    }

    pub fn corpus(&self) -> RwLockReadGuard<'_, Corpus> {
        self.corpus.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn corpus_mut(&self) -> RwLockWriteGuard<'_, Corpus> {
        self.corpus.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }

    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    pub fn contains(&self, path: &Path) -> bool {
        path.starts_with(&self.root)
    }
}

/// The folders, looked up by path (the deepest root containing it wins).
#[derive(Default)]
pub struct Folders {
    list: RwLock<Vec<Arc<Folder>>>,
}

impl Folders {
    pub fn all(&self) -> Vec<Arc<Folder>> {
        self.list.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Adds a folder unless one with the same root exists; returns the folder for that root and whether it is new.
    pub fn add(&self, folder: Folder) -> (Arc<Folder>, bool) {
        let mut list = self.list.write().unwrap_or_else(|p| p.into_inner());
        if let Some(existing) = list.iter().find(|f| f.root == folder.root) {
            return (existing.clone(), false);
        }
        let folder = Arc::new(folder);
        list.push(folder.clone());
        (folder, true)
    }

    pub fn remove(&self, root: &Path) -> Option<Arc<Folder>> {
        let mut list = self.list.write().unwrap_or_else(|p| p.into_inner());
        let index = list.iter().position(|f| f.root == root)?;
        Some(list.remove(index))
    }

    /// The folder holding `path`.
    pub fn for_path(&self, path: &Path) -> Option<Arc<Folder>> {
        self.all()
            .into_iter()
            .filter(|f| f.contains(path))
            .max_by_key(|f| f.root.components().count())
    }
}

/// The path of a `file:` URI, canonical when it exists (or when its parent does, for a removed file).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    if uri.scheme().as_str() != "file" {
        return None;
    }
    let path = uri.to_file_path()?.into_owned();
    Some(canonical(&path))
}

pub use crate::workspace::canonical;

pub fn path_to_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_paths_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a b é.md");
        std::fs::write(&file, "x").unwrap();
        let uri = path_to_uri(&file.canonicalize().unwrap()).unwrap();
        assert_eq!(uri_to_path(&uri).unwrap(), file.canonicalize().unwrap());
        // A removed file keeps its canonical parent.
        let gone = dir.path().join("gone.md");
        let uri = path_to_uri(&gone).unwrap();
        assert_eq!(
            uri_to_path(&uri).unwrap(),
            dir.path().canonicalize().unwrap().join("gone.md")
        );
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(uri_to_path(&untitled), None);
    }

    #[test]
    fn deepest_folder_wins() {
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("inner");
        std::fs::create_dir_all(&inner).unwrap();
        let folders = Folders::default();
        folders.add(Folder::new(dir.path(), false, &RawSettings::default()));
        let (_, new) = folders.add(Folder::new(&inner, false, &RawSettings::default()));
        assert!(new);
        let (_, new) = folders.add(Folder::new(&inner, false, &RawSettings::default()));
        assert!(!new);
        let file = inner.canonicalize().unwrap().join("x.md");
        assert_eq!(
            folders.for_path(&file).unwrap().root,
            inner.canonicalize().unwrap()
        );
        assert!(folders.for_path(Path::new("/elsewhere/x.md")).is_none());
    }
}
