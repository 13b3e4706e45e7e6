//! The files the archive commands read: the folders to ingest (walked without following links, hidden and
//! ignored files skipped), each file's bytes and content hash, and the PostgreSQL password and service files
//! a connection may need.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::archive::{ArchiveError, Credentials, Resolved, Target, UrlOrigin};

/// A file to ingest: where it is, its collection and its key within the collection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveInput {
    pub path: PathBuf,
    pub collection: String,
    pub key: String,
    /// Its size when it was listed (for progress).
    pub size: u64,
}

/// File names the archive ingests (every source format verbatim reads).
pub fn is_archivable(path: &Path) -> bool {
    let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    matches!(
        extension.to_ascii_lowercase().as_str(),
        "md" | "markdown"
            | "mdx"
            | "txt"
            | "text"
            | "html"
            | "htm"
            | "xhtml"
            | "pdf"
            | "srt"
            | "vtt"
            | "docx"
    )
}

/// Expands the paths given to `verbatim archive ingest`: a folder yields its archivable files (collection: the
/// folder's name unless `collection` is given; key: the path below the folder, with `/`), a file itself
/// (collection: its folder's name; key: its file name). Errors name the path that could not be read.
pub fn archive_inputs(
    paths: &[PathBuf],
    collection: Option<&str>,
) -> Result<Vec<ArchiveInput>, String> {
    let mut inputs = Vec::new();
    for path in paths {
        let metadata = fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let absolute = std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let name_of = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "archive".to_string())
        };
        if metadata.is_dir() {
            let collection = collection.map_or_else(|| name_of(&absolute), str::to_string);
            for entry in walkdir::WalkDir::new(&absolute)
                .follow_links(false)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|entry| {
                    entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
                })
            {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(error) => {
                        tracing::warn!("{error}");
                        continue;
                    }
                };
                if !entry.file_type().is_file() || !is_archivable(entry.path()) {
                    continue;
                }
                // A page saved with its assets (`page_files/`): the assets are not articles.
                if entry.path().ancestors().skip(1).any(|a| {
                    a.file_name()
                        .is_some_and(|n| n.to_string_lossy().ends_with("_files"))
                }) {
                    continue;
                }
                let relative = entry
                    .path()
                    .strip_prefix(&absolute)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                inputs.push(ArchiveInput {
                    path: entry.path().to_path_buf(),
                    collection: collection.clone(),
                    key: relative,
                    size: entry.metadata().map_or(0, |m| m.len()),
                });
            }
        } else if metadata.is_file() {
            let parent = absolute.parent().unwrap_or(Path::new("/"));
            inputs.push(ArchiveInput {
                path: absolute.clone(),
                collection: collection.map_or_else(|| name_of(parent), str::to_string),
                key: name_of(&absolute),
                size: metadata.len(),
            });
        } else {
            return Err(format!("{}: not a file or folder", path.display()));
        }
    }
    Ok(inputs)
}

/// Reads a file to ingest, refusing non-files and files over `limit` bytes.
pub fn read_archive_file(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let metadata = fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "not a regular file",
        ));
    }
    if metadata.len() > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{} MB is over the {} MB limit",
                metadata.len() >> 20,
                limit >> 20
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    io::Read::read_to_end(
        &mut io::Read::take(fs::File::open(path)?, limit + 1),
        &mut bytes,
    )?;
    if bytes.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the file grew over the size limit",
        ));
    }
    Ok(bytes)
}

/// The 128-bit content hash of a file's bytes, as the archive stores it.
pub fn content_hash(bytes: &[u8]) -> Vec<u8> {
    xxhash_rust::xxh3::xxh3_128(bytes).to_be_bytes().to_vec()
}

/// What libpq would read for a connection: the password file, the service files, the environment, and the
/// root certificate named by `root_certificate` (from the connection string or `PGSSLROOTCERT`).
pub fn postgres_credentials(
    environment: HashMap<String, String>,
    root_certificate: Option<&str>,
) -> Credentials {
    let home = environment.get("HOME").map(PathBuf::from);
    let read = |path: &Path| fs::read_to_string(path).ok();
    let pgpass = environment
        .get("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".pgpass")))
        .and_then(|path| read(&path));
    let mut service_files = Vec::new();
    let user_file = environment
        .get("PGSERVICEFILE")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".pg_service.conf")));
    service_files.extend(user_file.and_then(|path| read(&path)));
    let system_folder = environment
        .get("PGSYSCONFDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/postgresql-common"));
    service_files.extend(read(&system_folder.join("pg_service.conf")));
    let root_certificate = root_certificate.and_then(|path| {
        let path = match (path.strip_prefix("~/"), &home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        };
        fs::read(path).ok()
    });
    Credentials {
        pgpass,
        service_files,
        environment,
        root_certificate,
    }
}

/// The environment variable naming the archive (after `--url`, before `archive.url` in verbatim.toml).
pub const ARCHIVE_URL_VARIABLE: &str = "VERBATIM_ARCHIVE_URL";

/// The archive to use: `given` (a flag), else the environment variable, else `archive.url` from the settings
/// of the workspace around the current folder. `Ok(None)` when none is set.
pub fn archive_target(
    given: Option<&str>,
    settings_url: Option<&str>,
) -> Result<Option<Resolved>, ArchiveError> {
    let environment = Credentials::environment_from_process();
    let target = if let Some(url) = given {
        Target::parse(url, UrlOrigin::Given)?
    } else if let Ok(url) = std::env::var(ARCHIVE_URL_VARIABLE) {
        if url.trim().is_empty() {
            return Ok(None);
        }
        Target::parse(&url, UrlOrigin::Given)?
    } else if let Some(url) = settings_url.filter(|u| !u.trim().is_empty()) {
        Target::parse(url, UrlOrigin::SettingsFile)?
    } else {
        return Ok(None);
    };
    let root_certificate = target.root_certificate_path(&environment);
    let credentials = postgres_credentials(environment, root_certificate.as_deref());
    target.resolve(&credentials).map(Some)
}
