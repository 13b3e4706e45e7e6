//! The shared archive from the editor: after a draft's local verdicts are published, its quotes that no local
//! source verifies, and the windows of its prose outside quotations (for uncredited copying, when
//! `reuse.enabled`), are looked up in the folder's archive (`archive.url`) on a task of their own; the articles
//! found join the folder's corpus as sources and the draft is checked again, so the verdict is refined when
//! the archive answers and a keystroke never waits for it. An unreachable or slow archive costs one warning,
//! then reconnects with backoff; every query is bounded by the archive's statement timeout.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dashmap::DashMap;

use super::document::Analysis;
use super::folders::Folder;
use crate::archive::search::{prose_window_shingles, quote_shingles};
use crate::archive::{Archive, ArchiveError, ErrorKind, Resolved};
use crate::engine::Verdict;
use crate::workspace::archive_files::{archive_target, ARCHIVE_URL_VARIABLE};

/// Quotes and prose windows remembered as asked about, per folder.
const MAX_LOOKED_UP: usize = 20_000;

/// Longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Where a folder's archive connection string came from: the environment variable wins over the settings,
/// as for `verbatim check`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ArchiveUrl {
    Environment(String),
    Settings(String),
}

impl ArchiveUrl {
    /// Where to connect, or why not.
    fn target(&self) -> Result<Resolved, ArchiveError> {
        match self {
            ArchiveUrl::Environment(given) => archive_target(Some(given), None),
            ArchiveUrl::Settings(setting) => archive_target(None, Some(setting)),
        }?
        .ok_or_else(|| ArchiveError::new(ErrorKind::Settings, "archive.url is empty"))
    }
}

/// One folder's link to its archive.
struct Link {
    /// The connection string and where it came from; a settings change makes a new link.
    url: ArchiveUrl,
    connection: tokio::sync::Mutex<Option<Archive>>,
    /// No attempt before this instant after a failure; the backoff doubles with each failure.
    retry: Mutex<(Instant, Duration)>,
    /// Whether the user was told the archive is unreachable (once per outage).
    warned: Mutex<bool>,
    /// Quotes and prose windows already looked up (by their shingles) → the corpus keys of the articles found
    /// for them.
    looked_up: Mutex<HashMap<Vec<u64>, Vec<String>>>,
}

/// The archive links of every folder.
#[derive(Default)]
pub struct ArchiveLinks {
    links: DashMap<PathBuf, Arc<Link>>,
}

impl ArchiveLinks {
    fn link(&self, folder: &Folder) -> Option<Arc<Link>> {
        // The environment variable wins over the settings, as for `verbatim check`.
        let url = std::env::var(ARCHIVE_URL_VARIABLE)
            .ok()
            .filter(|url| !url.trim().is_empty())
            .map(ArchiveUrl::Environment)
            .or_else(|| {
                folder
                    .workspace()
                    .config
                    .archive_url
                    .clone()
                    .map(ArchiveUrl::Settings)
            });
        let Some(url) = url else {
            self.links.remove(&folder.root);
            return None;
        };
        if let Some(link) = self.links.get(&folder.root) {
            if link.url == url {
                return Some(link.clone());
            }
        }
        let link = Arc::new(Link {
            url,
            connection: tokio::sync::Mutex::new(None),
            retry: Mutex::new((Instant::now(), Duration::from_millis(500))),
            warned: Mutex::new(false),
            looked_up: Mutex::new(HashMap::new()),
        });
        self.links.insert(folder.root.clone(), link.clone());
        Some(link)
    }
}

/// A lookup to run for one draft: its quotes that no local source verifies and its prose windows, not yet asked
/// for.
pub struct Lookup {
    folder: Arc<Folder>,
    link: Arc<Link>,
    /// The quotes' shingles.
    wanted: Vec<Vec<u64>>,
    /// The prose windows' shingles.
    windows: Vec<Vec<u64>>,
}

/// What a lookup did, for the server to act on (messages to show, a re-check to start).
#[derive(Default)]
pub struct LookupReport {
    /// Articles that joined the folder's corpus: the folder's drafts need checking again.
    pub added: usize,
    /// The archive answers again after an outage the user was told about.
    pub reachable_again: Option<String>,
    /// The first failure of an outage (later ones are only logged).
    pub warning: Option<String>,
}

impl ArchiveLinks {
    /// The lookup `analysis` needs in its folder's archive, if the folder has one and some quote that no local
    /// source verifies, or some window of prose, was not asked for yet (or what was found for it has left the
    /// corpus). An edit changes the windows of its paragraph only, so only they are asked about again.
    pub fn lookup_for(&self, folder: &Arc<Folder>, analysis: &Analysis) -> Option<Lookup> {
        let link = self.link(folder)?;
        let text = &analysis.text;
        let (wanted, windows): (Vec<Vec<u64>>, Vec<Vec<u64>>) = {
            let corpus = folder.corpus();
            let looked_up = link.looked_up.lock().unwrap_or_else(|p| p.into_inner());
            let not_asked = |shingles: &Vec<u64>| match looked_up.get(shingles) {
                None => true,
                // Asked before: again only if a re-index dropped what was found.
                Some(keys) => keys.iter().any(|key| corpus.source_id(key).is_none()),
            };
            let reuse = &analysis.workspace.config.reuse;
            let mut windows: Vec<Vec<u64>> = if reuse.enabled {
                prose_window_shingles(text, analysis.format, reuse.min_words)
                    .into_iter()
                    .filter(not_asked)
                    .collect()
            } else {
                Vec::new()
            };
            windows.sort_unstable();
            windows.dedup();
            let wanted = analysis
                .findings
                .iter()
                // An uncredited copy is already found in a local source: nothing to ask the archive.
                .filter(|f| {
                    !matches!(f.verdict, Verdict::Verified | Verdict::Uncredited)
                        && !f.quote.ignored
                })
                .map(|f| quote_shingles(text, &f.quote.segments))
                .filter(|shingles| !shingles.is_empty())
                .filter(not_asked)
                .collect();
            (wanted, windows)
        };
        (!wanted.is_empty() || !windows.is_empty()).then(|| Lookup {
            folder: folder.clone(),
            link,
            wanted,
            windows,
        })
    }
}

impl Lookup {
    /// The lookup in two, the quotes' first: a draft's prose windows are many more shingles than its quotes
    /// (at a million articles its whole prose takes about twice as long as its quotes to look up), and a quote's
    /// refined verdict should not wait for them.
    pub fn quotes_first(self) -> (Lookup, Option<Lookup>) {
        if self.wanted.is_empty() || self.windows.is_empty() {
            return (self, None);
        }
        let prose = Lookup {
            folder: self.folder.clone(),
            link: self.link.clone(),
            wanted: Vec::new(),
            windows: self.windows,
        };
        let quotes = Lookup {
            windows: Vec::new(),
            ..self
        };
        (quotes, Some(prose))
    }

    /// Asks the archive (unless a backoff after a failure is running); the articles found join the folder's
    /// corpus.
    pub async fn run(self) -> LookupReport {
        let Lookup {
            folder,
            link,
            wanted,
            windows,
        } = self;
        let mut report = LookupReport::default();
        {
            let retry = link.retry.lock().unwrap_or_else(|p| p.into_inner());
            if Instant::now() < retry.0 {
                return report;
            }
        }
        let mut connection = link.connection.lock().await;
        let found = match lookup_on(&mut connection, &link.url, &wanted, &windows).await {
            Ok(found) => {
                *link.retry.lock().unwrap_or_else(|p| p.into_inner()) =
                    (Instant::now(), Duration::from_millis(500));
                let was_warned = std::mem::replace(
                    &mut *link.warned.lock().unwrap_or_else(|p| p.into_inner()),
                    false,
                );
                if was_warned {
                    report.reachable_again =
                        Some("verbatim: the archive is reachable again".into());
                }
                found
            }
            Err(error) => {
                // A broken connection is dropped and made again after the backoff.
                *connection = None;
                drop(connection);
                let permanent =
                    error.kind == ErrorKind::Settings || error.kind == ErrorKind::Schema;
                let wait = {
                    let mut retry = link.retry.lock().unwrap_or_else(|p| p.into_inner());
                    let wait = if permanent { MAX_BACKOFF } else { retry.1 };
                    *retry = (Instant::now() + wait, (retry.1 * 2).min(MAX_BACKOFF));
                    wait
                };
                let first = !std::mem::replace(
                    &mut *link.warned.lock().unwrap_or_else(|p| p.into_inner()),
                    true,
                );
                let message = format!(
                    "verbatim: the archive could not be used, so quotes are checked against local sources only: \
                     {} (trying again in {} s)",
                    error.message,
                    wait.as_secs().max(1)
                );
                tracing::warn!("{message}");
                if first {
                    report.warning = Some(message);
                }
                return report;
            }
        };
        let (per_quote, articles) = found;
        // New articles are read on the blocking pool, in parallel, with no lock on the corpus held.
        let fresh: Vec<_> = {
            let corpus = folder.corpus();
            articles
                .into_iter()
                .filter(|article| corpus.source_id(&article.corpus_key()).is_none())
                .collect()
        };
        let prepared = tokio::task::spawn_blocking(move || {
            use rayon::prelude::*;
            fresh
                .into_par_iter()
                .map(crate::archive::ArchivedArticle::prepare)
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        {
            let mut corpus = folder.corpus_mut();
            for source in prepared {
                if corpus.source_id(source.key()).is_none() {
                    corpus.insert_prepared(source);
                    report.added += 1;
                }
            }
        }
        {
            let mut looked_up = link.looked_up.lock().unwrap_or_else(|p| p.into_inner());
            // Every edit of a paragraph asks about its new windows: a long day of typing would keep them all.
            // Past a bound the record starts again (what is asked again is answered again, nothing is lost).
            if looked_up.len() > MAX_LOOKED_UP {
                looked_up.clear();
            }
            for (shingles, keys) in wanted.into_iter().chain(windows).zip(per_quote) {
                looked_up.insert(shingles, keys);
            }
        }
        if report.added > 0 {
            tracing::debug!(
                "{} articles from the archive joined {}",
                report.added,
                folder.root.display()
            );
        }
        report
    }
}

/// The corpus keys found for each quote, then each prose window, and the articles to add.
type Found = (Vec<Vec<String>>, Vec<crate::archive::ArchivedArticle>);

async fn lookup_on(
    connection: &mut Option<Archive>,
    url: &ArchiveUrl,
    wanted: &[Vec<u64>],
    windows: &[Vec<u64>],
) -> Result<Found, ArchiveError> {
    if connection.is_none() {
        let target = url.target()?;
        *connection = Some(Archive::open_for_lookups(&target).await?);
    }
    let archive = connection.as_ref().expect("connected above");
    let (candidates, articles) = archive.candidate_articles(wanted, windows).await?;
    let key_of: HashMap<i32, String> = articles.iter().map(|a| (a.id, a.corpus_key())).collect();
    let per_quote = candidates
        .iter()
        .map(|list| {
            list.iter()
                .filter_map(|c| key_of.get(&c.article).cloned())
                .collect()
        })
        .collect();
    Ok((per_quote, articles))
}
