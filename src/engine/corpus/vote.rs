//! The candidate vote: a quote's rarest terms vote for the sources containing them, each with its inverse
//! document frequency. One [`Vote`] says which terms vote, in which order and with which weights; a source's
//! score is the sum of the weights of the voting terms it contains, added in that order, whether it is summed
//! over the postings ([`Corpus::candidates`]) or for one source ([`Vote::score`]), so both give the same `f32`.

use super::{distinct, Corpus, SourceId};

/// Postings a quote's terms may vote with before the vote stops (past the first [`ALWAYS_VOTING`] terms).
const VOTE_VOLUME: usize = 400_000;
/// The rarest terms vote whatever their postings.
const ALWAYS_VOTING: usize = 4;

/// The vote of one quote's terms.
#[derive(Clone, Debug)]
pub struct Vote {
    /// The quote's distinct terms, sorted, with their document frequencies (0 for a term no source has).
    terms: Vec<(u32, u32)>,
    /// The terms that vote, in voting order: rarest first (ties by term id), those no source contains left
    /// out; the rarest [`ALWAYS_VOTING`] always, the others while the postings volume stays within
    /// [`VOTE_VOLUME`].
    voting: Vec<u32>,
    /// Each voting term's weight ([`Corpus::weight`]).
    weights: Vec<f32>,
}

impl Vote {
    /// The quote's distinct terms with their document frequencies, as the vote saw them.
    pub fn terms(&self) -> &[(u32, u32)] {
        &self.terms
    }

    /// How many terms vote.
    pub fn voters(&self) -> usize {
        self.voting.len()
    }

    /// The score of a source holding the voting terms for which `contains` is true.
    pub fn score(&self, contains: impl Fn(u32) -> bool) -> f32 {
        let mut score = 0f32;
        for (&term, &weight) in self.voting.iter().zip(&self.weights) {
            if contains(term) {
                score += weight;
            }
        }
        score
    }
}

/// The order of candidate sources: higher vote score first, ties by id.
pub fn by_vote(a: &(SourceId, f32), b: &(SourceId, f32)) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.0.cmp(&b.0))
}

impl Corpus {
    /// Inverse document frequency of a term (0 for unknown terms).
    pub fn weight(&self, term: u32) -> f32 {
        match self.document_frequency.get(term as usize) {
            Some(&frequency) if frequency > 0 => (1.0 + self.live as f32 / frequency as f32).ln(),
            _ => 0.0,
        }
    }

    /// The vote of a quote's terms (term ids; repeated and unknown ones are fine).
    pub fn vote(&self, quote_terms: &[u32]) -> Vote {
        let terms = distinct(quote_terms)
            .into_iter()
            .map(|t| (t, self.document_frequency(t).unwrap_or(0)))
            .collect();
        self.vote_of(terms)
    }

    /// The vote of terms whose document frequencies were taken earlier (`terms` as [`Vote::terms`] gave them):
    /// the voting terms are chosen by those frequencies and weighted by today's.
    pub fn vote_of(&self, terms: Vec<(u32, u32)>) -> Vote {
        let mut order: Vec<(u32, u32)> = terms.iter().copied().filter(|&(_, df)| df > 0).collect();
        order.sort_by_key(|&(term, df)| (df, term));
        let mut volume = 0usize;
        let mut voting = Vec::with_capacity(order.len());
        for (rank, (term, _)) in order.into_iter().enumerate() {
            let (base, extra) = self.postings.lists(term);
            let postings = base.len() + extra.len();
            if rank >= ALWAYS_VOTING && volume + postings > VOTE_VOLUME {
                break;
            }
            volume += postings;
            voting.push(term);
        }
        Vote {
            weights: voting.iter().map(|&t| self.weight(t)).collect(),
            terms,
            voting,
        }
    }

    /// The sources with the best scores in a vote, best first ([`by_vote`]) with their scores: at most
    /// `limit`, more when several tie with the last one (within 0.1%, as near-duplicate wire copies do), up to
    /// `2 * limit`.
    pub fn candidates(&self, vote: &Vote, limit: usize) -> Vec<(SourceId, f32)> {
        // Dense scores + a touched list (no hashing); partial selection before sorting. The weights are added
        // in voting order, as `Vote::score` adds them.
        let mut scores = vec![0f32; self.entries.len()];
        let mut touched: Vec<SourceId> = Vec::new();
        for (&term, &weight) in vote.voting.iter().zip(&vote.weights) {
            let (base, extra) = self.postings.lists(term);
            for &id in base.iter().chain(extra) {
                let Some(score) = scores.get_mut(id as usize) else {
                    continue;
                };
                if *score == 0.0 {
                    touched.push(id);
                }
                *score += weight;
            }
        }
        let mut ranked: Vec<(SourceId, f32)> = touched
            .into_iter()
            .filter(|&id| self.is_live(id))
            .map(|id| (id, scores[id as usize]))
            .collect();
        if ranked.len() > limit * 2 {
            ranked.select_nth_unstable_by(limit * 2 - 1, by_vote);
            ranked.truncate(limit * 2);
        }
        ranked.sort_by(by_vote);
        if ranked.len() > limit {
            let cut = ranked[limit - 1].1;
            let keep = ranked
                .iter()
                .take_while(|(_, score)| *score >= cut * 0.999)
                .count()
                .max(limit);
            ranked.truncate(keep.min(limit * 2));
        }
        ranked
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TextFormat;

    /// The postings sum and the per-source sum give bit-identical scores (the verdict cache relies on it).
    #[test]
    fn both_sums_agree() {
        let mut corpus = Corpus::new();
        let words = [
            "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
        ];
        for i in 0..40 {
            let text: Vec<&str> = (0..6)
                .map(|j| words[(i * 7 + j * 3) % words.len()])
                .collect();
            corpus.upsert_source(&format!("s{i}.md"), text.join(" "), TextFormat::Markdown);
        }
        let mut scratch = String::new();
        let quote: Vec<u32> = ["alpha", "gamma", "eta", "kappa", "unknown"]
            .iter()
            .map(|w| corpus.term_id(crate::engine::normalize::term_hash(w, &mut scratch)))
            .collect();
        let vote = corpus.vote(&quote);
        let candidates = corpus.candidates(&vote, 8);
        assert!(!candidates.is_empty());
        for (id, score) in candidates {
            let terms = corpus.distinct_terms(id);
            let own = vote.score(|t| terms.binary_search(&t).is_ok());
            assert_eq!(own.to_bits(), score.to_bits());
        }
    }
}
