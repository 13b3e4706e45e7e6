//! The archive's schema and its versioned migrations: applied in order, each once, in one transaction under
//! an advisory lock, so `verbatim archive init` is idempotent and safe to run from two machines at once.

use tokio_postgres::Client;

use super::connection::{ArchiveError, ErrorKind};
use crate::engine::fingerprint::FINGERPRINT_VERSION;

/// Partitions of the postings table (by hash of the bucket). Citus distributes the same column.
pub const POSTING_PARTITIONS: u32 = 16;

/// Bits of a shingle hash that choose its bucket (2^20 buckets: ~500 postings a bucket at a million articles).
pub const BUCKET_BITS: u32 = 20;

/// The advisory lock key that serialises migrations (and ingests, with [`INGEST_LOCK`]).
const MIGRATION_LOCK: i64 = 0x7665_7262_6174_0001;

/// Held by the one ingest that may run at a time.
pub const INGEST_LOCK: i64 = 0x7665_7262_6174_0002;

/// One step of the schema.
struct Migration {
    version: i32,
    description: &'static str,
    sql: fn() -> String,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        description: "articles, bucketed shingle postings partitioned by hash, settings",
        sql: migration_1,
    },
    Migration {
        version: 2,
        description: "who speaks where in an archived transcript",
        sql: migration_2,
    },
    Migration {
        version: 3,
        description: "posting arrays stored uncompressed; articles searchable up to a watermark",
        sql: migration_3,
    },
    Migration {
        version: 4,
        description: "posting entries as 8-byte big-endian bytes instead of bigint arrays",
        sql: migration_4,
    },
    Migration {
        version: 5,
        description: "posting entries in 6 bytes (the hash's low 16 bits and the article id)",
        sql: migration_5,
    },
];

/// Posting arrays stored out of line without compression: their entries (a hash's low bits and an article id)
/// do not compress, and PostgreSQL tried on every array written (pglz, a twentieth of an ingest's time) before
/// storing them as they were (8.0 bytes an entry at 100,000 articles).
///
/// Which articles are searchable is a watermark, `searchable_through`: the articles with ids up to it. Ids
/// only grow and one ingest runs at a time, so an ingest's articles are those above it until its postings are
/// merged, when the same transaction raises it. Flipping a per-article `indexed` flag instead rewrote every new
/// article's row and its four index entries (1.8 s of a 22 s ingest of 100,000 articles).
fn migration_3() -> String {
    "ALTER TABLE postings ALTER COLUMN entries SET STORAGE EXTERNAL;
     ALTER TABLE postings_staging ALTER COLUMN entries SET STORAGE EXTERNAL;
     INSERT INTO verbatim_settings (key, value)
       SELECT 'searchable_through', coalesce(max(id), 0)::text FROM articles WHERE indexed;
     DELETE FROM articles WHERE NOT indexed AND id <= (SELECT coalesce(max(id), 0) FROM articles WHERE indexed);
     ALTER TABLE articles DROP COLUMN indexed;"
        .to_string()
}

/// Posting entries as a `bytea` of 8-byte big-endian entries (the same `hash << 32 | article` values). A
/// `bigint[]` cost PostgreSQL a call per element to read each array (the ingest's final COPY of its postings was
/// a quarter of its time, on one backend) and sent 12 bytes an entry; bytes are copied as they come, and rows of
/// a bucket still concatenate (`string_agg`) and filter by article in SQL. Stored uncompressed, as before.
///
/// Article texts stay compressed (LZ4). On the benchmark's generated corpus that costs 12% of the ingest's speed
/// (42 against 47.5 MB/s on fresh clusters) and saves 8% of the texts' size; real news compresses to 70% (200
/// articles of the annotated news set, each compressed alone as PostgreSQL does), which a durable server writes
/// (WAL and table) and stores for years. README tells how to store them uncompressed for a bulk load.
///
/// The buckets' statistics sample 3,000 rows instead of 30,000: a bucket is one row (a few after several
/// ingests), which a small sample shows as well, and the ANALYZE closing an ingest read 16 partitions' pages
/// for it (0.7 s of a 17 s ingest of 100,000 articles).
fn migration_4() -> String {
    "CREATE FUNCTION verbatim_entries_bytes(bigint[]) RETURNS bytea LANGUAGE sql IMMUTABLE AS
       $$ SELECT coalesce(string_agg(int8send(e), ''::bytea ORDER BY o), ''::bytea)
          FROM unnest($1) WITH ORDINALITY AS u(e, o) $$;
     ALTER TABLE postings ALTER COLUMN entries TYPE bytea USING verbatim_entries_bytes(entries);
     ALTER TABLE postings_staging ALTER COLUMN entries TYPE bytea USING verbatim_entries_bytes(entries);
     ALTER TABLE postings ALTER COLUMN entries SET STORAGE EXTERNAL;
     ALTER TABLE postings_staging ALTER COLUMN entries SET STORAGE EXTERNAL;
     DROP FUNCTION verbatim_entries_bytes(bigint[]);
     DROP AGGREGATE verbatim_array_cat(anycompatiblearray);
     ALTER TABLE postings ALTER COLUMN bucket SET STATISTICS 10;"
        .to_string()
}

/// Posting entries in 6 bytes: the low 16 bits of the shingle hash (with the bucket's 20, 36 bits tell a shingle
/// from the others of its bucket) and the article id, where 8 kept 32 bits of the hash. The postings are a
/// quarter smaller, and the ingest's last phase (PostgreSQL receiving, storing and logging them) writes that much
/// less. An 8-byte entry's last six bytes are its 6-byte form. The tables are rewritten (`ALTER … TYPE … USING`,
/// as migration 4 did), not updated in place: an `UPDATE` of every row left the old rows' space behind (the
/// postings of 100,000 articles grew from 497 to 883 MB until a vacuum). Once, in about half a minute for
/// 100,000 articles.
fn migration_5() -> String {
    "CREATE FUNCTION verbatim_entries_6(bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS
       $$ SELECT coalesce(string_agg(substr($1, at + 2, 6), ''::bytea ORDER BY at), ''::bytea)
          FROM generate_series(1, length($1), 8) AS at $$;
     ALTER TABLE postings ALTER COLUMN entries TYPE bytea USING verbatim_entries_6(entries);
     ALTER TABLE postings_staging ALTER COLUMN entries TYPE bytea USING verbatim_entries_6(entries);
     ALTER TABLE postings ALTER COLUMN entries SET STORAGE EXTERNAL;
     ALTER TABLE postings_staging ALTER COLUMN entries SET STORAGE EXTERNAL;
     DROP FUNCTION verbatim_entries_6(bytea);"
        .to_string()
}

/// The condition on `articles` of an article whose postings are merged (searchable).
pub const SEARCHABLE: &str =
    "id <= (SELECT value::integer FROM verbatim_settings WHERE key = 'searchable_through')";

/// `articles.speakers`: a transcript's speaker labels (`start\tend\tname` lines over the stored text), which
/// decide whom a passage is credited to as they do for a local source.
fn migration_2() -> String {
    "ALTER TABLE articles ADD COLUMN speakers text;".to_string()
}

fn migration_1() -> String {
    let mut sql = format!(
        "CREATE TABLE verbatim_settings (key text PRIMARY KEY, value text NOT NULL);
         INSERT INTO verbatim_settings VALUES
           ('fingerprint_version', '{FINGERPRINT_VERSION}'),
           ('bucket_bits', '{BUCKET_BITS}');
         CREATE SEQUENCE articles_id_seq AS integer;
         CREATE TABLE articles (
           id integer PRIMARY KEY DEFAULT nextval('articles_id_seq'),
           collection text NOT NULL,
           key text NOT NULL,
           content_hash bytea NOT NULL,
           bytes bigint NOT NULL,
           format text NOT NULL,
           title text NOT NULL DEFAULT '',
           author text,
           outlet text,
           published text,
           url text,
           text text NOT NULL,
           indexed boolean NOT NULL DEFAULT false,
           ingested_at timestamptz NOT NULL DEFAULT now(),
           UNIQUE (collection, key)
         );
         ALTER SEQUENCE articles_id_seq OWNED BY articles.id;
         CREATE INDEX articles_content_hash ON articles (content_hash);
         CREATE INDEX articles_unindexed ON articles (id) WHERE NOT indexed;
         CREATE TABLE postings (bucket integer NOT NULL, entries bigint[] NOT NULL)
           PARTITION BY HASH (bucket);
         CREATE UNLOGGED TABLE postings_staging (bucket integer NOT NULL, entries bigint[] NOT NULL);
         CREATE AGGREGATE verbatim_array_cat(anycompatiblearray) (SFUNC = array_cat, STYPE = anycompatiblearray);
"
    );
    for remainder in 0..POSTING_PARTITIONS {
        sql.push_str(&format!(
            "CREATE TABLE postings_p{remainder} PARTITION OF postings \
             FOR VALUES WITH (MODULUS {POSTING_PARTITIONS}, REMAINDER {remainder});\n"
        ));
    }
    sql.push_str("CREATE INDEX postings_bucket ON postings (bucket);\n");
    sql
}

/// The newest schema version this build knows.
pub fn latest_version() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// What `init` did.
#[derive(Debug, PartialEq, Eq)]
pub struct InitReport {
    pub applied: Vec<(i32, &'static str)>,
    pub version: i32,
}

/// Creates or upgrades the schema. Idempotent.
pub async fn migrate(client: &mut Client) -> Result<InitReport, ArchiveError> {
    migrate_through(client, latest_version()).await
}

/// Applies the migrations up to `last` only: an archive as an older verbatim left it, which the upgrade tests
/// start from.
#[doc(hidden)]
pub async fn migrate_through(client: &mut Client, last: i32) -> Result<InitReport, ArchiveError> {
    let doing = "cannot set up the archive's schema";
    let transaction = client
        .transaction()
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    transaction
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS verbatim_migrations (
               version integer PRIMARY KEY,
               description text NOT NULL,
               applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    let current: i32 = transaction
        .query_one(
            "SELECT coalesce(max(version), 0) FROM verbatim_migrations",
            &[],
        )
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?
        .get(0);
    if current > latest_version() {
        return Err(ArchiveError::new(
            ErrorKind::Schema,
            format!(
                "the archive's schema is version {current}, newer than this verbatim knows ({}); \
                 upgrade verbatim",
                latest_version()
            ),
        ));
    }
    let mut applied = Vec::new();
    for migration in MIGRATIONS
        .iter()
        .filter(|m| m.version > current && m.version <= last)
    {
        transaction
            .batch_execute(&(migration.sql)())
            .await
            .map_err(|e| {
                ArchiveError::from_postgres(e, &format!("migration {} failed", migration.version))
            })?;
        transaction
            .execute(
                "INSERT INTO verbatim_migrations (version, description) VALUES ($1, $2)",
                &[&migration.version, &migration.description],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, doing))?;
        applied.push((migration.version, migration.description));
    }
    transaction
        .commit()
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    // Compressing article texts with LZ4 is faster than the default where the server was built with it.
    if !applied.is_empty() {
        let _ = client
            .batch_execute("ALTER TABLE articles ALTER COLUMN text SET COMPRESSION lz4")
            .await;
    }
    Ok(InitReport {
        applied,
        version: current.max(last.min(latest_version())),
    })
}

/// Checks that the archive has a schema this build can read and was fingerprinted the same way; returns its
/// bucket bits.
pub async fn check_compatible(client: &Client) -> Result<u32, ArchiveError> {
    let doing = "cannot read the archive";
    let version: i32 = match client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM verbatim_migrations",
            &[],
        )
        .await
    {
        Ok(row) => row.get(0),
        Err(error) => {
            let error = ArchiveError::from_postgres(error, doing);
            if error.kind == ErrorKind::Schema {
                return Err(ArchiveError::new(
                    ErrorKind::Schema,
                    "the archive has no schema yet: run `verbatim archive init` (with a writer role)",
                ));
            }
            return Err(error);
        }
    };
    if version != latest_version() {
        return Err(ArchiveError::new(
            ErrorKind::Schema,
            format!(
                "the archive's schema is version {version}, this verbatim needs {}: {}",
                latest_version(),
                if version < latest_version() {
                    "run `verbatim archive init` to upgrade it"
                } else {
                    "upgrade verbatim"
                }
            ),
        ));
    }
    let rows = client
        .query("SELECT key, value FROM verbatim_settings", &[])
        .await
        .map_err(|e| ArchiveError::from_postgres(e, doing))?;
    let setting = |name: &str| -> Option<String> {
        rows.iter()
            .find(|row| row.get::<_, &str>(0) == name)
            .map(|row| row.get::<_, String>(1))
    };
    let fingerprint: i32 = setting("fingerprint_version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if fingerprint != FINGERPRINT_VERSION {
        return Err(ArchiveError::new(
            ErrorKind::Schema,
            format!(
                "the archive was fingerprinted by another version of verbatim ({fingerprint}, this one uses \
                 {FINGERPRINT_VERSION}); re-ingest it"
            ),
        ));
    }
    let bits = setting("bucket_bits")
        .and_then(|v| v.parse().ok())
        .filter(|bits| (8..=30).contains(bits))
        .unwrap_or(BUCKET_BITS);
    Ok(bits)
}
