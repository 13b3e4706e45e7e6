//! The language server (`verbatim lsp`): shows each quotation's verdict in the writer's editor while typing.
//!
//! It speaks LSP over stdio with `tower-lsp-server`, on top of the pure [`engine`](crate::engine) and the
//! filesystem layer [`workspace`](crate::workspace). This module tree is the only place protocol types live.
//!
//! # Code map
//! - [`server`]: the protocol handlers, thin: decode, ask the state or a feature module, convert, answer.
//! - [`state`]: shared state, the role of each open document (draft or source), analyses cached by version and
//!   epoch, re-checks at once (a burst coalesces), publishing current diagnostics with the document version,
//!   open source buffers
//!   brought into the corpus (the version each one holds).
//! - [`document`]: open documents on ropes, incremental edits, stale versions ignored.
//! - [`position`]: LSP positions (UTF-16 by default, UTF-8/UTF-32 negotiated) ⇄ byte offsets.
//! - [`capabilities`]: what the client declared, what the server announces.
//! - [`folders`]: workspace folders with their settings, corpus and readiness; `file:` URIs ⇄ paths.
//! - [`indexing`]: background indexing with `$/progress`, file watching, source updates, settings changes.
//! - [`settings`]: the editor's settings layers and showing each warning once.
//! - [`transport`]: the framing filter in front of `tower-lsp-server` (malformed messages are answered or
//!   dropped, never passed on; one writer for all output).
//! - [`session`]: `shutdown`/`exit` bookkeeping (exit code, grace period) and per-handler panic isolation.
//! - Features: [`diagnostics`], [`hover`], [`actions`] (code actions), [`definition`], [`lens`] (code lens).
//!
//! # Life of an edit
//! `didChange` is applied to the document's rope at once (no `.await` before it; older versions are dropped).
//! A check runs at once (or, while one of the draft runs, once more after it, for the latest version) on the
//! blocking pool with the document's verdict cache, so only quotes whose text changed are checked again. Its
//! diagnostics are published with the version they were computed for, only if nothing it was computed against
//! changed meanwhile. Requests (hover, code actions, definition, code lens, pull diagnostics) analyze the
//! current version on demand, reusing the analysis when it is still current.
//!
//! An edit of an open *source* is applied to its rope the same way, then re-indexes that one source at once,
//! without a pause ([`state::Server::source_edited`]): the corpus upsert runs on the blocking pool (its write
//! lock may wait behind a long check), at most one per source at a time, and a task whose version is no
//! longer the buffer's drops out, so a burst of edits coalesces. The folder's open drafts are then re-checked;
//! their verdict caches invalidate per source, so only the quotes that depended on the edited source are
//! checked again. A request on a draft never sees an older corpus than the edits sent before it: checking a
//! draft first applies any source buffer of its folder whose latest version the corpus does not hold yet
//! ([`state::Server::sync_sources_of`]). A re-index of the whole folder ([`indexing::index_folder`]) swaps in
//! a fresh corpus, records which buffer versions it holds and clears the drafts' verdict caches.
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
//!
//! Every request to the client waits at most [`state::CLIENT_TIMEOUT`] for its answer, then the server goes on
//! without it (settings already known, its own file watcher, no progress).
pub mod actions;
pub mod archive;
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
pub mod session;
pub mod settings;
pub mod state;
pub mod transport;

use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server as Transport};

use session::{Guarded, Session, SessionEnd, EXIT_GRACE};
use transport::{Outgoing, OUTGOING_QUEUE, PIPE_BYTES};

/// The environment variable that enables the test hooks when set to `1`: `verbatim/debugPanic` and
/// `verbatim/debugPanicNotification` (handlers that panic on purpose) and `verbatim/debugStall` (a request
/// that is never answered). Off in normal use: the methods are then unknown (`-32601`).
pub const TEST_HOOKS_VARIABLE: &str = "VERBATIM_TEST_HOOKS";

/// Serves LSP on `input`/`output` until the client sends `exit` or closes the input; returns how the session
/// ended. Handlers still running then get [`EXIT_GRACE`] to finish, and are dropped after it.
///
/// The bytes pass through [`transport`]'s filter (malformed messages never reach `tower-lsp-server`, whose
/// reader would stop) and every handler runs inside [`Guarded`] (a panic answers `-32603`).
pub async fn serve<I, O>(input: I, output: O) -> SessionEnd
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let session = Arc::new(Session::default());
    let mut service = LspService::build(server::Backend::new);
    if std::env::var_os(TEST_HOOKS_VARIABLE).is_some_and(|value| value == "1") {
        service = service
            .custom_method("verbatim/debugStall", server::Backend::debug_stall)
            .custom_method("verbatim/debugPanic", server::Backend::debug_panic)
            .custom_method(
                "verbatim/debugPanicNotification",
                server::Backend::debug_panic_notification,
            );
    }
    let (service, socket) = service.finish();
    let service = Guarded::new(service, session.clone());

    let (to_server, server_input) = tokio::io::duplex(PIPE_BYTES);
    let (server_output, from_server) = tokio::io::duplex(PIPE_BYTES);
    let (outgoing, messages) = tokio::sync::mpsc::channel::<Outgoing>(OUTGOING_QUEUE);
    let answers = outgoing.clone();
    // The client's input: ends with the input, but the session may still have answers to write.
    let reading = async {
        transport::read_input(input, to_server, answers).await;
        session.end("the client closed the input");
        std::future::pending::<()>().await;
    };
    // The server, its output collected and written: done once the server stopped and all was written.
    let serving = async {
        tokio::join!(
            Transport::new(server_input, server_output, socket).serve(service),
            transport::collect_output(from_server, outgoing),
            transport::write_output(output, messages, || session.end("the output is closed")),
        );
    };
    let abandoned = tokio::select! {
        () = serving => false,
        () = reading => false,
        () = async {
            session.ended().await;
            tokio::time::sleep(EXIT_GRACE).await;
        } => {
            tracing::warn!("handlers were still running {EXIT_GRACE:?} after the session ended: stopped without them");
            true
        }
    };
    session.outcome(abandoned)
}

/// `verbatim lsp`: serves LSP on stdin/stdout (logs go to stderr; `VERBATIM_LOG` sets the filter). Exits
/// with 0 after `shutdown` and `exit`, with 1 when the session ended without `shutdown`.
pub fn run_stdio() -> std::process::ExitCode {
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
            return std::process::ExitCode::FAILURE;
        }
    };
    let end = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The thread reading stdin may be blocked forever (clients need not close it after `exit`), and abandoned
    // handlers may still hold blocking threads.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    end.exit_code()
}
