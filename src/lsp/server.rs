//! Owns the protocol handlers ([`Backend`]): each decodes its parameters, asks the shared [`Server`] state or
//! a feature module, converts and answers. Document edits are applied before the first `.await`.
use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, CodeLens, CodeLensParams, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, FileChangeType,
    FullDocumentDiagnosticReport, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverParams,
    InitializeParams, InitializeResult, InitializedParams, InlayHint, InlayHintParams, Location,
    ReferenceParams, RelatedFullDocumentDiagnosticReport, ServerInfo, SymbolInformation,
    TextDocumentIdentifier, Uri, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use super::actions::{code_actions, ActionContext};
use super::capabilities::{server_capabilities, ClientCaps};
use super::document::ChangeOutcome;
use super::folders::{uri_to_path, Folder};
use super::indexing::{
    files_changed, index_folder, pull_configuration, register_configuration, register_watchers,
    settings_changed,
};
use super::position::{position_to_offset, range_from_lsp};
use super::references::SourceView;
use super::state::{Role, Server};
use super::{definition, hover, lens, references, usage};
use crate::workspace::root_for;
use crate::workspace::watch::FileEvent;

/// The language server as `tower-lsp-server` drives it.
pub struct Backend {
    server: Arc<Server>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let server = Arc::new(Server::new(client));
        Backend { server }
    }

    /// Adds a folder and indexes it in the background (with the editor's current settings).
    fn add_folder(&self, root: &std::path::Path, implicit: bool) -> Arc<Folder> {
        let overlay = self.server.settings.overlay(&Default::default());
        let (folder, new) = self
            .server
            .folders
            .add(Folder::new(root, implicit, &overlay));
        if new {
            let server = self.server.clone();
            let spawned = folder.clone();
            tokio::spawn(async move {
                server
                    .show_warnings(spawned.workspace().warnings.clone())
                    .await;
                register_watchers(&server).await;
                index_folder(server, spawned).await;
            });
        }
        folder
    }

    /// Test hook `verbatim/debugStall` (registered only with `VERBATIM_TEST_HOOKS=1`): never answers, like a
    /// handler stuck waiting for the client, so that tests can check that `exit` still ends the process.
    pub async fn debug_stall(&self, _: serde_json::Value) -> Result<serde_json::Value> {
        std::future::pending().await
    }

    /// Test hook `verbatim/debugPanic` (registered only with `VERBATIM_TEST_HOOKS=1`): analyzes the draft named
    /// in `textDocument` (if any), then panics while holding its verdict cache's lock, so that tests can check
    /// that a panicking handler is answered with an internal error and leaves the server and the text intact.
    pub async fn debug_panic(&self, params: serde_json::Value) -> Result<serde_json::Value> {
        self.panic_on_purpose(&params).await;
        Ok(serde_json::Value::Null)
    }

    /// The notification form of [`Backend::debug_panic`] (`verbatim/debugPanicNotification`).
    pub async fn debug_panic_notification(&self, params: serde_json::Value) {
        self.panic_on_purpose(&params).await;
    }

    async fn panic_on_purpose(&self, params: &serde_json::Value) {
        let document =
            serde_json::from_value::<TextDocumentIdentifier>(params["textDocument"].clone());
        if let Ok(document) = document {
            let _ = self.server.analysis(&document.uri).await;
            if let Some(snapshot) = self.server.docs.snapshot(&document.uri) {
                let _held = snapshot.cache.lock();
                panic!("a panic on purpose (test hook), with the verbatim cache locked");
            }
        }
        panic!("a panic on purpose (test hook)");
    }

    /// A source's text as the editor sees it (its open buffer, else the corpus'), once the folder is indexed.
    fn source_view(&self, uri: &Uri, folder: &Folder) -> Option<SourceView> {
        if !folder.is_ready() {
            return None;
        }
        let path = uri_to_path(uri)?;
        let buffer = self.server.docs.snapshot(uri).map(|s| s.rope);
        SourceView::new(
            &crate::workspace::source_key(&path),
            buffer,
            &folder.corpus(),
        )
    }

    /// The analysis of an open draft and its folder, for requests.
    async fn draft(&self, uri: &Uri) -> Option<(Arc<super::document::Analysis>, Arc<Folder>)> {
        let analysis = self.server.analysis(uri).await?;
        let Role::Draft(folder) = self.server.role(uri) else {
            return None;
        };
        Some((analysis, folder))
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = ClientCaps::from_client(&params.capabilities);
        let capabilities = server_capabilities(&caps);
        self.server.set_caps(caps);
        let warnings = self
            .server
            .settings
            .set_initialization(params.initialization_options.as_ref());
        // Folders are known (with file settings) before any document opens; indexing waits for `initialized`.
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .unwrap_or_default()
            .iter()
            .filter_map(|f| uri_to_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty() {
            if let Some(root) = params.root_uri.as_ref().and_then(uri_to_path) {
                roots.push(root);
            }
        }
        let overlay = self.server.settings.overlay(&Default::default());
        for root in roots {
            self.server.folders.add(Folder::new(&root, false, &overlay));
        }
        self.server.pending_warnings(warnings);
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "verbatim".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let server = self.server.clone();
        server.start_trimming();
        tokio::spawn(async move {
            let mut warnings = server.take_pending_warnings();
            for folder in server.folders.all() {
                warnings.extend(folder.workspace().warnings.clone());
            }
            server.show_warnings(warnings).await;
            register_configuration(&server).await;
            if server.caps().configuration {
                pull_configuration(&server).await;
                for folder in server.folders.all() {
                    let pulled = folder
                        .pulled
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .clone();
                    if !pulled.is_empty() {
                        let overlay = server.settings.overlay(&pulled);
                        let workspace =
                            crate::workspace::Workspace::open_with(&folder.root, &overlay);
                        server.show_warnings(workspace.warnings.clone()).await;
                        folder.set_workspace(workspace);
                    }
                }
            }
            register_watchers(&server).await;
            let indexing: Vec<_> = server
                .folders
                .all()
                .into_iter()
                .map(|folder| tokio::spawn(index_folder(server.clone(), folder)))
                .collect();
            for task in indexing {
                let _ = task.await;
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.server.set_shut_down();
        *self
            .server
            .watcher
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let uri = document.uri.clone();
        self.server.docs.open(
            document.uri,
            document.language_id,
            document.version,
            &document.text,
        );
        if let Some(path) = uri_to_path(&uri) {
            if self.server.folders.for_path(&path).is_none() {
                self.add_folder(&root_for(&path), true);
            }
        }
        match self.server.role(&uri) {
            Role::Draft(_) => self.server.schedule_check(uri),
            Role::Source(..) => {
                self.server.open_source(&uri);
                // Into the corpus on the blocking pool (the write lock may wait for a long check).
                tokio::spawn(self.server.clone().source_edited(uri, document.version));
            }
            Role::Other => {}
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.server.caps().encoding;
        match self
            .server
            .docs
            .apply_changes(&uri, version, &params.content_changes, encoding)
        {
            ChangeOutcome::Applied => {}
            ChangeOutcome::Stale { held, got } => {
                tracing::debug!("ignored change {got} of {} (have {held})", uri.as_str());
                return;
            }
            ChangeOutcome::Unknown => {
                tracing::warn!("change to a document that is not open: {}", uri.as_str());
                return;
            }
        }
        match self.server.role(&uri) {
            // At once, or once more after the check running (a burst coalesces; no fixed pause).
            Role::Draft(_) => self.server.schedule_check(uri),
            // On its own task: a handler must not sit on one of the four concurrency slots. Requests do not
            // wait for it: a draft's check first applies any source buffer the corpus lacks.
            Role::Source(folder, path) => {
                let server = self.server.clone();
                tokio::spawn(async move {
                    server.clone().source_edited(uri, version).await;
                    // The drafts not open that quote it are checked again into the reverse index.
                    let key = crate::workspace::source_key(&path);
                    usage::sources_changed(&server, &folder, &[key]);
                });
            }
            Role::Other => {}
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let role = self.server.role(&uri);
        self.server.docs.close(&uri);
        self.server.close_source(&uri);
        self.server.forget_checks(&uri);
        match role {
            Role::Draft(folder) => {
                // The file on disk is the draft again (unsaved changes are gone).
                if let Some(path) = uri_to_path(&uri) {
                    usage::draft_changed(&self.server, &folder, &path, false);
                }
                self.server.unpublish(&uri).await
            }
            // The file on disk is the source again.
            Role::Source(_, path) => {
                files_changed(&self.server, vec![(path, FileEvent::Changed)]).await
            }
            Role::Other => {}
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        // Settings pushed with the notification apply at once; asking the client for its settings and reading
        // the folders again run on their own task, so that a client slow to answer holds no handler slot.
        let pushed = (!self.server.caps().configuration)
            .then(|| self.server.settings.set_pushed(&params.settings));
        let turn = self.server.next_reconfiguration();
        if pushed.is_some() {
            // Known now: from here on, nothing computed under the old settings is published or answered.
            self.server.settings_learnt().await;
        }
        let server = self.server.clone();
        tokio::spawn(async move {
            if let Some(warnings) = pushed {
                server.show_warnings(warnings).await;
            }
            settings_changed(&server, turn).await;
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let changes = params
            .changes
            .iter()
            .filter_map(|change| {
                let path = uri_to_path(&change.uri)?;
                let event = if change.typ == FileChangeType::DELETED {
                    FileEvent::Removed
                } else {
                    FileEvent::Changed
                };
                Some((path, event))
            })
            .collect();
        files_changed(&self.server, changes).await;
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        for removed in &params.event.removed {
            if let Some(root) = uri_to_path(&removed.uri) {
                if let Some(folder) = self.server.folders.remove(&root) {
                    if let Some(watcher) = self
                        .server
                        .watcher
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .as_mut()
                    {
                        watcher.unwatch(&folder.root);
                    }
                }
            }
        }
        for added in &params.event.added {
            if let Some(root) = uri_to_path(&added.uri) {
                self.add_folder(&root, false);
            }
        }
        self.server.bump_epoch();
        self.server.recheck(None);
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let place = params.text_document_position_params;
        let Some((analysis, folder)) = self.draft(&place.text_document.uri).await else {
            return Ok(None);
        };
        let offset =
            position_to_offset(&analysis.rope, place.position, self.server.caps().encoding);
        let workspace = folder.workspace();
        let corpus = folder.corpus();
        Ok(hover::hover(
            &analysis,
            offset,
            &corpus,
            &workspace,
            self.server.caps(),
        ))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let place = params.text_document_position_params;
        let Some((analysis, folder)) = self.draft(&place.text_document.uri).await else {
            return Ok(None);
        };
        let offset =
            position_to_offset(&analysis.rope, place.position, self.server.caps().encoding);
        let corpus = folder.corpus();
        Ok(definition::definition(
            &analysis,
            offset,
            &corpus,
            self.server.caps(),
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let Some((analysis, folder)) = self.draft(&uri).await else {
            return Ok(None);
        };
        let format = self
            .server
            .docs
            .snapshot(&uri)
            .map_or(crate::engine::TextFormat::Markdown, |s| s.format);
        let selection = range_from_lsp(&analysis.rope, params.range, self.server.caps().encoding);
        let workspace = folder.workspace();
        let corpus = folder.corpus();
        let cx = ActionContext {
            uri: &uri,
            analysis: &analysis,
            format,
            corpus: &corpus,
            workspace: &workspace,
            caps: self.server.caps(),
            diagnostics: &params.context.diagnostics,
        };
        let actions = code_actions(&cx, selection);
        Ok((!actions.is_empty()).then_some(actions))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let uri = params.text_document.uri;
        if let Role::Source(folder, _) = self.server.role(&uri) {
            // Lenses are for what the editor shows: an open source.
            if !folder.workspace().config.code_lens || !self.server.docs.is_open(&uri) {
                return Ok(None);
            }
            let Some(source) = self.source_view(&uri, &folder) else {
                return Ok(None);
            };
            let caps = self.server.caps();
            return Ok(Some(references::source_lenses(
                &folder, &uri, &source, caps,
            )));
        }
        let Some((analysis, folder)) = self.draft(&uri).await else {
            return Ok(None);
        };
        if !folder.workspace().config.code_lens {
            return Ok(None);
        }
        Ok(Some(lens::code_lens(&analysis)))
    }

    async fn code_lens_resolve(&self, lens: CodeLens) -> Result<CodeLens> {
        let Some((uri, paragraph)) = lens.data.as_ref().and_then(references::lens_paragraph) else {
            return Ok(lens);
        };
        let Ok(uri) = uri.parse::<Uri>() else {
            return Ok(lens);
        };
        let Role::Source(folder, _) = self.server.role(&uri) else {
            return Ok(lens);
        };
        let Some(source) = self.source_view(&uri, &folder) else {
            return Ok(lens);
        };
        let caps = self.server.caps();
        Ok(references::resolve_lens(
            lens, &folder, &uri, &source, paragraph, caps,
        ))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let place = params.text_document_position;
        let uri = place.text_document.uri;
        let declaration = params.context.include_declaration;
        let caps = self.server.caps();
        let found = match self.server.role(&uri) {
            Role::Source(folder, _) => {
                let Some(source) = self.source_view(&uri, &folder) else {
                    return Ok(None);
                };
                references::source_references(&folder, &source, place.position, declaration, caps)
            }
            Role::Draft(_) => {
                // The analysis first: it records the draft's current quotes in the index.
                let Some((analysis, folder)) = self.draft(&uri).await else {
                    return Ok(None);
                };
                let Some(path) = uri_to_path(&uri) else {
                    return Ok(None);
                };
                let offset = position_to_offset(&analysis.rope, place.position, caps.encoding);
                let corpus = folder.corpus();
                references::draft_references(
                    &folder,
                    &path,
                    &analysis,
                    offset,
                    declaration,
                    &corpus,
                    caps,
                )
            }
            Role::Other => return Ok(None),
        };
        Ok(Some(found))
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let mut found: Vec<SymbolInformation> = Vec::new();
        for folder in self.server.folders.all() {
            if folder.is_ready() {
                references::symbols(&folder, &params.query, self.server.caps(), &mut found);
            }
        }
        Ok(Some(WorkspaceSymbolResponse::Flat(found)))
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let uri = params.text_document.uri;
        let Some((analysis, folder)) = self.draft(&uri).await else {
            return Ok(None);
        };
        if !folder.workspace().config.inlay_hints {
            return Ok(Some(Vec::new()));
        }
        let caps = self.server.caps();
        let range = range_from_lsp(&analysis.rope, params.range, caps.encoding);
        let corpus = folder.corpus();
        Ok(Some(references::inlay_hints(
            &analysis, range, &corpus, caps,
        )))
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let items = self.server.pulled_diagnostics(&uri).await;
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }
}
