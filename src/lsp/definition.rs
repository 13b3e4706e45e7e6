//! Owns `textDocument/definition` on a quote: the passage in the source (a `LocationLink` with the whole
//! sentence as target when the client supports links, else a `Location` of the passage).
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Location, LocationLink};

use super::capabilities::ClientCaps;
use super::diagnostics::{source_uri, SourcePositions};
use super::document::Analysis;
use super::position::range_to_lsp;
use crate::engine::Corpus;

pub fn definition(
    analysis: &Analysis,
    offset: usize,
    corpus: &Corpus,
    caps: &ClientCaps,
) -> Option<GotoDefinitionResponse> {
    let finding = super::state::Server::finding_at(analysis, offset)?;
    let passage = finding.passage.as_ref()?;
    let source = corpus.source(passage.source)?;
    let uri = source_uri(source)?;
    let mut positions = SourcePositions::default();
    let target = positions.range(passage.source, source, &passage.range, caps.encoding);
    if caps.definition_links {
        let sentence = passage.sentence.start.min(passage.range.start)
            ..passage.sentence.end.max(passage.range.end);
        Some(GotoDefinitionResponse::Link(vec![LocationLink {
            origin_selection_range: Some(range_to_lsp(
                &analysis.rope,
                &finding.quote.range,
                caps.encoding,
            )),
            target_uri: uri,
            target_range: positions.range(passage.source, source, &sentence, caps.encoding),
            target_selection_range: target,
        }]))
    } else {
        Some(GotoDefinitionResponse::Scalar(Location::new(uri, target)))
    }
}
