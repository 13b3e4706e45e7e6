//! The shared newsroom archive in PostgreSQL — the only module that talks to a database: its schema
//! ([`schema`]), connections ([`connection`]), bulk ingestion ([`ingest`]) and candidate search ([`search`]).
//!
//! Design: each article's text is kept whole; its winnowed word-shingle fingerprint
//! ([`crate::engine::fingerprint`]) goes into `postings`, grouped by bucket (the high bits of the shingle hash):
//! one row holds a bucket's entries as a `bytea` of 6-byte big-endian entries (the hash's low 16 bits, the article id). A quote's
//! shingles name a few dozen buckets; one index probe each fetches them, the client weighs the shingles each
//! article shares with the quote by their rarity, and the best articles' texts are fetched and aligned by the
//! same engine as local sources — so an archived article gives exactly the verdict it gives as a local source.
//! Grouping by bucket keeps the postings near 6 bytes an entry (a row per posting costs ~50), and the table is
//! partitioned by hash of the bucket so it can be spread over nodes (ARCHITECTURE.md shows the Citus layout).

pub mod connection;
pub mod ingest;
pub mod schema;
pub mod search;

use std::time::Duration;

pub use connection::{ArchiveError, Credentials, ErrorKind, Resolved, Target, UrlOrigin};
pub use ingest::{Ingest, IngestSummary, NewArticle};
pub use search::{ArchivedArticle, Candidate};

use tokio_postgres::Client;

/// Statement timeout for an editor's or CI's lookups: a keystroke never waits long for the archive.
pub const LOOKUP_TIMEOUT: Duration = Duration::from_secs(2);

/// Statement timeout for ingestion and maintenance (large merges may take minutes at a million articles).
pub const INGEST_TIMEOUT: Duration = Duration::from_secs(3600);

/// The bucket of a shingle hash.
pub fn bucket_of(hash: u64, bits: u32) -> i32 {
    (hash >> (64 - bits)) as i32
}

/// The bits of a shingle hash a posting entry keeps beside its bucket: the low 16. With the bucket's 20 bits
/// that tells a shingle from the others of its bucket (~54 entries a bucket at 100,000 articles, ~540 at a
/// million) but for about one in 1,200 (one in 120 at a million), which then adds a rare article to a quote's
/// candidates for the engine's alignment to reject. Keeping 32 bits cost two more bytes an entry: a third more
/// postings to write and store.
pub fn entry_residue(hash: u64) -> u32 {
    (hash & 0xffff) as u32
}

/// One posting entry in memory: the shingle's [`entry_residue`] above the article id (sorting entries sorts by
/// residue, then article).
pub fn entry_of(hash: u64, article: i32) -> i64 {
    ((u64::from(entry_residue(hash)) << 32) | u64::from(article as u32)) as i64
}

/// Bytes of one posting entry as stored: its residue (2 bytes) and article id (4), big-endian.
pub const ENTRY_BYTES: usize = 6;

/// Appends an entry as stored.
pub fn store_entry(entry: i64, out: &mut impl bytes::BufMut) {
    out.put_u16((entry as u64 >> 32) as u16);
    out.put_u32(entry as u64 as u32);
}

/// The entries of a stored posting row ([`ENTRY_BYTES`] each; a torn tail is ignored).
pub fn stored_entries(bytes: &[u8]) -> impl Iterator<Item = i64> + '_ {
    bytes.chunks_exact(ENTRY_BYTES).map(|chunk| {
        let residue = u64::from(u16::from_be_bytes([chunk[0], chunk[1]]));
        let article = u64::from(u32::from_be_bytes([chunk[2], chunk[3], chunk[4], chunk[5]]));
        ((residue << 32) | article) as i64
    })
}

/// The article id of a posting entry.
pub fn entry_article(entry: i64) -> i32 {
    (entry as u64 & 0xffff_ffff) as u32 as i32
}

/// The shingle's [`entry_residue`] of a posting entry.
pub fn entry_hash(entry: i64) -> u32 {
    ((entry as u64) >> 32) as u32
}

/// An open archive: a client whose schema was checked.
pub struct Archive {
    pub client: Client,
    pub bucket_bits: u32,
    pub display: String,
    /// About how many articles the archive holds (its statistics' estimate), which weighs a shingle's rarity.
    pub articles: f64,
    /// The candidate search, prepared once per connection.
    lookup: tokio::sync::OnceCell<tokio_postgres::Statement>,
    /// Where and how it connected, for a second connection ([`Archive::connect_again`]).
    target: Resolved,
    statement_timeout: Duration,
}

impl Archive {
    /// Connects and checks that the schema is one this build reads.
    pub async fn open(
        target: &Resolved,
        statement_timeout: Duration,
    ) -> Result<Archive, ArchiveError> {
        let client = target.connect(statement_timeout).await?;
        let bucket_bits = schema::check_compatible(&client).await?;
        // The planner's estimate costs nothing to read; a count(*) would scan a million rows.
        let articles = client
            .query_one(
                "SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'articles'::regclass",
                &[],
            )
            .await
            .map(|row| row.get::<_, f64>(0))
            .unwrap_or(0.0);
        Ok(Archive {
            client,
            articles,
            lookup: tokio::sync::OnceCell::new(),
            bucket_bits,
            display: target.display().to_string(),
            target: target.clone(),
            statement_timeout,
        })
    }

    /// Another connection to the same archive, with the same statement timeout (an ingest writes its postings
    /// on two).
    pub async fn connect_again(&self) -> Result<Client, ArchiveError> {
        self.target.connect(self.statement_timeout).await
    }

    /// Connects for an editor's or CI's lookups: statements time out after [`LOOKUP_TIMEOUT`], and their plans
    /// are made once per connection. The candidate search's plan does not depend on how many buckets it
    /// probes (one index probe each), and planning it afresh over 16 partitions took 4-8 ms a lookup.
    pub async fn open_for_lookups(target: &Resolved) -> Result<Archive, ArchiveError> {
        let archive = Archive::open(target, LOOKUP_TIMEOUT).await?;
        // A server older than 12 has no such setting: it plans as it always did.
        let _ = archive
            .client
            .batch_execute("SET plan_cache_mode = force_generic_plan")
            .await;
        Ok(archive)
    }

    /// Figures for `verbatim archive stats`.
    pub async fn stats(&self) -> Result<Stats, ArchiveError> {
        let doing = "cannot read the archive's statistics";
        let row = self
            .client
            .query_one(
                &format!(
                    "SELECT count(*), coalesce(sum(bytes), 0)::bigint, coalesce(sum(octet_length(text)), 0)::bigint,
                            count(*) FILTER (WHERE NOT ({})), count(DISTINCT collection)
                     FROM articles",
                    schema::SEARCHABLE
                ),
                &[],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        let postings = self
            .client
            .query_one(
                &format!(
                    "SELECT count(*), coalesce(sum(length(entries) / {ENTRY_BYTES}), 0)::bigint FROM postings"
                ),
                &[],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        let sizes = self
            .client
            .query_one(
                "SELECT pg_total_relation_size('articles'),
                        (SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0)::bigint
                           FROM pg_inherits WHERE inhparent = 'postings'::regclass)",
                &[],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        let collections = self
            .client
            .query(
                "SELECT collection, count(*) FROM articles GROUP BY collection ORDER BY collection",
                &[],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        let version: i32 = self
            .client
            .query_one("SELECT max(version) FROM verbatim_migrations", &[])
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?
            .get(0);
        Ok(Stats {
            schema_version: version,
            articles: row.get(0),
            original_bytes: row.get(1),
            text_bytes: row.get(2),
            unindexed: row.get(3),
            posting_rows: postings.get(0),
            posting_entries: postings.get(1),
            articles_bytes: sizes.get(0),
            postings_bytes: sizes.get(1),
            collections: collections
                .iter()
                .map(|row| (row.get(0), row.get(1)))
                .collect(),
        })
    }
}

/// What `verbatim archive stats` prints.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub schema_version: i32,
    pub articles: i64,
    /// Bytes of the original files (HTML, PDF…).
    pub original_bytes: i64,
    /// Bytes of the text verbatim checks against.
    pub text_bytes: i64,
    /// Articles stored but not yet searchable (an ingest was interrupted; the next one completes it).
    pub unindexed: i64,
    pub posting_rows: i64,
    pub posting_entries: i64,
    /// Table + TOAST + index bytes.
    pub articles_bytes: i64,
    pub postings_bytes: i64,
    pub collections: Vec<(String, i64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_stored_in_six_bytes_and_read_back() {
        let hash = 0x1234_5678_9abc_def0u64;
        let mut stored = Vec::new();
        for article in [1, 7, i32::MAX] {
            store_entry(entry_of(hash, article), &mut stored);
        }
        assert_eq!(stored.len(), 3 * ENTRY_BYTES);
        assert_eq!(&stored[..ENTRY_BYTES], &[0xde, 0xf0, 0, 0, 0, 1]);
        let read: Vec<i64> = stored_entries(&stored).collect();
        assert_eq!(
            read.iter().map(|e| entry_article(*e)).collect::<Vec<_>>(),
            [1, 7, i32::MAX]
        );
        assert!(read.iter().all(|e| entry_hash(*e) == entry_residue(hash)));
        assert_eq!(entry_residue(hash), 0xdef0);
        // A torn tail is left out.
        assert_eq!(stored_entries(&stored[..ENTRY_BYTES + 3]).count(), 1);
    }
}
