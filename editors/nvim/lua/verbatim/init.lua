-- verbatim.nvim: starts the `verbatim lsp` language server for Markdown and text buffers.
--
-- Owns: finding the workspace root (`verbatim.toml`, else a `sources/` folder), starting one client per
-- root and attaching buffers to it, and passing the user's settings to the server. Works on Neovim 0.7
-- (`vim.lsp.start_client`) and on later versions (`vim.lsp.start`). See `:help verbatim`.

local M = {}

local uv = vim.uv or vim.loop

--- Defaults for |verbatim.setup()|.
M.defaults = {
  -- Command that starts the server; nil means { <binary>, "lsp" }, the binary being vim.g.verbatim_bin,
  -- else $VERBATIM_BIN, else the first `verbatim` found by |verbatim.find_binary()| (Mason, PATH, ...).
  cmd = nil,
  -- Filetypes whose buffers are checked.
  filetypes = { "markdown", "text" },
  -- Files or folders marking the workspace root, most specific first: the nearest folder with
  -- `verbatim.toml` wins; failing that, the nearest folder with `sources/`.
  root_markers = { "verbatim.toml", "sources" },
  -- Server settings, the keys of verbatim.toml (nested tables or dotted keys), e.g.
  -- { min_words = 5, severity = { verified = "off" } }. Sent as initializationOptions.verbatim and
  -- answered to workspace/configuration for the `verbatim` section.
  settings = {},
  -- Start automatically when a buffer of one of `filetypes` is opened.
  autostart = true,
  -- Passed through to the LSP client.
  on_attach = nil,
  capabilities = nil,
  handlers = nil,
  before_init = nil,
  -- Attach buffers that have no root (no verbatim.toml or sources/ above them); the server then runs
  -- with the buffer's folder as its root. Off by default: without sources there is nothing to check.
  single_file_support = false,
}

M.options = vim.deepcopy(M.defaults)

-- Client methods take `self` from Neovim 0.11 on (client:stop()); before that they are closures
-- (client.stop()), where a `self` argument would be taken for the `force` flag.
local has_method_clients = vim.fn.has("nvim-0.11") == 1

local function client_call(client, method, ...)
  if has_method_clients then
    return client[method](client, ...)
  end
  return client[method](...)
end

-- root directory -> client id (Neovim 0.7 has no vim.lsp.start, so clients are reused by hand).
local clients_by_root = {}

local function is_dir(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type == "directory"
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function parent(path)
  local dir = vim.fn.fnamemodify(path, ":h")
  if dir == path then
    return nil
  end
  return dir
end

--- The workspace root for `path` (a file or folder), or nil: for each marker in order, the nearest
--- folder above `path` that holds it. `sources` must be a folder; other markers may be files.
function M.find_root(path, markers)
  markers = markers or M.options.root_markers
  path = vim.fn.fnamemodify(path, ":p")
  local start = is_dir(path) and path:gsub("/+$", "") or vim.fn.fnamemodify(path, ":h")
  if start == "" then
    start = "/"
  end
  for _, marker in ipairs(markers) do
    local dir = start
    while dir do
      local candidate = (dir == "/" and "" or dir) .. "/" .. marker
      if (marker == "sources" and is_dir(candidate)) or (marker ~= "sources" and exists(candidate)) then
        return dir
      end
      dir = parent(dir)
    end
  end
  return nil
end

local is_windows = vim.fn.has("win32") == 1

--- The places |verbatim.find_binary()| looks at, in order: { { path = ..., what = ... }, ... }.
--- Mason's bin folder first (Mason puts it first on $PATH too, once mason.nvim is set up; looking there
--- directly also works before that, or with Mason's PATH = "skip"), then every folder of $PATH (pip in
--- an active virtual environment, pipx, uv tool, cargo install, a package manager), then the folders
--- pipx, uv and cargo install into, which $PATH lacks when Neovim is started from a desktop launcher.
function M.binary_places()
  local names = is_windows and { "verbatim.exe", "verbatim.cmd" } or { "verbatim" }
  local places = {}
  local function add(dir, what)
    for _, name in ipairs(names) do
      table.insert(places, { path = dir .. "/" .. name, what = what })
    end
  end
  add(vim.fn.stdpath("data") .. "/mason/bin", "Mason's bin folder")
  local sep = is_windows and ";" or ":"
  for dir in string.gmatch(os.getenv("PATH") or "", "[^" .. sep .. "]+") do
    add(dir, "$PATH")
  end
  local home = (uv.os_homedir and uv.os_homedir()) or os.getenv("HOME") or ""
  if home ~= "" then
    add(home .. "/.local/bin", "pipx / uv tool install folder")
    add(home .. "/.cargo/bin", "cargo install folder")
  end
  return places
end

local function is_executable_file(path)
  local stat = uv.fs_stat(path)
  return stat ~= nil and stat.type ~= "directory" and vim.fn.executable(path) == 1
end

--- The first `verbatim` binary in |verbatim.binary_places()|, or nil.
function M.find_binary()
  for _, place in ipairs(M.binary_places()) do
    if is_executable_file(place.path) then
      return place.path
    end
  end
  return nil
end

--- What was looked at when no binary was found, for the error message and :VerbatimInfo.
function M.not_found_message()
  local mason = vim.fn.stdpath("data") .. "/mason/bin"
  local path_count = #vim.split(os.getenv("PATH") or "", is_windows and ";" or ":", { trimempty = true })
  local home = (uv.os_homedir and uv.os_homedir()) or os.getenv("HOME") or "~"
  return table.concat({
    "verbatim: no server binary found. Looked for `verbatim` in:",
    "  1. `cmd` in require('verbatim').setup(), g:verbatim_bin and $VERBATIM_BIN: not set",
    "  2. Mason's bin folder: " .. mason,
    "  3. the " .. path_count .. " folders of $PATH",
    "  4. " .. home .. "/.local/bin (pipx, uv tool) and " .. home .. "/.cargo/bin (cargo install)",
    "Install it with :MasonInstall verbatim, or `pipx install verbatim-lsp` (or `uv tool install verbatim-lsp`),",
    "or set g:verbatim_bin to its path. See :help verbatim-install.",
  }, "\n")
end

--- The command that starts the server.
function M.server_cmd()
  if M.options.cmd then
    return M.options.cmd
  end
  local bin = vim.g.verbatim_bin or os.getenv("VERBATIM_BIN")
  if bin == nil or bin == "" then
    bin = M.find_binary() or "verbatim"
  end
  return { bin, "lsp" }
end

-- An empty Lua table is encoded as a JSON array; the server wants an object.
local function as_object(settings)
  if settings == nil or next(settings) == nil then
    return vim.empty_dict()
  end
  return settings
end

--- Withdraws the pull-diagnostics capability from InitializeParams when the client cannot be told to
--- pull again (no workspace.diagnostics.refreshSupport, true of Neovim up to at least 0.12): the server
--- then pushes, so diagnostics appear once indexing ends and follow source and settings changes
--- without an edit to the draft.
function M.prefer_push_diagnostics(params)
  local caps = params and params.capabilities
  if not caps or not caps.textDocument or not caps.textDocument.diagnostic then
    return
  end
  local workspace_diagnostics = caps.workspace and caps.workspace.diagnostics
  if not (type(workspace_diagnostics) == "table" and workspace_diagnostics.refreshSupport) then
    caps.textDocument.diagnostic = nil
  end
end

--- The client configuration for a workspace root (the table given to vim.lsp.start / start_client).
function M.client_config(root)
  local settings = as_object(M.options.settings)
  return {
    name = "verbatim",
    cmd = M.server_cmd(),
    root_dir = root,
    workspace_folders = {
      { uri = vim.uri_from_fname(root), name = vim.fn.fnamemodify(root, ":t") },
    },
    init_options = { verbatim = settings },
    settings = { verbatim = settings },
    on_attach = M.options.on_attach,
    capabilities = M.options.capabilities,
    handlers = M.options.handlers,
    flags = { debounce_text_changes = 150 },
    before_init = function(params, config)
      M.prefer_push_diagnostics(params)
      if M.options.before_init then
        M.options.before_init(params, config)
      end
    end,
  }
end

local function buffer_path(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or name:match("^%a[%w+.-]*://") then
    return nil
  end
  return name
end

--- Attaches `bufnr` (default: current) to the verbatim client for its root, starting one if needed.
--- Returns the client id, or nil when the buffer has no workspace root.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local path = buffer_path(bufnr)
  if not path then
    return nil
  end
  local root = M.find_root(path)
  if not root then
    if not M.options.single_file_support then
      return nil
    end
    root = vim.fn.fnamemodify(path, ":p:h")
  end
  local config = M.client_config(root)
  if vim.fn.executable(config.cmd[1]) ~= 1 then
    -- Say once what was looked at, rather than one spawn error per buffer.
    if not M.warned_not_found then
      M.warned_not_found = true
      local explicit = M.options.cmd or (vim.g.verbatim_bin or os.getenv("VERBATIM_BIN") or "") ~= ""
      vim.notify(
        explicit and ("verbatim: the server command " .. config.cmd[1] .. " is not an executable file")
          or M.not_found_message(),
        vim.log.levels.ERROR
      )
    end
    return nil
  end
  M.warned_not_found = false

  if vim.lsp.start then -- Neovim >= 0.8: reuses a client with the same name and root_dir.
    return vim.lsp.start(config, { bufnr = bufnr })
  end

  local id = clients_by_root[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client_call(client, "is_stopped") then
    id = vim.lsp.start_client(config)
    if not id then
      vim.notify("verbatim: could not start " .. table.concat(config.cmd, " "), vim.log.levels.ERROR)
      return nil
    end
    clients_by_root[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- The running verbatim clients, all or those attached to `bufnr`.
function M.clients(bufnr)
  local all
  if vim.lsp.get_clients then -- Neovim >= 0.10
    all = vim.lsp.get_clients({ name = "verbatim", bufnr = bufnr })
  elseif bufnr then
    all = vim.lsp.buf_get_clients(bufnr)
  else
    all = vim.lsp.get_active_clients()
  end
  local found = {}
  for _, client in pairs(all) do
    if client.name == "verbatim" then
      table.insert(found, client)
    end
  end
  return found
end

--- Stops every verbatim client.
function M.stop()
  for _, client in ipairs(M.clients()) do
    client_call(client, "stop")
  end
  clients_by_root = {}
end

--- Restarts: stops the clients, then re-attaches every loaded buffer of a configured filetype.
function M.restart()
  M.stop()
  vim.defer_fn(function()
    M.attach_loaded_buffers()
  end, 500)
end

function M.attach_loaded_buffers()
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

--- Pushes new settings to the running clients (workspace/didChangeConfiguration).
function M.set_settings(settings)
  M.options.settings = settings or {}
  for _, client in ipairs(M.clients()) do
    -- Neovim >= 0.10 answers workspace/configuration from client.settings, 0.7-0.9 from client.config.settings.
    client.config.settings = { verbatim = as_object(M.options.settings) }
    client.settings = client.config.settings
    client_call(client, "notify", "workspace/didChangeConfiguration", { settings = client.config.settings })
  end
end

--- Lines describing the plugin's state, for :VerbatimInfo.
function M.info()
  local cmd = M.server_cmd()
  local lines = { "verbatim: cmd = " .. table.concat(cmd, " ") }
  if vim.fn.executable(cmd[1]) ~= 1 then
    vim.list_extend(lines, vim.split(M.not_found_message(), "\n"))
  end
  local bufroot = buffer_path(0) and M.find_root(buffer_path(0))
  table.insert(lines, "current buffer root: " .. (bufroot or "(none: no verbatim.toml or sources/ above it)"))
  local clients = M.clients()
  if #clients == 0 then
    table.insert(lines, "no verbatim client running")
  end
  for _, client in ipairs(clients) do
    local buffers = vim.tbl_count(client.attached_buffers or {})
    table.insert(lines, string.format("client %d: root %s, %d buffer(s)", client.id, client.config.root_dir or "?", buffers))
  end
  return lines
end

local augroup

--- Configures the plugin and, with `autostart`, attaches matching buffers as they open.
function M.setup(opts)
  M.options = vim.tbl_deep_extend("force", vim.deepcopy(M.defaults), opts or {})
  -- tbl_deep_extend merges lists by index; take the user's lists as given.
  for _, key in ipairs({ "filetypes", "root_markers", "cmd" }) do
    if opts and opts[key] ~= nil then
      M.options[key] = opts[key]
    end
  end
  augroup = vim.api.nvim_create_augroup("verbatim", { clear = true })
  if M.options.autostart then
    vim.api.nvim_create_autocmd("FileType", {
      group = augroup,
      pattern = M.options.filetypes,
      callback = function(args)
        M.attach(args.buf)
      end,
      desc = "verbatim: check the quotes in this buffer",
    })
    M.attach_loaded_buffers()
  end
end

return M
