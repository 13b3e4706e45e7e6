//! The language server (`verbatim lsp`): shows each quotation's verdict in the writer's editor while typing.
//!
//! It speaks LSP over stdio with `tower-lsp-server`, on top of the pure [`engine`](crate::engine) and the
//! filesystem layer [`workspace`](crate::workspace). This module tree is the only place protocol types live.
//!
//! # Code map
//! - [`server`]: the protocol handlers, thin: decode, ask the state or a feature module, convert, answer.
//! - [`state`]: shared state, the role of each open document (draft or source), analyses cached by version and
//!   epoch, debounced re-checks, publishing diagnostics with the document version.
//! - [`document`]: open documents on ropes, incremental edits, stale versions ignored.
//! - [`position`]: LSP positions (UTF-16 by default, UTF-8/UTF-32 negotiated) ⇄ byte offsets.
//! - [`capabilities`]: what the client declared, what the server announces.
//! - [`folders`]: workspace folders with their settings, corpus and readiness; `file:` URIs ⇄ paths.
//! - [`indexing`]: background indexing with `$/progress`, file watching, source updates, settings changes.
//! - [`settings`]: the editor's settings layers and showing each warning once.
//! - Features: [`diagnostics`], [`hover`], [`actions`] (code actions), [`definition`], [`lens`] (code lens).
//!
//! # Life of an edit
//! `didChange` is applied to the document's rope at once (no `.await` before it; older versions are dropped).
//! A check is scheduled after a short pause; it runs on the blocking pool with the document's verdict cache,
//! so only quotes whose text changed are checked again. Its diagnostics are published with the version they
//! were computed for. Requests (hover, code actions, definition, code lens, pull diagnostics) never wait for
//! the pause: they analyze the current version on demand, reusing the analysis when it is still current.
//!
//! # What is sent to whom
//! Only what the client declared in `initialize` ([`capabilities::ClientCaps`]):
//! - positions in UTF-8 when `general.positionEncodings` offers it, else UTF-32 when offered, else UTF-16;
//! - `$/progress` only with `window.workDoneProgress`, after `window/workDoneProgress/create` succeeded;
//! - `client/registerCapability` for `workspace/didChangeWatchedFiles` (source globs + `verbatim.toml`, as
//!   relative patterns when `relativePatternSupport`) only with `dynamicRegistration`; otherwise the server
//!   watches the folders itself ([`crate::workspace::watch`]); `workspace/didChangeConfiguration` is
//!   registered only with its own `dynamicRegistration`;
//! - `workspace/configuration` only with `workspace.configuration` (else settings pushed in
//!   `didChangeConfiguration` are read);
//! - code action edits as versioned `documentChanges` with `workspace.workspaceEdit.documentChanges`, else
//!   `changes`; hovers in Markdown when `hover.contentFormat` lists it; `LocationLink`s with
//!   `definition.linkSupport`; `relatedInformation` with `publishDiagnostics.relatedInformation`; the
//!   diagnostics' `version` with `publishDiagnostics.versionSupport`; a code lens provider only with
//!   `textDocument.codeLens`;
//! - diagnostics are pulled (`diagnosticProvider`) when the client has `textDocument.diagnostic` and
//!   `workspace.diagnostics.refreshSupport`, pushed otherwise; never both (an editor would show them twice).
pub mod actions;
pub mod capabilities;
pub mod definition;
pub mod diagnostics;
pub mod document;
pub mod folders;
pub mod hover;
pub mod indexing;
pub mod lens;
pub mod position;
pub mod server;
pub mod settings;
pub mod state;

use std::process::ExitCode;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server as Transport};

/// Serves LSP on `input`/`output` until the client sends `exit` or closes the input.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let (service, socket) = LspService::new(server::Backend::new);
    Transport::new(input, output, socket).serve(service).await;
}

/// `verbatim lsp`: serves LSP on stdin/stdout (logs go to stderr; `VERBATIM_LOG` sets the filter).
pub fn run_stdio() -> ExitCode {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VERBATIM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!("cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The thread reading stdin may be blocked forever (clients need not close it after `exit`).
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    ExitCode::SUCCESS
}
