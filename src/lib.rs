//! verbatim: checks every quotation in a draft against the source articles of the workspace.
//!
//! [`engine`] is pure (text in, findings out); [`workspace`] is the only filesystem user; [`config`] checks
//! settings; [`lineindex`] counts lines and columns; [`cli`] prints findings for `verbatim check`; [`lsp`] is the
//! language server.
#![deny(clippy::print_stdout)]

pub mod archive;
pub mod cli;
pub mod config;
pub mod engine;
pub mod extract;
pub mod lineindex;
pub mod lsp;
pub mod uri;
pub mod workspace;
