---@brief
---
--- verbatim: checks every quotation in Markdown and plain-text drafts against the source articles of the
--- workspace (verified, drift, unsourced), with hovers showing the source passage and code actions that
--- restore the source's wording.
---
--- Install the `verbatim` binary without Rust: `:MasonInstall verbatim`, or `pipx install verbatim-lsp`
--- (or `uv tool install verbatim-lsp`, `pip install verbatim-lsp`). The default `cmd` assumes `verbatim`
--- is on `$PATH` (Mason puts its bin folder there).
---
--- The workspace root is the folder holding `verbatim.toml`, else a `sources/` folder. Settings are the keys
--- of verbatim.toml, under `settings.verbatim`:
--- ```lua
--- vim.lsp.config('verbatim', { settings = { verbatim = { min_words = 5 } } })
--- vim.lsp.enable('verbatim')
--- ```
--- (In this repository: put editors/nvim on 'runtimepath'; see `:help verbatim-lspconfig`.)

---@type vim.lsp.Config
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
