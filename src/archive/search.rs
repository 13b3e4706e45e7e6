//! Candidate search in the archive: the buckets of every quote's shingles in one query, votes counted here
//! (distinct shingles an article shares with a quote), then the best articles' texts fetched for the engine to
//! align exactly as it aligns local sources.

use std::collections::HashMap;

use super::connection::ArchiveError;
use super::{bucket_of, entry_article, entry_hash, Archive};
use crate::engine::attribution::SpeakerLabels;
use crate::engine::corpus::PreparedSource;
use crate::engine::fingerprint::{shingles, word_hashes};
use crate::engine::{Corpus, SourceMetadata, TextFormat};

/// Articles a quote's candidates are cut to (plus ties with the last: near-duplicate wire copies).
pub const CANDIDATES_PER_QUOTE: usize = 8;

/// An article that shares shingles with a quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub article: i32,
    /// Distinct shingles of the quote found in the article.
    pub votes: u32,
}

/// An article fetched from the archive.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchivedArticle {
    pub id: i32,
    pub collection: String,
    pub key: String,
    pub format: String,
    pub title: String,
    pub author: Option<String>,
    pub outlet: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    pub text: String,
    /// Who speaks where (a transcript), encoded as stored.
    pub speakers: Option<String>,
}

/// The shingle hashes of a quote given as its text's segments (ranges of `text`).
pub fn quote_shingles(text: &str, segments: &[std::ops::Range<usize>]) -> Vec<u64> {
    let mut words = Vec::new();
    for segment in segments {
        words.extend(word_hashes(text, segment.clone()));
    }
    let mut hashes: Vec<u64> = shingles(&words).into_iter().map(|s| s.hash).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

impl Archive {
    /// The candidate articles of each quote (given by its shingle hashes), best first.
    pub async fn candidates(
        &self,
        quotes: &[Vec<u64>],
    ) -> Result<Vec<Vec<Candidate>>, ArchiveError> {
        let bits = self.bucket_bits;
        // (bucket, low hash) → the quotes holding that shingle.
        let mut wanted: HashMap<(i32, u32), Vec<u32>> = HashMap::new();
        for (index, hashes) in quotes.iter().enumerate() {
            for &hash in hashes {
                wanted
                    .entry((bucket_of(hash, bits), hash as u32))
                    .or_default()
                    .push(index as u32);
            }
        }
        if wanted.is_empty() {
            return Ok(vec![Vec::new(); quotes.len()]);
        }
        let mut buckets: Vec<i32> = wanted.keys().map(|(bucket, _)| *bucket).collect();
        buckets.sort_unstable();
        buckets.dedup();
        let rows = self
            .client
            .query(
                "SELECT bucket, entries FROM postings WHERE bucket = ANY($1)",
                &[&buckets],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, "the archive lookup failed"))?;
        // (quote, article, bucket, low hash): one per distinct shared shingle.
        let mut matches: Vec<(u32, i32, i32, u32)> = Vec::new();
        for row in &rows {
            let bucket: i32 = row.get(0);
            let entries: Vec<i64> = row.get(1);
            for entry in entries {
                if let Some(holders) = wanted.get(&(bucket, entry_hash(entry))) {
                    for &quote in holders {
                        matches.push((quote, entry_article(entry), bucket, entry_hash(entry)));
                    }
                }
            }
        }
        matches.sort_unstable();
        matches.dedup();
        let mut votes: Vec<HashMap<i32, u32>> = vec![HashMap::new(); quotes.len()];
        for (quote, article, _, _) in matches {
            *votes[quote as usize].entry(article).or_default() += 1;
        }
        Ok(votes
            .into_iter()
            .map(|counts| {
                let mut ranked: Vec<Candidate> = counts
                    .into_iter()
                    .map(|(article, votes)| Candidate { article, votes })
                    .collect();
                ranked
                    .sort_unstable_by(|a, b| b.votes.cmp(&a.votes).then(a.article.cmp(&b.article)));
                // An article sharing under a third of the best one's shingles holds a common phrase, not the
                // quote: aligning it would only cost time (a quote's source shares most of its shingles,
                // a drifted one still several).
                let floor = ranked.first().map_or(1, |best| (best.votes / 3).max(1));
                ranked.retain(|c| c.votes >= floor);
                if let Some(last) = ranked.get(CANDIDATES_PER_QUOTE.saturating_sub(1)).copied() {
                    // Keep ties with the last kept (near-duplicate copies), within reason.
                    let keep = ranked
                        .iter()
                        .take_while(|c| c.votes >= last.votes)
                        .count()
                        .min(CANDIDATES_PER_QUOTE * 4);
                    ranked.truncate(keep);
                }
                ranked
            })
            .collect())
    }

    /// The candidates of each quote and the searchable articles among all of them, each fetched once.
    pub async fn candidate_articles(
        &self,
        quotes: &[Vec<u64>],
    ) -> Result<(Vec<Vec<Candidate>>, Vec<ArchivedArticle>), ArchiveError> {
        let candidates = self.candidates(quotes).await?;
        let mut ids: Vec<i32> = candidates
            .iter()
            .flat_map(|list| list.iter().map(|c| c.article))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let articles = self.fetch(&ids).await?;
        Ok((candidates, articles))
    }

    /// The searchable articles with these ids (removed or unfinished ones are left out).
    pub async fn fetch(&self, ids: &[i32]) -> Result<Vec<ArchivedArticle>, ArchiveError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .client
            .query(
                "SELECT id, collection, key, format, title, author, outlet, published, url, text, speakers
                 FROM articles WHERE id = ANY($1) AND indexed ORDER BY id",
                &[&ids],
            )
            .await
            .map_err(|e| ArchiveError::from_postgres(e, "cannot fetch archived articles"))?;
        Ok(rows
            .iter()
            .map(|row| ArchivedArticle {
                id: row.get(0),
                collection: row.get(1),
                key: row.get(2),
                format: row.get(3),
                title: row.get(4),
                author: row.get(5),
                outlet: row.get(6),
                published: row.get(7),
                url: row.get(8),
                text: row.get(9),
                speakers: row.get(10),
            })
            .collect())
    }
}

impl ArchivedArticle {
    /// The key under which the article joins a corpus: `archive:<collection>/<key>`.
    pub fn corpus_key(&self) -> String {
        format!("archive:{}/{}", self.collection, self.key)
    }

    /// Adds the article to a corpus as a source keyed [`ArchivedArticle::corpus_key`], with its stored metadata.
    pub fn add_to(self, corpus: &mut Corpus) {
        corpus.insert_prepared(self.prepare());
    }

    /// The article read as a source (words, terms, metadata), ready to join a corpus: the costly part, which
    /// callers run in parallel and outside any lock on the corpus.
    pub fn prepare(self) -> PreparedSource {
        let key = self.corpus_key();
        let format = if self.format == "markdown" {
            TextFormat::Markdown
        } else {
            TextFormat::PlainText
        };
        let metadata = SourceMetadata {
            title: self.title,
            date: self.published,
            author: self.outlet.or(self.author),
            url: self.url,
        };
        let prepared = Corpus::prepare_source(&key, self.text, format).with_metadata(metadata);
        // Labels that do not read (a hand-edited row) are left out: the text decides then, as for an article.
        match self.speakers.as_deref().and_then(SpeakerLabels::decode) {
            Some(speakers) => prepared.with_speakers(speakers),
            None => prepared,
        }
    }
}
