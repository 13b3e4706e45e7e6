//! Candidate search in the archive: the buckets of every quote's shingles in one query, articles ranked here
//! by the rarity of the quote's shingles they hold, then the best articles' texts fetched for the engine to
//! align exactly as it aligns local sources.

use std::collections::HashMap;

use super::connection::ArchiveError;
use super::schema::SEARCHABLE;
use super::{
    bucket_of, entry_article, entry_hash, entry_residue, stored_entries, Archive, ENTRY_BYTES,
};
use crate::engine::attribution::SpeakerLabels;
use crate::engine::corpus::PreparedSource;
use crate::engine::fingerprint::{shingles, winnow, word_hashes, Shingle, WINNOW_WINDOW};
use crate::engine::reuse::prose_windows;
use crate::engine::{Corpus, SourceMetadata, TextFormat};

/// Articles a quote's candidates are cut to (plus ties with the last: near-duplicate wire copies).
pub const CANDIDATES_PER_QUOTE: usize = 8;

/// An article that shares shingles with a quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub article: i32,
    /// Distinct shingles of the quote found in the article.
    pub votes: u32,
    /// The rarity of those shingles: the sum of their inverse document frequencies, in thousandths.
    pub score: u32,
}

/// The stored size (bytes) past which a bucket is too common to read: more entries than half a percent of the
/// archive's articles, and at least 512 (a bucket holds the entries of many shingles: at a million articles and
/// 2^20 buckets, ~500 on average).
fn common_bucket_bytes(articles: f64) -> i32 {
    let entries = (articles / 200.0).max(512.0).min(f64::from(i32::MAX / 16));
    (entries * ENTRY_BYTES as f64) as i32
}

/// Articles a prose window's candidates are cut to (plus ties with the last, up to twice as many).
pub const CANDIDATES_PER_WINDOW: usize = 3;

/// Shingles of a prose window an article must hold to be read for copied text: a copied stretch of 8 words
/// (`reuse.min_words`) holds 6 three-word shingles, so at least two of the article's winnowed ones (one in each
/// window of 3).
const WINDOW_MIN_VOTES: u32 = 2;

/// Articles a shingle may be held by and still count as rare for a prose window (see [`copy_floor`]).
const RARE_ARTICLES: f64 = 20.0;

/// The least score (thousandths) of a prose window's candidate in an archive of about `articles` articles: as
/// rare as two shingles each held by [`RARE_ARTICLES`] articles. Every paragraph of a draft is asked about, and
/// most of its prose is the writer's own: an article sharing only set phrases ("said in a statement on
/// Tuesday") with it would be read for nothing, or worse, offer a stretch every outlet prints as copied.
fn copy_floor(articles: f64) -> u32 {
    let weight = (1.0 + articles.max(1.0) / RARE_ARTICLES).ln();
    (2.0 * weight * 1000.0).round() as u32
}

/// Cuts a prose window's ranked candidates to those that may hold a copied stretch of it: at least
/// [`WINDOW_MIN_VOTES`] shingles, scoring at least `floor`, the [`CANDIDATES_PER_WINDOW`] best (plus ties with
/// the last, near-duplicate copies, up to twice as many).
fn keep_copies(ranked: &mut Vec<Candidate>, floor: u32) {
    ranked.retain(|c| c.votes >= WINDOW_MIN_VOTES && c.score >= floor);
    cut_keeping_ties(ranked, CANDIDATES_PER_WINDOW);
}

/// Cuts ranked candidates (best first) to `keep`, keeping the ones tied with the last kept (near-duplicate
/// copies hold the same shingles) up to twice as many.
fn cut_keeping_ties(ranked: &mut Vec<Candidate>, keep: usize) {
    if let Some(last) = ranked.get(keep.saturating_sub(1)).copied() {
        let kept = ranked
            .iter()
            .take_while(|c| c.score >= last.score)
            .count()
            .min(keep * 2);
        ranked.truncate(kept);
    }
}

/// Ranks each quote's candidates from the articles holding its shingles (`held`: `(bucket, low hash, article)`,
/// sorted and distinct) in an archive of about `articles` articles.
fn rank(
    quotes: usize,
    wanted: &HashMap<(i32, u32), Vec<u32>>,
    held: &[(i32, u32, i32)],
    articles: f64,
    per_quote: usize,
) -> Vec<Vec<Candidate>> {
    let mut counts: Vec<HashMap<i32, (u32, f64)>> = vec![HashMap::new(); quotes];
    for group in held.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
        let (bucket, hash, _) = group[0];
        let frequency = group.len() as f64;
        // The archive's size, if its statistics are older than this shingle's spread.
        let total = articles.max(frequency * 2.0).max(1.0);
        let weight = (1.0 + total / frequency).ln();
        for &quote in &wanted[&(bucket, hash)] {
            for &(_, _, article) in group {
                let entry = counts[quote as usize].entry(article).or_default();
                entry.0 += 1;
                entry.1 += weight;
            }
        }
    }
    counts
        .into_iter()
        .map(|counts| {
            let mut ranked: Vec<Candidate> = counts
                .into_iter()
                .map(|(article, (votes, score))| Candidate {
                    article,
                    votes,
                    score: (score * 1000.0).round() as u32,
                })
                .collect();
            ranked.sort_unstable_by(|a, b| {
                b.score
                    .cmp(&a.score)
                    .then(b.votes.cmp(&a.votes))
                    .then(a.article.cmp(&b.article))
            });
            // An article scoring under a third of the best holds a common phrase, not the quote: aligning it
            // would only cost time (a quote's source holds its rare shingles, a drifted one still several).
            let floor = ranked.first().map_or(1, |best| (best.score / 3).max(1));
            ranked.retain(|c| c.score >= floor);
            cut_keeping_ties(&mut ranked, per_quote);
            ranked
        })
        .collect()
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
    distinct_hashes(shingles(&segment_words(text, segments)))
}

/// The shingle hashes a window of prose (its segments, ranges of `text`) is asked about: its winnowed
/// fingerprint, chosen as an article's stored one is, so that a run of words shared with an article keeps the
/// same shingles on both sides (an 8-word run at least two). About half of all its shingles: prose is most of a
/// draft, and each distinct shingle costs an index probe.
pub fn prose_shingles(text: &str, segments: &[std::ops::Range<usize>]) -> Vec<u64> {
    distinct_hashes(winnow(
        &shingles(&segment_words(text, segments)),
        WINNOW_WINDOW,
    ))
}

/// The shingle hashes of every window of a draft's prose outside quotations
/// ([`crate::engine::reuse::prose_windows`], runs of at least `min_words` words), those with any.
pub fn prose_window_shingles(text: &str, format: TextFormat, min_words: usize) -> Vec<Vec<u64>> {
    prose_windows(text, format, min_words)
        .into_iter()
        .map(|window| prose_shingles(text, &window))
        .filter(|shingles| !shingles.is_empty())
        .collect()
}

/// The term hashes of the words of `text`'s segments, in order.
fn segment_words(text: &str, segments: &[std::ops::Range<usize>]) -> Vec<u64> {
    let mut words = Vec::new();
    for segment in segments {
        words.extend(word_hashes(text, segment.clone()));
    }
    words
}

/// The shingles' hashes, sorted, each once.
fn distinct_hashes(shingles: Vec<Shingle>) -> Vec<u64> {
    let mut hashes: Vec<u64> = shingles.into_iter().map(|s| s.hash).collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes
}

impl Archive {
    /// The candidate articles of each quote (given by its shingle hashes), best first: the
    /// [`CANDIDATES_PER_QUOTE`] best plus near-duplicates tied with the last.
    pub async fn candidates(
        &self,
        quotes: &[Vec<u64>],
    ) -> Result<Vec<Vec<Candidate>>, ArchiveError> {
        self.ranked_candidates(quotes, CANDIDATES_PER_QUOTE).await
    }

    /// The candidate articles of each quote, best first, cut to `per_quote` (plus ties with the last kept, up
    /// to twice as many).
    ///
    /// An article scores the rarity of the quote's shingles it holds (the sum of their inverse document
    /// frequencies in the archive), not their number: a short quote shares only a shingle or two with its
    /// source after winnowing, and as many with every article that uses the same common phrase, so counting
    /// them ties the source with hundreds of articles; the shingle no other article holds decides.
    pub async fn ranked_candidates(
        &self,
        quotes: &[Vec<u64>],
        per_quote: usize,
    ) -> Result<Vec<Vec<Candidate>>, ArchiveError> {
        let bits = self.bucket_bits;
        // (bucket, low hash) → the quotes holding that shingle.
        let mut wanted: HashMap<(i32, u32), Vec<u32>> = HashMap::new();
        for (index, hashes) in quotes.iter().enumerate() {
            for &hash in hashes {
                wanted
                    .entry((bucket_of(hash, bits), entry_residue(hash)))
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
        // One index probe per bucket, in the one partition that holds it. `bucket = ANY($1)` is not pruned by
        // partition (every partition's index is probed with every bucket: 16 times the work), and a plain join
        // with the unnested array turns into a hash join over the whole table past a few thousand buckets;
        // a lateral subquery (kept apart by OFFSET 0) is a nested loop whose probes are pruned at run time.
        //
        // A bucket holding a shingle that a good part of the archive shares ("said in a statement") is left
        // out: its entries would outweigh the rest of the lookup many times over (hundreds of kilobytes to
        // detoast, send and count) for a shingle whose rarity weighs next to nothing. Its stored size tells
        // without reading it.
        let most = common_bucket_bytes(self.articles);
        let statement = self
            .lookup
            .get_or_try_init(|| {
                self.client.prepare(
                    "SELECT p.bucket, CASE WHEN pg_column_size(p.entries) <= $2 THEN p.entries END
                     FROM unnest($1::integer[]) AS wanted(bucket)
                     CROSS JOIN LATERAL
                       (SELECT bucket, entries FROM postings WHERE bucket = wanted.bucket OFFSET 0) AS p",
                )
            })
            .await
            .map_err(|e| ArchiveError::from_postgres(e, "the archive lookup failed"))?;
        let rows = self
            .client
            .query(statement, &[&buckets, &most])
            .await
            .map_err(|e| ArchiveError::from_postgres(e, "the archive lookup failed"))?;
        // (bucket, low hash, article): one per article holding a wanted shingle.
        let mut held: Vec<(i32, u32, i32)> = Vec::new();
        for row in &rows {
            let bucket: i32 = row.get(0);
            let Some(entries) = row.get::<_, Option<&[u8]>>(1) else {
                continue;
            };
            for entry in stored_entries(entries) {
                if wanted.contains_key(&(bucket, entry_hash(entry))) {
                    held.push((bucket, entry_hash(entry), entry_article(entry)));
                }
            }
        }
        held.sort_unstable();
        held.dedup();
        Ok(rank(quotes.len(), &wanted, &held, self.articles, per_quote))
    }

    /// The candidates of each quote, then of each window of prose (see [`crate::engine::reuse::prose_windows`];
    /// only articles that hold a stretch of it: [`keep_copies`]), all in one query, and the searchable articles
    /// among all of them, each fetched once.
    pub async fn candidate_articles(
        &self,
        quotes: &[Vec<u64>],
        windows: &[Vec<u64>],
    ) -> Result<(Vec<Vec<Candidate>>, Vec<ArchivedArticle>), ArchiveError> {
        let mut candidates = if windows.is_empty() {
            self.candidates(quotes).await?
        } else {
            let asked: Vec<Vec<u64>> = quotes.iter().chain(windows).cloned().collect();
            self.candidates(&asked).await?
        };
        let floor = copy_floor(self.articles);
        for list in &mut candidates[quotes.len()..] {
            keep_copies(list, floor);
        }
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
                &format!(
                    "SELECT id, collection, key, format, title, author, outlet, published, url, text, speakers
                     FROM articles WHERE id = ANY($1) AND {SEARCHABLE} ORDER BY id"
                ),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `wanted` for one quote holding these (bucket, low hash) shingles.
    fn one_quote(shingles: &[(i32, u32)]) -> HashMap<(i32, u32), Vec<u32>> {
        shingles.iter().map(|&key| (key, vec![0])).collect()
    }

    /// `held` from (bucket, low hash, articles holding it).
    fn holding(postings: &[((i32, u32), std::ops::Range<i32>)]) -> Vec<(i32, u32, i32)> {
        let mut held: Vec<(i32, u32, i32)> = postings
            .iter()
            .flat_map(|&((bucket, hash), ref articles)| {
                articles.clone().map(move |article| (bucket, hash, article))
            })
            .collect();
        held.sort_unstable();
        held
    }

    #[test]
    fn the_article_holding_a_rare_shingle_outranks_those_sharing_more_common_ones() {
        // A short quote of three shingles: two common phrases (in articles 1..400 and 1..300) and one that only
        // article 777 holds. Counting shingles would rank 299 articles above the source.
        let wanted = one_quote(&[(1, 10), (2, 20), (3, 30)]);
        let held = holding(&[((1, 10), 1..400), ((2, 20), 1..300), ((3, 30), 777..778)]);
        let ranked = rank(1, &wanted, &held, 10_000.0, 8);
        assert_eq!(ranked[0][0].article, 777);
        assert_eq!(ranked[0][0].votes, 1);
        // The common-phrase articles that share both are kept only as far as the cut and its ties allow.
        assert!(ranked[0].len() <= 16, "{}", ranked[0].len());
    }

    #[test]
    fn copies_tied_with_the_last_kept_stay_within_reason() {
        // Twelve identical copies hold all the quote's shingles: the 8 best plus ties, at most twice the cut.
        let wanted = one_quote(&[(1, 10), (2, 20)]);
        let held = holding(&[((1, 10), 100..112), ((2, 20), 100..112)]);
        let ranked = rank(1, &wanted, &held, 10_000.0, 8);
        assert_eq!(ranked[0].len(), 12);
        let held = holding(&[((1, 10), 100..140), ((2, 20), 100..140)]);
        assert_eq!(rank(1, &wanted, &held, 10_000.0, 8)[0].len(), 16);
    }

    #[test]
    fn articles_far_below_the_best_are_dropped_and_quotes_are_ranked_apart() {
        // Quote 0: article 5 holds all four of its rare shingles, article 6 one of them.
        // Quote 1 shares nothing with anyone.
        let mut wanted = one_quote(&[(1, 1), (2, 2), (3, 3), (4, 4)]);
        wanted.insert((9, 9), vec![1]);
        let held = holding(&[
            ((1, 1), 5..7),
            ((2, 2), 5..6),
            ((3, 3), 5..6),
            ((4, 4), 5..6),
        ]);
        let ranked = rank(2, &wanted, &held, 10_000.0, 8);
        assert_eq!(
            ranked[0].iter().map(|c| c.article).collect::<Vec<_>>(),
            vec![5]
        );
        assert_eq!(ranked[0][0].votes, 4);
        assert!(ranked[1].is_empty());
    }

    #[test]
    fn a_prose_window_reads_only_articles_holding_rare_shingles_of_it() {
        // Article 1 holds two shingles no other article holds (a copied stretch); articles 2..300 share two set
        // phrases with the window; article 400 holds one rare shingle alone (a name, say).
        let wanted = one_quote(&[(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]);
        let held = holding(&[
            ((1, 1), 1..2),
            ((2, 2), 1..2),
            ((3, 3), 2..300),
            ((4, 4), 2..300),
            ((5, 5), 400..401),
        ]);
        let mut ranked = rank(1, &wanted, &held, 100_000.0, CANDIDATES_PER_QUOTE).remove(0);
        keep_copies(&mut ranked, copy_floor(100_000.0));
        assert_eq!(
            ranked.iter().map(|c| c.article).collect::<Vec<_>>(),
            vec![1]
        );
        // Copies of one article tied with the last kept stay, within reason.
        let held = holding(&[((1, 1), 10..25), ((2, 2), 10..25)]);
        let mut ranked = rank(1, &wanted, &held, 100_000.0, CANDIDATES_PER_QUOTE).remove(0);
        keep_copies(&mut ranked, copy_floor(100_000.0));
        assert_eq!(ranked.len(), CANDIDATES_PER_WINDOW * 2);
        // In a small archive the floor is low, but one shingle is still not enough.
        assert!(copy_floor(30.0) < copy_floor(100_000.0));
    }

    #[test]
    fn a_bucket_is_common_past_a_share_of_the_archive() {
        assert_eq!(common_bucket_bytes(0.0), 512 * ENTRY_BYTES as i32);
        assert_eq!(common_bucket_bytes(100_000.0), 512 * ENTRY_BYTES as i32);
        assert_eq!(common_bucket_bytes(1_000_000.0), 5_000 * ENTRY_BYTES as i32);
    }
}
