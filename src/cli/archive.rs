//! `verbatim archive init|ingest|stats|remove`, and the archive side of `verbatim check --archive`: which
//! archive (flag, `VERBATIM_ARCHIVE_URL`, `archive.url`), progress on a terminal or plain lines, and the
//! quotes' candidates fetched from the archive into the corpus before the drafts are checked.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::archive::search::{prose_window_shingles, quote_shingles};
use crate::archive::{
    Archive, ArchiveError, ArchivedArticle, Ingest, IngestSummary, NewArticle, Resolved,
    INGEST_TIMEOUT, LOOKUP_TIMEOUT,
};
use crate::engine::reuse::ReuseSettings;
use crate::engine::{find_quotes, Corpus, EngineSettings, TextFormat};
use crate::workspace::archive_files::{
    archive_inputs, content_hash, read_archive_file, ArchiveInput,
};
pub use crate::workspace::archive_files::{archive_target, ARCHIVE_URL_VARIABLE};
use crate::workspace::Workspace;

/// Largest file `archive ingest` reads.
const MAX_INGEST_BYTES: u64 = 64 << 20;

/// `verbatim archive …`
#[derive(Clone, Debug, clap::Subcommand)]
pub enum ArchiveCommand {
    /// Create the archive's tables, or upgrade them (idempotent; needs a role that may create tables).
    Init(UrlArgs),
    /// Add files or folders of sources to the archive (unchanged files are skipped).
    Ingest(IngestArgs),
    /// Print what the archive holds and how much space it takes.
    Stats(StatsArgs),
    /// Remove a collection, or some of its articles, from the archive.
    Remove(RemoveArgs),
}

#[derive(Clone, Debug, clap::Args)]
pub struct UrlArgs {
    /// The archive's connection string (postgresql://… or key=value); default: $VERBATIM_ARCHIVE_URL, then
    /// archive.url in verbatim.toml. Passwords come from PGPASSWORD, ~/.pgpass or a service file.
    #[arg(long)]
    pub url: Option<String>,
}

#[derive(Clone, Debug, clap::Args)]
pub struct IngestArgs {
    /// Files or folders to ingest.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub url: UrlArgs,
    /// The collection the articles belong to (default: the folder's name).
    #[arg(long)]
    pub collection: Option<String>,
    /// Remove the collection's articles whose files are no longer under the paths given.
    #[arg(long)]
    pub delete_missing: bool,
    /// Plain progress lines instead of a progress bar, even on a terminal.
    #[arg(long)]
    pub plain: bool,
}

#[derive(Clone, Debug, clap::Args)]
pub struct StatsArgs {
    #[command(flatten)]
    pub url: UrlArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Debug, clap::Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub url: UrlArgs,
    /// The collection to remove from.
    #[arg(long, required = true)]
    pub collection: String,
    /// Keys (paths within the collection) to remove; none removes the whole collection.
    pub keys: Vec<String>,
}

/// The archive named by `--url` or the defaults, or a message saying how to name one.
fn require_target(args: &UrlArgs) -> Result<Resolved, String> {
    let settings_url = std::env::current_dir()
        .ok()
        .map(|folder| Workspace::open(&crate::workspace::root_for(&folder)))
        .and_then(|workspace| workspace.config.archive_url.clone());
    match archive_target(args.url.as_deref(), settings_url.as_deref()) {
        Ok(Some(target)) => Ok(target),
        Ok(None) => Err(format!(
            "no archive given: pass --url, set {ARCHIVE_URL_VARIABLE}, or set archive.url in verbatim.toml"
        )),
        Err(error) => Err(error.message),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime starts")
}

/// Runs one `verbatim archive` command; exit 0, or 2 with a message on stderr.
pub fn run(command: &ArchiveCommand) -> ExitCode {
    let result = match command {
        ArchiveCommand::Init(args) => init(args),
        ArchiveCommand::Ingest(args) => ingest(args),
        ArchiveCommand::Stats(args) => stats(args),
        ArchiveCommand::Remove(args) => remove(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("verbatim: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn init(args: &UrlArgs) -> Result<(), String> {
    let target = require_target(args)?;
    runtime().block_on(async {
        let mut client = target
            .connect(INGEST_TIMEOUT)
            .await
            .map_err(|e| e.message)?;
        let report = crate::archive::schema::migrate(&mut client)
            .await
            .map_err(|e| e.message)?;
        if report.applied.is_empty() {
            eprintln!(
                "verbatim: the archive at {} is up to date (schema version {})",
                target.display(),
                report.version
            );
        } else {
            for (version, description) in &report.applied {
                eprintln!("verbatim: applied migration {version}: {description}");
            }
            eprintln!(
                "verbatim: the archive at {} is ready (schema version {})",
                target.display(),
                report.version
            );
        }
        Ok(())
    })
}

fn stats(args: &StatsArgs) -> Result<(), String> {
    let target = require_target(&args.url)?;
    let stats = runtime().block_on(async {
        let archive = Archive::open(&target, LOOKUP_TIMEOUT * 30)
            .await
            .map_err(|e| e.message)?;
        archive.stats().await.map_err(|e| e.message)
    })?;
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = if args.json {
        writeln!(
            out,
            "{}",
            serde_json::to_string(&stats).expect("stats serialise")
        )
    } else {
        let megabytes = |bytes: i64| bytes as f64 / 1_048_576.0;
        let storage = stats.articles_bytes + stats.postings_bytes;
        let mut text = format!(
            "archive      {}\nschema       version {}\narticles     {} ({} not yet searchable)\n\
             text         {:.1} MB (originals {:.1} MB)\npostings     {} entries in {} bucket rows\n\
             storage      {:.1} MB: articles {:.1} MB, postings {:.1} MB ({:.2}× the text)\n",
            target.display(),
            stats.schema_version,
            stats.articles,
            stats.unindexed,
            megabytes(stats.text_bytes),
            megabytes(stats.original_bytes),
            stats.posting_entries,
            stats.posting_rows,
            megabytes(storage),
            megabytes(stats.articles_bytes),
            megabytes(stats.postings_bytes),
            if stats.text_bytes > 0 {
                storage as f64 / stats.text_bytes as f64
            } else {
                0.0
            },
        );
        for (collection, count) in &stats.collections {
            text.push_str(&format!("collection   {collection}: {count} articles\n"));
        }
        out.write_all(text.as_bytes())
    };
    written.map_err(|e| format!("cannot write: {e}"))
}

fn remove(args: &RemoveArgs) -> Result<(), String> {
    let target = require_target(&args.url)?;
    let removed = runtime().block_on(async {
        let mut archive = Archive::open(&target, INGEST_TIMEOUT)
            .await
            .map_err(|e| e.message)?;
        crate::archive::ingest::remove(&mut archive, &args.collection, &args.keys)
            .await
            .map_err(|e| e.message)
    })?;
    eprintln!(
        "verbatim: removed {removed} article{} from {}",
        if removed == 1 { "" } else { "s" },
        args.collection
    );
    Ok(())
}

/// One file read for ingestion.
enum Read {
    Article(Box<NewArticle>, u64),
    Unchanged(String, String, u64),
    Failed(String),
}

/// Reads a file, skipping the rest of the work when its hash shows it is stored already.
fn read_input(
    input: &ArchiveInput,
    known: &std::collections::HashMap<(String, String), Vec<u8>>,
) -> Read {
    let bytes = match read_archive_file(&input.path, MAX_INGEST_BYTES) {
        Ok(bytes) => bytes,
        Err(error) => return Read::Failed(format!("{}: {error}", input.path.display())),
    };
    let size = bytes.len() as u64;
    let hash = content_hash(&bytes);
    if known
        .get(&(input.collection.clone(), input.key.clone()))
        .is_some_and(|stored| *stored == hash)
    {
        return Read::Unchanged(input.collection.clone(), input.key.clone(), size);
    }
    // Every source format is stored as the text verbatim checks against (a web page's article, a PDF's text
    // layer), with the metadata the document gives.
    let name = input.path.to_string_lossy();
    let content = match crate::workspace::formats::content_from_bytes(&name, bytes) {
        Ok(content) => content,
        Err(error) => return Read::Failed(format!("{}: {error}", input.path.display())),
    };
    let (text, format) = (content.text, content.format);
    let speakers = content.speakers.encoded();
    let metadata = content
        .metadata
        .unwrap_or_else(|| crate::engine::metadata::parse_metadata(&text, format));
    let format_name = match crate::extract::Format::from_name(&name) {
        crate::extract::Format::Markdown => "markdown",
        other => other.name(),
    };
    Read::Article(
        Box::new(NewArticle {
            collection: input.collection.clone(),
            key: input.key.clone(),
            content_hash: hash,
            bytes: size as i64,
            format: format_name.to_string(),
            title: metadata.title,
            author: metadata.author.clone(),
            outlet: metadata.author,
            published: metadata.date,
            url: metadata.url,
            text,
            speakers,
        }),
        size,
    )
}

/// Progress on stderr: a bar with MB/s on a terminal, a plain line every few seconds otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    last_line: Instant,
    files: u64,
    total_files: u64,
    bytes: u64,
}

impl Progress {
    fn new(total_files: u64, total_bytes: u64, plain: bool) -> Progress {
        let bar = (!plain && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total_bytes);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
                )
                .expect("the template is valid"),
            );
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            last_line: Instant::now(),
            files: 0,
            total_files,
            bytes: 0,
        }
    }

    fn advance(&mut self, bytes: u64) {
        self.files += 1;
        self.bytes += bytes;
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
            bar.set_message(format!("{}/{} files", self.files, self.total_files));
        } else if self.last_line.elapsed() >= Duration::from_secs(5) {
            self.last_line = Instant::now();
            eprintln!("verbatim: ingest: {}", self.line());
        }
    }

    fn line(&self) -> String {
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        format!(
            "{}/{} files, {:.1} MB, {:.1} MB/s",
            self.files,
            self.total_files,
            self.bytes as f64 / 1_048_576.0,
            self.bytes as f64 / 1_048_576.0 / seconds
        )
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn ingest(args: &IngestArgs) -> Result<(), String> {
    let target = require_target(&args.url)?;
    let inputs = archive_inputs(&args.paths, args.collection.as_deref())?;
    if inputs.is_empty() {
        return Err(format!(
            "no sources found under {} (the archive ingests .md, .txt, .html, .pdf, .srt, .vtt and .docx files)",
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut collections: Vec<String> = inputs.iter().map(|i| i.collection.clone()).collect();
    collections.sort();
    collections.dedup();
    let total_bytes: u64 = inputs.iter().map(|input| input.size).sum();
    let total_files = inputs.len() as u64;
    let runtime = runtime();
    let (summary, failures, progress) = runtime.block_on(async {
        let mut archive = Archive::open(&target, INGEST_TIMEOUT)
            .await
            .map_err(|e| e.message)?;
        let mut ingest = Ingest::begin(&mut archive, &collections)
            .await
            .map_err(|e| e.message)?;
        let known = ingest.known_hashes();
        // Files are read and extracted on the rayon pool, a chunk at a time, while batches are written.
        let (sender, receiver) = mpsc::sync_channel::<Vec<Read>>(4);
        let producer = std::thread::spawn(move || {
            for chunk in inputs.chunks(256) {
                let read: Vec<Read> = chunk.par_iter().map(|i| read_input(i, &known)).collect();
                if sender.send(read).is_err() {
                    break;
                }
            }
        });
        let mut progress = Progress::new(total_files, total_bytes, args.plain);
        let mut failures = Vec::new();
        let receiver = std::sync::Arc::new(std::sync::Mutex::new(receiver));
        loop {
            let receiver = receiver.clone();
            let next = tokio::task::spawn_blocking(move || {
                receiver.lock().expect("one reader").recv().ok()
            })
            .await
            .ok()
            .flatten();
            let Some(chunk) = next else { break };
            for read in chunk {
                match read {
                    Read::Article(article, size) => {
                        ingest.add(*article).await.map_err(|e| e.message)?;
                        progress.advance(size);
                    }
                    Read::Unchanged(collection, key, size) => {
                        ingest.mark_unchanged(&collection, &key);
                        progress.advance(size);
                    }
                    Read::Failed(message) => {
                        progress.advance(0);
                        failures.push(message)
                    }
                }
            }
        }
        let _ = producer.join();
        let summary = ingest
            .finish(args.delete_missing)
            .await
            .map_err(|e| e.message)?;
        Ok::<(IngestSummary, Vec<String>, Progress), String>((summary, failures, progress))
    })?;
    progress.finish();
    for failure in &failures {
        eprintln!("verbatim: warning: skipped {failure}");
    }
    eprintln!(
        "verbatim: ingest: {} added, {} replaced, {} unchanged, {} removed{}; {}",
        summary.added,
        summary.replaced,
        summary.unchanged,
        summary.removed,
        if summary.recovered > 0 {
            format!(
                ", {} recovered from an interrupted ingest",
                summary.recovered
            )
        } else {
            String::new()
        },
        progress.line()
    );
    Ok(())
}

/// The archive's candidates for every quote of the given drafts, and for their prose outside quotations when
/// `reuse` is on (articles holding a stretch of it: uncredited copying), fetched and added to `corpus` as
/// sources keyed `archive:<collection>/<key>`. Returns the number of articles added, or why the archive could
/// not be used (the local check goes on without it).
pub fn add_archive_candidates(
    target: &Resolved,
    corpus: &mut Corpus,
    drafts: &[(String, TextFormat)],
    settings: &EngineSettings,
    reuse: &ReuseSettings,
) -> Result<usize, ArchiveError> {
    ArchiveSession::new(target.clone()).add_candidates(corpus, drafts, settings, reuse)
}

/// One connection to the archive kept for a run of lookups (as the editor keeps one per folder): the first
/// lookup connects, the next ones reuse it.
pub struct ArchiveSession {
    target: Resolved,
    runtime: tokio::runtime::Runtime,
    archive: Option<Archive>,
}

impl ArchiveSession {
    pub fn new(target: Resolved) -> ArchiveSession {
        ArchiveSession {
            target,
            runtime: runtime(),
            archive: None,
        }
    }

    /// As [`add_archive_candidates`], on this session's connection (made on first use; dropped after an
    /// error, so the next call connects again).
    pub fn add_candidates(
        &mut self,
        corpus: &mut Corpus,
        drafts: &[(String, TextFormat)],
        settings: &EngineSettings,
        reuse: &ReuseSettings,
    ) -> Result<usize, ArchiveError> {
        let mut quotes = Vec::new();
        let mut windows = Vec::new();
        for (text, format) in drafts {
            for quote in find_quotes(text, *format, settings) {
                if quote.ignored || quote.word_count < settings.min_words {
                    continue;
                }
                quotes.push(quote_shingles(text, &quote.segments));
            }
            if reuse.enabled {
                windows.extend(prose_window_shingles(text, *format, reuse.min_words));
            }
        }
        quotes.retain(|shingles| !shingles.is_empty());
        if quotes.is_empty() && windows.is_empty() {
            return Ok(0);
        }
        let started = Instant::now();
        let (target, slot) = (&self.target, &mut self.archive);
        let found = self.runtime.block_on(async {
            if slot.is_none() {
                *slot = Some(Archive::open_for_lookups(target).await?);
            }
            let archive = slot.as_ref().expect("connected above");
            let (_, articles) = archive.candidate_articles(&quotes, &windows).await?;
            Ok::<_, ArchiveError>(articles)
        });
        let articles = match found {
            Ok(articles) => articles,
            Err(error) => {
                self.archive = None;
                return Err(error);
            }
        };
        let looked_up = started.elapsed();
        // An article already in the corpus (found for an earlier draft) is not read again.
        let articles: Vec<ArchivedArticle> = articles
            .into_iter()
            .filter(|article| corpus.source_id(&article.corpus_key()).is_none())
            .collect();
        let count = articles.len();
        insert_in_order(corpus, articles);
        tracing::debug!(
            "archive: {} quotes and {} prose windows looked up in {looked_up:.1?}, {count} new articles read in {:.1?}",
            quotes.len(),
            windows.len(),
            started.elapsed() - looked_up
        );
        Ok(count)
    }
}

/// Reads the articles as sources on rayon's pool while this thread adds each to the corpus as soon as it and
/// those before it are read: in the order given (so source ids do not depend on timing), the adding overlapped
/// with the reading.
fn insert_in_order(corpus: &mut Corpus, articles: Vec<ArchivedArticle>) {
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            articles.into_par_iter().enumerate().for_each_with(
                sender,
                |sender, (index, article)| {
                    // The receiver lives until every article is sent.
                    let _ = sender.send((index, article.prepare()));
                },
            );
        });
        let mut waiting = std::collections::BTreeMap::new();
        let mut next = 0;
        for (index, prepared) in receiver {
            waiting.insert(index, prepared);
            while let Some(prepared) = waiting.remove(&next) {
                corpus.insert_prepared(prepared);
                next += 1;
            }
        }
    });
}
