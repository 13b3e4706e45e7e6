-- verbatim language server, in the nvim-lspconfig `lsp/<name>.lua` shape (Neovim >= 0.11):
--
--   vim.lsp.enable("verbatim")                       -- with editors/nvim on 'runtimepath'
--   vim.lsp.config("verbatim", { settings = { verbatim = { min_words = 5 } } })   -- optional overrides
--
-- The server checks every quotation in Markdown and text drafts against the source articles of the
-- workspace: a folder holding `verbatim.toml`, or else a `sources/` folder. Settings are the keys of
-- verbatim.toml; see `:help verbatim-settings`.
return {
  cmd = { "verbatim", "lsp" },
  filetypes = { "markdown", "text" },
  -- verbatim.toml first; failing that, the nearest folder with a sources/ folder.
  root_markers = { "verbatim.toml", "sources" },
  workspace_required = true,
  init_options = { verbatim = vim.empty_dict() },
  settings = { verbatim = vim.empty_dict() },
  before_init = function(params, config)
    -- Neovim cannot be told to pull diagnostics again (no workspace/diagnostic/refresh support), so
    -- ask the server to push them: they then follow indexing, source and settings changes.
    local caps = params.capabilities
    local ws = caps and caps.workspace and caps.workspace.diagnostics
    if caps and caps.textDocument and caps.textDocument.diagnostic and not (type(ws) == "table" and ws.refreshSupport) then
      caps.textDocument.diagnostic = nil
    end
    -- Send the settings given through vim.lsp.config(...) as initializationOptions too.
    local settings = config.settings and config.settings.verbatim
    if settings ~= nil and next(settings) ~= nil then
      params.initializationOptions = { verbatim = settings }
    end
  end,
}
