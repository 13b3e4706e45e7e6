//! verbatim: checks quotations in drafts against source articles.
pub mod engine;
