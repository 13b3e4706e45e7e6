//! Bulk ingestion: articles in batches (one transaction each, binary COPY); their fingerprints held in memory as
//! one run per batch, grouped by bucket (staged in the database only past a memory budget), and written into the
//! postings at the end in one transaction that also makes them searchable (raises the watermark). A first load
//! (empty postings) writes them on two connections instead, with the index dropped and built again after, and
//! raises the watermark last. An interrupted ingest leaves stored-but-unsearchable articles that the next ingest
//! fingerprints again from their stored text (after clearing the postings of an interrupted first load), so the
//! archive is always consistent and a re-run completes it. One ingest runs at a time (advisory lock).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use bytes::{BufMut, Bytes, BytesMut};
use futures_util::SinkExt;
use rayon::prelude::*;
use tokio_postgres::{Client, CopyInSink, Transaction};

use super::connection::{ArchiveError, ErrorKind};
use super::schema::{INGEST_LOCK, POSTING_PARTITIONS, SEARCHABLE};
use super::{bucket_of, entry_of, store_entry, Archive, ENTRY_BYTES};
use crate::engine::fingerprint::fingerprint;

/// One article to store: its text as verbatim checks it, and what names it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewArticle {
    /// A name for a group of articles (by default the folder ingested); `--delete-missing` works per collection.
    pub collection: String,
    /// The article's name within its collection (its path relative to the folder ingested).
    pub key: String,
    /// A hash of the original file's bytes: an unchanged file is not stored again.
    pub content_hash: Vec<u8>,
    /// Size of the original file.
    pub bytes: i64,
    /// "markdown", "text", "html", "pdf", "srt", "vtt", "docx"…
    pub format: String,
    pub title: String,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub text: String,
    /// Who speaks where in `text` (a transcript's labels, [`crate::engine::attribution::SpeakerLabels::encode`]).
    pub speakers: Option<String>,
}

/// What an ingest did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct IngestSummary {
    pub added: u64,
    pub replaced: u64,
    pub unchanged: u64,
    pub removed: u64,
    /// Articles of an interrupted earlier ingest made searchable by this one.
    pub recovered: u64,
    pub text_bytes: u64,
}

/// Bytes of text per batch (one transaction, one COPY).
const BATCH_TEXT_BYTES: usize = 32 << 20;

/// Articles per batch at most.
const BATCH_ARTICLES: usize = 5_000;

/// Fingerprint entries held in memory (8 bytes each: 512 MB) before they are staged in the database. Under it
/// (about 110,000 news articles) the ingest writes each bucket's postings once, with no merge; past it, each
/// staging adds a row per bucket that the final merge concatenates.
const HOLD_ENTRIES: usize = 64 << 20;

/// An ingest in progress. Call [`Ingest::add`] for each file, then [`Ingest::finish`].
pub struct Ingest<'a> {
    archive: &'a mut Archive,
    /// (collection, key) → (id, content hash) of what is stored already.
    known: HashMap<(String, String), (i32, Vec<u8>)>,
    seen: HashSet<(String, String)>,
    pending: Vec<NewArticle>,
    pending_bytes: usize,
    pending_replaced: Vec<i32>,
    /// The fingerprints of the batches written so far (one run each), not yet staged.
    held: Vec<Postings>,
    held_entries: usize,
    /// Whether `postings_staging` holds rows for this ingest (staged past the budget, or recovered).
    staged: bool,
    pub summary: IngestSummary,
}

impl<'a> Ingest<'a> {
    /// Takes the ingest lock, completes an interrupted ingest, and reads what the named collections hold.
    pub async fn begin(
        archive: &'a mut Archive,
        collections: &[String],
    ) -> Result<Ingest<'a>, ArchiveError> {
        let doing = "cannot start the ingest";
        let locked: bool = archive
            .client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&INGEST_LOCK])
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?
            .get(0);
        if !locked {
            return Err(ArchiveError::new(
                ErrorKind::Refused,
                "another ingest into this archive is running; try again when it has finished",
            ));
        }
        let summary = IngestSummary {
            recovered: restage_unindexed(&mut archive.client, archive.bucket_bits).await?,
            ..IngestSummary::default()
        };
        let mut known = HashMap::new();
        let rows = archive
            .client
            .query(
                "SELECT collection, key, id, content_hash FROM articles WHERE collection = ANY($1)",
                &[&collections],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        for row in rows {
            known.insert((row.get(0), row.get(1)), (row.get(2), row.get(3)));
        }
        Ok(Ingest {
            archive,
            known,
            seen: HashSet::new(),
            pending: Vec::new(),
            pending_bytes: 0,
            pending_replaced: Vec::new(),
            held: Vec::new(),
            held_entries: 0,
            staged: summary.recovered > 0,
            summary,
        })
    }

    /// What is stored already: (collection, key) → content hash, so a reader can skip unchanged files.
    pub fn known_hashes(&self) -> HashMap<(String, String), Vec<u8>> {
        self.known
            .iter()
            .map(|(name, (_, hash))| (name.clone(), hash.clone()))
            .collect()
    }

    /// Records a file found unchanged (kept by `delete_missing`).
    pub fn mark_unchanged(&mut self, collection: &str, key: &str) {
        self.seen.insert((collection.to_string(), key.to_string()));
        self.summary.unchanged += 1;
    }

    /// Adds (or replaces) one article; written with the next batch.
    pub async fn add(&mut self, mut article: NewArticle) -> Result<(), ArchiveError> {
        let name = (article.collection.clone(), article.key.clone());
        if let Some((id, hash)) = self.known.get(&name) {
            if *hash == article.content_hash {
                return Ok(());
            }
            self.pending_replaced.push(*id);
            self.summary.replaced += 1;
        } else {
            self.summary.added += 1;
        }
        self.seen.insert(name);
        // PostgreSQL text cannot hold NUL.
        if article.text.contains('\0') {
            article.text = article.text.replace('\0', " ");
        }
        self.pending_bytes += article.text.len();
        self.summary.text_bytes += article.text.len() as u64;
        self.pending.push(article);
        if self.pending_bytes >= BATCH_TEXT_BYTES || self.pending.len() >= BATCH_ARTICLES {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the pending batch: its articles (not yet searchable), removing the versions they replace, in one
    /// transaction; their fingerprints join those held (staged when the budget is reached).
    pub async fn flush(&mut self) -> Result<(), ArchiveError> {
        if self.pending.is_empty() && self.pending_replaced.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        let replaced = std::mem::take(&mut self.pending_replaced);
        self.pending_bytes = 0;
        let bits = self.archive.bucket_bits;
        let doing = "cannot store a batch of articles";
        let client = &mut self.archive.client;
        let ids: Vec<i32> = client
            .query(
                "SELECT nextval('articles_id_seq')::integer FROM generate_series(1, $1::bigint)",
                &[&(batch.len() as i64)],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?
            .iter()
            .map(|row| row.get(0))
            .collect();
        // Fingerprints on the rayon pool, while the articles stream to the server (which compresses them as it
        // stores them): the two overlap instead of taking turns.
        let started = std::time::Instant::now();
        let batch = std::sync::Arc::new(batch);
        let fingerprints = {
            let (ids, batch) = (ids.clone(), batch.clone());
            tokio::task::spawn_blocking(move || {
                let texts: Vec<(i32, &str)> = ids
                    .iter()
                    .copied()
                    .zip(batch.iter().map(|a| a.text.as_str()))
                    .collect();
                Postings::of(&texts, bits)
            })
        };
        let transaction = client
            .transaction()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        remove_articles(&transaction, &replaced, bits).await?;
        copy_articles(&transaction, &ids, &batch).await?;
        // A panic there is a bug, raised here as it was when the fingerprints were made in place.
        let postings = fingerprints
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()));
        transaction
            .commit()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        self.held_entries += postings.entries.len();
        self.held.push(postings);
        if self.held_entries >= HOLD_ENTRIES {
            self.stage_held().await?;
        }
        tracing::debug!(
            "batch of {} articles written in {:.1?}",
            batch.len(),
            started.elapsed()
        );
        Ok(())
    }

    /// The held fingerprints (merged by bucket when written, so that postings are written in index order).
    fn take_held(&mut self) -> Vec<Postings> {
        self.held_entries = 0;
        std::mem::take(&mut self.held)
    }

    /// Writes the held fingerprints into the postings and makes their articles searchable; true when the postings
    /// were empty before. Into empty postings the rows go on two connections at once (PostgreSQL writes a COPY on
    /// one core), else in one transaction with the other changes ([`merge`]).
    async fn write_held(&mut self, held: Vec<Postings>) -> Result<bool, ArchiveError> {
        let doing = "cannot make the new articles searchable";
        let empty: bool = self
            .archive
            .client
            .query_one("SELECT NOT EXISTS (SELECT 1 FROM postings)", &[])
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?
            .get(0);
        if !empty || held.is_empty() {
            return merge(&mut self.archive.client, Some(&held)).await;
        }
        match self.archive.connect_again().await {
            Ok(helper) => {
                let bits = self.archive.bucket_bits;
                load_on_two(&mut self.archive.client, helper, held, bits).await?;
                Ok(true)
            }
            Err(error) => {
                tracing::debug!("postings written on one connection: {}", error.message);
                merge(&mut self.archive.client, Some(&held)).await
            }
        }
    }

    /// Moves the held fingerprints into `postings_staging` (one transaction).
    async fn stage_held(&mut self) -> Result<(), ArchiveError> {
        let held = self.take_held();
        if held.is_empty() {
            return Ok(());
        }
        let doing = "cannot stage fingerprints";
        let client = &mut self.archive.client;
        let transaction = client
            .transaction()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        copy_rows(&transaction, "postings_staging", &held, ALL_BUCKETS).await?;
        transaction
            .commit()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        self.staged = true;
        Ok(())
    }

    /// Writes what is pending, removes the articles of the given collections that were not seen (with
    /// `delete_missing`), merges the staged fingerprints into the postings and makes the new articles
    /// searchable (one transaction), then compacts buckets written many times.
    pub async fn finish(mut self, delete_missing: bool) -> Result<IngestSummary, ArchiveError> {
        self.flush().await?;
        let bits = self.archive.bucket_bits;
        if delete_missing {
            let missing: Vec<i32> = self
                .known
                .iter()
                .filter(|(name, _)| !self.seen.contains(*name))
                .map(|(_, (id, _))| *id)
                .collect();
            if !missing.is_empty() {
                let doing = "cannot remove missing articles";
                let transaction = self
                    .archive
                    .client
                    .transaction()
                    .await
                    .map_err(|e| ArchiveError::from_postgres(e, doing))?;
                remove_articles(&transaction, &missing, bits).await?;
                transaction
                    .commit()
                    .await
                    .map_err(|e| ArchiveError::from_postgres(e, doing))?;
                self.summary.removed += missing.len() as u64;
            }
        }
        let started = std::time::Instant::now();
        let first_load = if self.staged {
            self.stage_held().await?;
            merge(&mut self.archive.client, None).await?;
            tracing::debug!("staged postings merged in {:.1?}", started.elapsed());
            false
        } else {
            let held = self.take_held();
            let first_load = self.write_held(held).await?;
            tracing::debug!("postings written in {:.1?}", started.elapsed());
            first_load
        };
        // A first load written in one go has one row per bucket: nothing to compact.
        if !first_load {
            let started = std::time::Instant::now();
            compact(&mut self.archive.client, false).await?;
            tracing::debug!("compaction in {:.1?}", started.elapsed());
        }
        let _ = self
            .archive
            .client
            // The columns queries filter on: statistics of the texts and the posting arrays would detoast them all
            // (1.5 s of a 10 s ingest of 20,000 articles, for statistics no plan uses).
            .batch_execute("ANALYZE articles (id, collection, key); ANALYZE postings (bucket)")
            .await;
        let _ = self
            .archive
            .client
            .execute("SELECT pg_advisory_unlock($1)", &[&INGEST_LOCK])
            .await;
        Ok(self.summary)
    }
}

/// Posting entries by bucket: buckets in order, each bucket's entries distinct and in article order. One
/// batch's fingerprints are one run; the runs held are merged bucket by bucket as they are written
/// ([`copy_rows`]), so no bucket ever has a vector of its own in memory.
#[derive(Debug, Default, PartialEq)]
struct Postings {
    /// (bucket, end of its entries in `entries`), in bucket order.
    buckets: Vec<(i32, u32)>,
    entries: Vec<i64>,
}

impl Postings {
    /// The fingerprints of `(article id, text)` pairs, made on the rayon pool. A text's repeated entries (the
    /// same shingle, or two whose bucket and residue agree) are kept once; the entries are then placed by
    /// bucket, stably (each bucket keeps the articles' order).
    fn of(texts: &[(i32, &str)], bits: u32) -> Postings {
        let pairs: Vec<(i32, i64)> = texts
            .par_iter()
            .flat_map_iter(|&(id, text)| {
                let mut pairs: Vec<(i32, i64)> = fingerprint(text)
                    .into_iter()
                    .map(|s| (bucket_of(s.hash, bits), entry_of(s.hash, id)))
                    .collect();
                pairs.sort_unstable();
                pairs.dedup();
                pairs
            })
            .collect();
        // A batch has more entries than there are buckets: a count per bucket places them in two passes (a
        // comparison sort was a seventh of an ingest's time). A few articles (a removal, a small re-ingest) hold
        // far fewer, and sorting them beats a pass over every possible bucket.
        if pairs.len().saturating_mul(4) < 1usize << bits {
            Postings::sorted(pairs)
        } else {
            Postings::counted(pairs, bits)
        }
    }

    /// Entries placed by bucket with a counting sort over all `2^bits` buckets.
    fn counted(pairs: Vec<(i32, i64)>, bits: u32) -> Postings {
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for (bucket, _) in &pairs {
            starts[*bucket as usize + 1] += 1;
        }
        let mut buckets = Vec::new();
        for bucket in 0..(1usize << bits) {
            let count = starts[bucket + 1];
            starts[bucket + 1] += starts[bucket];
            if count > 0 {
                buckets.push((bucket as i32, starts[bucket + 1]));
            }
        }
        let mut entries = vec![0i64; pairs.len()];
        for (bucket, entry) in pairs {
            let at = &mut starts[bucket as usize];
            entries[*at as usize] = entry;
            *at += 1;
        }
        Postings { buckets, entries }
    }

    /// Entries placed by bucket with a stable sort.
    fn sorted(mut pairs: Vec<(i32, i64)>) -> Postings {
        pairs.sort_by_key(|(bucket, _)| *bucket);
        let mut buckets: Vec<(i32, u32)> = Vec::new();
        let mut entries = Vec::with_capacity(pairs.len());
        for (bucket, entry) in pairs {
            entries.push(entry);
            match buckets.last_mut() {
                Some((last, end)) if *last == bucket => *end += 1,
                _ => buckets.push((bucket, entries.len() as u32)),
            }
        }
        Postings { buckets, entries }
    }

    /// The buckets holding entries.
    fn buckets(&self) -> impl Iterator<Item = i32> + '_ {
        self.buckets.iter().map(|(bucket, _)| *bucket)
    }
}

/// Several runs of postings merged into one per bucket, in bucket order, over a range of buckets.
struct Merged<'a> {
    runs: &'a [Postings],
    /// Per run: its next bucket (an index into its `buckets`).
    cursors: Vec<usize>,
    /// Where the range ends.
    end: i32,
    buffer: Vec<i64>,
}

impl<'a> Merged<'a> {
    fn new(runs: &'a [Postings], buckets: Range<i32>) -> Merged<'a> {
        Merged {
            runs,
            cursors: runs
                .iter()
                .map(|run| {
                    run.buckets
                        .partition_point(|(bucket, _)| *bucket < buckets.start)
                })
                .collect(),
            end: buckets.end,
            buffer: Vec::new(),
        }
    }

    /// The next bucket and all its entries (the runs' in turn: articles stay in order).
    fn next_bucket(&mut self) -> Option<(i32, &[i64])> {
        let bucket = self
            .runs
            .iter()
            .zip(&self.cursors)
            .filter_map(|(run, next)| run.buckets.get(*next).map(|(bucket, _)| *bucket))
            .min()
            .filter(|bucket| *bucket < self.end)?;
        self.buffer.clear();
        for (run, next) in self.runs.iter().zip(self.cursors.iter_mut()) {
            if let Some(&(at, end)) = run.buckets.get(*next) {
                if at == bucket {
                    // A bucket's entries start where the run's previous bucket's end.
                    let start = next
                        .checked_sub(1)
                        .map_or(0, |before| run.buckets[before].1);
                    self.buffer
                        .extend_from_slice(&run.entries[start as usize..end as usize]);
                    *next += 1;
                }
            }
        }
        Some((bucket, &self.buffer))
    }
}

/// A binary `COPY … FROM STDIN` sent in messages of about [`CopyWriter::MESSAGE_BYTES`].
///
/// tokio-postgres's `BinaryCopyInWriter` sends a message every 4 KB: 250,000 messages for an ingest of 100,000
/// articles, each a wake-up of the connection task and a read on the server (the final COPY of the postings
/// took 3.1 s from the client against 2.0 s from a file on the server). The format is PostgreSQL's binary COPY:
/// a header, then per row a field count and each field as a length (-1 for NULL) and its binary value.
struct CopyWriter {
    sink: std::pin::Pin<Box<CopyInSink<Bytes>>>,
    buffer: BytesMut,
    doing: &'static str,
}

impl CopyWriter {
    const MESSAGE_BYTES: usize = 1 << 20;

    async fn start(
        transaction: &Transaction<'_>,
        statement: &str,
        doing: &'static str,
    ) -> Result<CopyWriter, ArchiveError> {
        let sink = transaction
            .copy_in(statement)
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        let mut buffer = BytesMut::with_capacity(Self::MESSAGE_BYTES + (64 << 10));
        buffer.put_slice(b"PGCOPY\n\xff\r\n\0");
        buffer.put_i32(0); // flags
        buffer.put_i32(0); // header extension
        Ok(CopyWriter {
            sink: Box::pin(sink),
            buffer,
            doing,
        })
    }

    fn row(&mut self, fields: i16) {
        self.buffer.put_i16(fields);
    }

    fn bytes(&mut self, value: &[u8]) {
        let length =
            i32::try_from(value.len()).expect("a field under 2 GB (texts are limited far below)");
        self.buffer.put_i32(length);
        self.buffer.put_slice(value);
    }

    fn text(&mut self, value: Option<&str>) {
        match value {
            Some(value) => self.bytes(value.as_bytes()),
            None => self.buffer.put_i32(-1),
        }
    }

    fn int4(&mut self, value: i32) {
        self.buffer.put_i32(4);
        self.buffer.put_i32(value);
    }

    fn int8(&mut self, value: i64) {
        self.buffer.put_i32(8);
        self.buffer.put_i64(value);
    }

    /// Posting entries as stored (a `bytea` of [`ENTRY_BYTES`] bytes each, which [`super::stored_entries`] reads
    /// back).
    fn entries(&mut self, entries: &[i64]) {
        self.buffer.put_i32((entries.len() * ENTRY_BYTES) as i32);
        for entry in entries {
            store_entry(*entry, &mut self.buffer);
        }
    }

    /// Sends what is buffered once it makes a message.
    async fn end_row(&mut self) -> Result<(), ArchiveError> {
        if self.buffer.len() >= Self::MESSAGE_BYTES {
            let message = self.buffer.split().freeze();
            self.sink
                .send(message)
                .await
                .map_err(|e| ArchiveError::from_postgres(e, self.doing))?;
        }
        Ok(())
    }

    async fn finish(mut self) -> Result<u64, ArchiveError> {
        self.buffer.put_i16(-1);
        let message = self.buffer.split().freeze();
        self.sink
            .send(message)
            .await
            .map_err(|e| ArchiveError::from_postgres(e, self.doing))?;
        self.sink
            .as_mut()
            .finish()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, self.doing))
    }
}

async fn copy_articles(
    transaction: &Transaction<'_>,
    ids: &[i32],
    batch: &[NewArticle],
) -> Result<(), ArchiveError> {
    let mut writer = CopyWriter::start(
        transaction,
        "COPY articles (id, collection, key, content_hash, bytes, format, title, author, outlet, \
         published, url, text, speakers) FROM STDIN BINARY",
        "cannot copy articles into the archive",
    )
    .await?;
    for (&id, article) in ids.iter().zip(batch) {
        writer.row(13);
        writer.int4(id);
        writer.text(Some(&article.collection));
        writer.text(Some(&article.key));
        writer.bytes(&article.content_hash);
        writer.int8(article.bytes);
        writer.text(Some(&article.format));
        writer.text(Some(&article.title));
        writer.text(article.author.as_deref());
        writer.text(article.outlet.as_deref());
        writer.text(article.published.as_deref());
        writer.text(article.url.as_deref());
        writer.text(Some(&article.text));
        writer.text(article.speakers.as_deref());
        writer.end_row().await?;
    }
    writer.finish().await?;
    Ok(())
}

/// The postings' index, as migration 1 made it: dropped for a first load and built again after.
const CREATE_POSTINGS_INDEX: &str = "CREATE INDEX postings_bucket ON postings (bucket);";

/// Makes an ingest's articles searchable. Ids only grow and the ingest holds the lock: its articles are all
/// those above the watermark.
const RAISE_WATERMARK: &str =
    "UPDATE verbatim_settings SET value = (SELECT coalesce(max(id), 0) FROM articles)::text
       WHERE key = 'searchable_through';
     TRUNCATE postings_staging;";

/// Every bucket (they are never negative).
const ALL_BUCKETS: Range<i32> = 0..i32::MAX;

/// Copies the `buckets` of runs of postings into `table` (`postings_staging` or `postings`), merged: one row per
/// bucket.
async fn copy_rows(
    transaction: &Transaction<'_>,
    table: &str,
    runs: &[Postings],
    buckets: Range<i32>,
) -> Result<(), ArchiveError> {
    let mut writer = CopyWriter::start(
        transaction,
        &format!("COPY {table} (bucket, entries) FROM STDIN BINARY"),
        "cannot copy fingerprints into the archive",
    )
    .await?;
    let mut merged = Merged::new(runs, buckets);
    while let Some((bucket, entries)) = merged.next_bucket() {
        writer.row(2);
        writer.int4(bucket);
        writer.entries(entries);
        writer.end_row().await?;
    }
    writer.finish().await?;
    Ok(())
}

/// Removes articles and their postings (found again from their stored text) inside a transaction.
pub(super) async fn remove_articles(
    transaction: &Transaction<'_>,
    ids: &[i32],
    bits: u32,
) -> Result<(), ArchiveError> {
    if ids.is_empty() {
        return Ok(());
    }
    let doing = "cannot remove articles from the archive";
    let articles: Vec<Vec<u8>> = ids.iter().map(|id| id.to_be_bytes().to_vec()).collect();
    let rows = transaction
        .query("SELECT id, text FROM articles WHERE id = ANY($1)", &[&ids])
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    let texts: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let borrowed: Vec<(i32, &str)> = texts.iter().map(|(id, t)| (*id, t.as_str())).collect();
    let buckets: Vec<i32> =
        tokio::task::block_in_place(|| Postings::of(&borrowed, bits).buckets().collect());
    for table in ["postings", "postings_staging"] {
        // An entry's last four bytes are its article id (big-endian, [`super::store_entry`]).
        transaction
            .execute(
                &format!(
                    "UPDATE {table} SET entries = (SELECT coalesce(string_agg(substr(entries, at, {ENTRY_BYTES}), \
                       ''::bytea ORDER BY at), ''::bytea) FROM generate_series(1, length(entries), {ENTRY_BYTES}) AS at \
                       WHERE substr(entries, at + 2, 4) <> ALL($2)) \
                     WHERE bucket = ANY($1)"
                ),
                &[&buckets, &articles],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        transaction
            .execute(
                &format!("DELETE FROM {table} WHERE bucket = ANY($1) AND length(entries) = 0"),
                &[&buckets],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    }
    transaction
        .execute("DELETE FROM articles WHERE id = ANY($1)", &[&ids])
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    Ok(())
}

/// Articles stored by an interrupted ingest are fingerprinted again into a cleared staging table.
async fn restage_unindexed(client: &mut Client, bits: u32) -> Result<u64, ArchiveError> {
    let doing = "cannot complete an interrupted ingest";
    // Only a first load drops the index ([`load_on_two`]), and it builds it again in the transaction that makes
    // its articles searchable: without it, every row of the postings is that load's, for articles above the
    // watermark, which are fingerprinted again below.
    let interrupted_first_load: bool = client
        .query_one("SELECT to_regclass('postings_bucket') IS NULL", &[])
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?
        .get(0);
    if interrupted_first_load {
        client
            .batch_execute(&format!(
                "BEGIN; TRUNCATE postings; {CREATE_POSTINGS_INDEX} COMMIT;"
            ))
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    }
    let count: i64 = client
        .query_one(
            &format!("SELECT count(*) FROM articles WHERE NOT ({SEARCHABLE})"),
            &[],
        )
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?
        .get(0);
    let transaction = client
        .transaction()
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    transaction
        .batch_execute("TRUNCATE postings_staging")
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    if count > 0 {
        let mut last = 0i32;
        loop {
            let rows = transaction
                .query(
                    &format!(
                        "SELECT id, text FROM articles WHERE NOT ({SEARCHABLE}) AND id > $1 ORDER BY id LIMIT 2000"
                    ),
                    &[&last],
                )
                .await
                .map_err(|e| ArchiveError::from_postgres(e, doing))?;
            if rows.is_empty() {
                break;
            }
            let texts: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            last = texts.last().map_or(last, |(id, _)| *id);
            let borrowed: Vec<(i32, &str)> =
                texts.iter().map(|(id, t)| (*id, t.as_str())).collect();
            let postings = tokio::task::block_in_place(|| Postings::of(&borrowed, bits));
            copy_rows(
                &transaction,
                "postings_staging",
                std::slice::from_ref(&postings),
                ALL_BUCKETS,
            )
            .await?;
        }
    }
    transaction
        .commit()
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    Ok(count as u64)
}

/// Writes the ingest's fingerprints into the postings (one row per bucket per ingest) and makes their articles
/// searchable, atomically: `held` (runs merged into one row per bucket as they are copied), else the staged rows
/// concatenated per bucket. True when the postings were empty before.
async fn merge(client: &mut Client, held: Option<&[Postings]>) -> Result<bool, ArchiveError> {
    let doing = "cannot make the new articles searchable";
    let transaction = client
        .transaction()
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    // Into empty postings (a first load), building the index once afterwards is several times faster than
    // maintaining it row by row; later ingests insert in bucket order, next to their neighbours in the index.
    let empty: bool = transaction
        .query_one("SELECT NOT EXISTS (SELECT 1 FROM postings)", &[])
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?
        .get(0);
    let run = |sql: String| {
        let transaction = &transaction;
        async move {
            transaction
                .batch_execute(&sql)
                .await
                .map_err(|e| ArchiveError::from_postgres(e, doing))
        }
    };
    run("SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '256MB';".into()).await?;
    if empty {
        run("DROP INDEX postings_bucket;".into()).await?;
    }
    match held {
        Some(held) => copy_rows(&transaction, "postings", held, ALL_BUCKETS).await?,
        None => {
            run("INSERT INTO postings (bucket, entries)
                 SELECT bucket, string_agg(entries, ''::bytea) FROM postings_staging GROUP BY bucket ORDER BY bucket;"
                .into())
            .await?
        }
    }
    if empty {
        run(CREATE_POSTINGS_INDEX.into()).await?;
    }
    run(RAISE_WATERMARK.into()).await?;
    transaction
        .commit()
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    Ok(empty)
}

/// Writes a first load's postings (into empty postings) on `client` and `helper` at once, half the buckets each,
/// and makes the articles searchable:
///
/// 1. the index is dropped (committed: a second connection cannot write while another transaction holds the
///    table for its `DROP INDEX`);
/// 2. each connection copies its half in a transaction of its own;
/// 3. each builds the index of half the partitions;
/// 4. one transaction creates the partitioned index (attaching the partitions' indexes, with no build) and raises
///    the watermark.
///
/// Cut off before 4, the archive answers as before (the new rows are all for articles above the watermark) and
/// has no `postings_bucket`, which tells the next ingest to clear the postings before it fingerprints those
/// articles again ([`restage_unindexed`]).
async fn load_on_two(
    client: &mut Client,
    mut helper: Client,
    held: Vec<Postings>,
    bits: u32,
) -> Result<(), ArchiveError> {
    let doing = "cannot make the new articles searchable";
    let failed = |e| ArchiveError::from_postgres(e, doing);
    client
        .batch_execute("DROP INDEX postings_bucket")
        .await
        .map_err(failed)?;
    // Bucket numbers are uniform hashes: the halves hold about as many entries.
    let middle = if bits == 0 { 0 } else { 1i32 << (bits - 1) };
    let held = std::sync::Arc::new(held);
    let other_half = {
        let held = held.clone();
        tokio::spawn(async move {
            let transaction = helper.transaction().await.map_err(failed)?;
            copy_rows(&transaction, "postings", &held, middle..i32::MAX).await?;
            transaction.commit().await.map_err(failed)?;
            Ok::<Client, ArchiveError>(helper)
        })
    };
    let transaction = client.transaction().await.map_err(failed)?;
    copy_rows(&transaction, "postings", &held, 0..middle).await?;
    transaction.commit().await.map_err(failed)?;
    let helper = other_half
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))?;
    drop(held);
    // The names PostgreSQL gives the partitions' indexes when it builds them itself.
    let build = |partitions: Range<u32>| {
        let mut sql = String::from("BEGIN; SET LOCAL maintenance_work_mem = '256MB';");
        for partition in partitions {
            sql.push_str(&format!(
                " CREATE INDEX postings_p{partition}_bucket_idx ON postings_p{partition} (bucket);"
            ));
        }
        sql + " COMMIT;"
    };
    let half = POSTING_PARTITIONS / 2;
    let (mine, theirs) = (build(0..half), build(half..POSTING_PARTITIONS));
    tokio::try_join!(client.batch_execute(&mine), helper.batch_execute(&theirs)).map_err(failed)?;
    drop(helper);
    client
        .batch_execute(&format!(
            "BEGIN; {CREATE_POSTINGS_INDEX} {RAISE_WATERMARK} COMMIT;"
        ))
        .await
        .map_err(failed)?;
    Ok(())
}

/// Merges the rows of each bucket written by several ingests into one, partition by partition (each in its own
/// transaction, so readers are never blocked). Skipped when buckets average fewer than 1.5 rows, unless
/// `always`.
pub async fn compact(client: &mut Client, always: bool) -> Result<bool, ArchiveError> {
    let doing = "cannot compact the archive's postings";
    let row = client
        .query_one("SELECT count(*), count(DISTINCT bucket) FROM postings", &[])
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    let (rows, buckets): (i64, i64) = (row.get(0), row.get(1));
    if !always && (rows as f64) < 1.5 * buckets as f64 {
        return Ok(false);
    }
    for partition in 0..POSTING_PARTITIONS {
        let transaction = client
            .transaction()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        transaction
            .batch_execute(&format!(
                "SET LOCAL work_mem = '256MB';
                 WITH repeated AS (SELECT bucket FROM postings_p{partition} GROUP BY bucket HAVING count(*) > 1),
                 moved AS (DELETE FROM postings_p{partition} p USING repeated
                           WHERE p.bucket = repeated.bucket RETURNING p.bucket, p.entries)
                 INSERT INTO postings_p{partition} (bucket, entries)
                   SELECT bucket, string_agg(entries, ''::bytea) FROM moved GROUP BY bucket;"
            ))
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        transaction
            .commit()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    }
    Ok(true)
}

/// Removes articles by collection and key (or whole collections with no keys); returns how many.
pub async fn remove(
    archive: &mut Archive,
    collection: &str,
    keys: &[String],
) -> Result<u64, ArchiveError> {
    let doing = "cannot remove articles";
    let rows = if keys.is_empty() {
        archive
            .client
            .query(
                "SELECT id FROM articles WHERE collection = $1",
                &[&collection],
            )
            .await
    } else {
        archive
            .client
            .query(
                "SELECT id FROM articles WHERE collection = $1 AND key = ANY($2)",
                &[&collection, &keys],
            )
            .await
    }
    .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    let ids: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    let bits = archive.bucket_bits;
    for chunk in ids.chunks(2_000) {
        let transaction = archive
            .client
            .transaction()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        remove_articles(&transaction, chunk, bits).await?;
        transaction
            .commit()
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    }
    Ok(ids.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::entry_article;

    fn rows(runs: &[Postings]) -> Vec<(i32, Vec<i64>)> {
        rows_within(runs, ALL_BUCKETS)
    }

    fn rows_within(runs: &[Postings], buckets: Range<i32>) -> Vec<(i32, Vec<i64>)> {
        let mut merged = Merged::new(runs, buckets);
        let mut rows = Vec::new();
        while let Some((bucket, entries)) = merged.next_bucket() {
            rows.push((bucket, entries.to_vec()));
        }
        rows
    }

    #[test]
    fn runs_merge_into_one_row_per_bucket_as_one_run_would() {
        let texts = [
            "The parties oppose the further enlargement of NATO and call on the North Atlantic Alliance",
            "to abandon its ideologized Cold War approaches and to respect the sovereignty of others",
            "The parties oppose the further enlargement of NATO, the statement said on Friday",
            "call on the North Atlantic Alliance to abandon its approaches, the ministers said",
        ];
        let all: Vec<(i32, &str)> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| (i as i32 + 1, *t))
            .collect();
        // Few bits, so that buckets are shared between runs.
        let whole = Postings::of(&all, 4);
        let runs = [
            Postings::of(&all[..1], 4),
            Postings::of(&all[1..3], 4),
            Postings::of(&all[3..], 4),
        ];
        let merged = rows(&runs);
        assert_eq!(merged, rows(std::slice::from_ref(&whole)));
        assert!(
            merged.windows(2).all(|pair| pair[0].0 < pair[1].0),
            "buckets in order, each once"
        );
        // Each bucket's entries are distinct and in article order.
        assert!(merged.iter().all(|(_, entries)| entries
            .windows(2)
            .all(|e| e[0] != e[1] && entry_article(e[0]) <= entry_article(e[1]))));
        let total: usize = runs.iter().map(|run| run.entries.len()).sum();
        assert_eq!(total, merged.iter().map(|(_, e)| e.len()).sum::<usize>());
        assert!(runs.iter().all(|run| run.buckets().next().is_some()));
        assert!(rows(&[]).is_empty());
        assert!(rows(&[Postings::default()]).is_empty());
        // Halves of the buckets, as a first load writes them on two connections, make the same rows.
        for middle in [0, 1, 7, 8, 15, 16] {
            let mut halves = rows_within(&runs, 0..middle);
            assert!(halves.iter().all(|(bucket, _)| *bucket < middle));
            halves.extend(rows_within(&runs, middle..i32::MAX));
            assert_eq!(halves, merged, "split at {middle}");
        }
    }

    #[test]
    fn counting_and_sorting_place_entries_alike() {
        let pairs: Vec<(i32, i64)> = (0..2_000i64)
            .map(|i| (((i * 7919) % 61) as i32, i * 3 - 1_000))
            .collect();
        assert_eq!(
            Postings::counted(pairs.clone(), 6),
            Postings::sorted(pairs.clone())
        );
        assert_eq!(
            Postings::counted(pairs.clone(), 20),
            Postings::sorted(pairs)
        );
        assert_eq!(
            Postings::counted(Vec::new(), 4),
            Postings::sorted(Vec::new())
        );
    }
}
