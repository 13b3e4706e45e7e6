//! Owns capability negotiation: what the client declared in `initialize` (distilled into [`ClientCaps`]) and
//! what the server announces in return. Every other module asks [`ClientCaps`] before sending anything optional.
use serde_json::Value;
use tower_lsp_server::ls_types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    CodeLensOptions, DiagnosticOptions, DiagnosticServerCapabilities, HoverProviderCapability,
    MarkupKind, OneOf, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};

use super::position::PositionEncoding;

/// The client's capabilities that change what the server sends.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientCaps {
    /// Columns of positions (`general.positionEncodings`).
    pub encoding: PositionEncoding,
    /// `window.workDoneProgress`: `$/progress` may be sent, after `window/workDoneProgress/create`.
    pub work_done_progress: bool,
    /// `workspace.didChangeWatchedFiles.dynamicRegistration`: the client watches files for us.
    pub watch_files: bool,
    /// `workspace.didChangeWatchedFiles.relativePatternSupport`.
    pub watch_relative_patterns: bool,
    /// `workspace.configuration`: settings can be pulled with `workspace/configuration`.
    pub configuration: bool,
    /// `workspace.didChangeConfiguration.dynamicRegistration`.
    pub configuration_registration: bool,
    /// `workspace.workspaceEdit.documentChanges`: versioned edits in code actions.
    pub document_changes: bool,
    /// `textDocument.hover.contentFormat` lists markdown.
    pub hover_markdown: bool,
    /// `textDocument.definition.linkSupport`.
    pub definition_links: bool,
    /// `textDocument.publishDiagnostics.relatedInformation`.
    pub related_information: bool,
    /// `textDocument.publishDiagnostics.versionSupport`.
    pub diagnostic_versions: bool,
    /// `textDocument.codeLens` is present.
    pub code_lens: bool,
    /// `workspace.codeLens.refreshSupport`.
    pub code_lens_refresh: bool,
    /// `textDocument.diagnostic` is present: the client pulls diagnostics.
    pub pull_diagnostics: bool,
    /// `workspace.diagnostics.refreshSupport`.
    pub diagnostic_refresh: bool,
    /// `workspace.workspaceFolders`.
    pub workspace_folders: bool,
    /// `textDocument.references` is present.
    pub references: bool,
    /// `workspace.symbol` is present.
    pub workspace_symbol: bool,
    /// `textDocument.inlayHint` is present.
    pub inlay_hints: bool,
    /// `workspace.inlayHint.refreshSupport`.
    pub inlay_hint_refresh: bool,
}

fn flag(caps: &Value, pointer: &str) -> bool {
    caps.pointer(pointer)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn present(caps: &Value, pointer: &str) -> bool {
    caps.pointer(pointer).is_some_and(|v| !v.is_null())
}

impl ClientCaps {
    pub fn from_client(capabilities: &ClientCapabilities) -> ClientCaps {
        let encoding = PositionEncoding::negotiate(
            capabilities
                .general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        let caps = serde_json::to_value(capabilities).unwrap_or(Value::Null);
        let hover_markdown = caps
            .pointer("/textDocument/hover/contentFormat")
            .and_then(Value::as_array)
            .is_some_and(|formats| formats.iter().any(|f| f == "markdown"));
        ClientCaps {
            encoding,
            work_done_progress: flag(&caps, "/window/workDoneProgress"),
            watch_files: flag(
                &caps,
                "/workspace/didChangeWatchedFiles/dynamicRegistration",
            ),
            watch_relative_patterns: flag(
                &caps,
                "/workspace/didChangeWatchedFiles/relativePatternSupport",
            ),
            configuration: flag(&caps, "/workspace/configuration"),
            configuration_registration: flag(
                &caps,
                "/workspace/didChangeConfiguration/dynamicRegistration",
            ),
            document_changes: flag(&caps, "/workspace/workspaceEdit/documentChanges"),
            hover_markdown,
            definition_links: flag(&caps, "/textDocument/definition/linkSupport"),
            related_information: flag(&caps, "/textDocument/publishDiagnostics/relatedInformation"),
            diagnostic_versions: flag(&caps, "/textDocument/publishDiagnostics/versionSupport"),
            code_lens: present(&caps, "/textDocument/codeLens"),
            code_lens_refresh: flag(&caps, "/workspace/codeLens/refreshSupport"),
            pull_diagnostics: present(&caps, "/textDocument/diagnostic"),
            diagnostic_refresh: flag(&caps, "/workspace/diagnostics/refreshSupport"),
            workspace_folders: flag(&caps, "/workspace/workspaceFolders"),
            references: present(&caps, "/textDocument/references"),
            workspace_symbol: present(&caps, "/workspace/symbol"),
            inlay_hints: present(&caps, "/textDocument/inlayHint"),
            inlay_hint_refresh: flag(&caps, "/workspace/inlayHint/refreshSupport"),
        }
    }

    /// Diagnostics are pulled when the client can pull them and can be told to pull again
    /// (`workspace/diagnostic/refresh`, needed when indexing ends or a source changes); else they are pushed.
    /// Never both: an editor would show each one twice.
    pub fn pulls_diagnostics(&self) -> bool {
        self.pull_diagnostics && self.diagnostic_refresh
    }

    pub fn push_diagnostics(&self) -> bool {
        !self.pulls_diagnostics()
    }

    /// The markup of hovers.
    pub fn hover_kind(&self) -> MarkupKind {
        if self.hover_markdown {
            MarkupKind::Markdown
        } else {
            MarkupKind::PlainText
        }
    }
}

/// What the server announces: only features the client can use.
pub fn server_capabilities(client: &ClientCaps) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(client.encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                ..Default::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            resolve_provider: Some(false),
            ..Default::default()
        })),
        // Resolved lazily: a source's lenses get their counts and locations only when shown.
        code_lens_provider: client.code_lens.then_some(CodeLensOptions {
            resolve_provider: Some(true),
        }),
        references_provider: client.references.then_some(OneOf::Left(true)),
        workspace_symbol_provider: client.workspace_symbol.then_some(OneOf::Left(true)),
        inlay_hint_provider: client.inlay_hints.then_some(OneOf::Left(true)),
        diagnostic_provider: client.pulls_diagnostics().then(|| {
            DiagnosticServerCapabilities::Options(DiagnosticOptions {
                identifier: Some("verbatim".to_string()),
                inter_file_dependencies: true,
                workspace_diagnostics: false,
                ..Default::default()
            })
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caps(value: Value) -> ClientCaps {
        ClientCaps::from_client(&serde_json::from_value(value).unwrap())
    }

    #[test]
    fn bare_client_gets_the_minimum() {
        let client = caps(json!({}));
        assert_eq!(client, ClientCaps::default());
        let server = serde_json::to_value(server_capabilities(&client)).unwrap();
        assert_eq!(server["positionEncoding"], "utf-16");
        assert!(server.get("codeLensProvider").is_none());
        assert!(server.get("diagnosticProvider").is_none());
        for provider in [
            "referencesProvider",
            "workspaceSymbolProvider",
            "inlayHintProvider",
        ] {
            assert!(server.get(provider).is_none(), "{provider}");
        }
        assert_eq!(server["textDocumentSync"]["change"], 2);
        assert_eq!(client.hover_kind(), MarkupKind::PlainText);
        assert!(client.push_diagnostics());
    }

    #[test]
    fn rich_client_gets_everything() {
        let client = caps(json!({
            "general": { "positionEncodings": ["utf-16", "utf-8"] },
            "window": { "workDoneProgress": true },
            "workspace": {
                "didChangeWatchedFiles": { "dynamicRegistration": true, "relativePatternSupport": true },
                "configuration": true,
                "workspaceEdit": { "documentChanges": true },
                "diagnostics": { "refreshSupport": true },
                "symbol": {}
            },
            "textDocument": {
                "hover": { "contentFormat": ["markdown", "plaintext"] },
                "definition": { "linkSupport": true },
                "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
                "codeLens": {},
                "diagnostic": { "dynamicRegistration": false },
                "references": {},
                "inlayHint": {}
            }
        }));
        assert_eq!(client.encoding, PositionEncoding::Utf8);
        assert!(client.work_done_progress && client.watch_files && client.watch_relative_patterns);
        assert!(client.document_changes && client.definition_links && client.related_information);
        assert!(client.code_lens && client.pull_diagnostics && client.diagnostic_refresh);
        assert!(!client.push_diagnostics());
        // Without refresh support, the client could not be told when indexing ends: push instead.
        let mut no_refresh = client.clone();
        no_refresh.diagnostic_refresh = false;
        assert!(no_refresh.push_diagnostics());
        assert!(server_capabilities(&no_refresh)
            .diagnostic_provider
            .is_none());
        let server = serde_json::to_value(server_capabilities(&client)).unwrap();
        assert_eq!(server["positionEncoding"], "utf-8");
        assert_eq!(server["codeLensProvider"]["resolveProvider"], true);
        for provider in [
            "referencesProvider",
            "workspaceSymbolProvider",
            "inlayHintProvider",
        ] {
            assert_eq!(server[provider], true, "{provider}");
        }
        assert_eq!(server["diagnosticProvider"]["identifier"], "verbatim");
    }
}
