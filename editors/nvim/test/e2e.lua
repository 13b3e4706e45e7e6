-- Headless end-to-end test of the verbatim Neovim plugin against the real server.
-- Run by editors/nvim/test/run.sh, which copies the demo workspace and this plugin to a temp dir:
--   VERBATIM_BIN=... VERBATIM_DEMO=<copy of fixtures/demo> VERBATIM_PLUGIN=<copy of editors/nvim> \
--   nvim --headless --clean --cmd 'set rtp^=<plugin>' -c 'luafile e2e.lua' -c 'cquit 2' </dev/null
--
-- Opens every draft of the demo workspace through the plugin (FileType autocmd -> root detection ->
-- client), then checks: diagnostics arrive with source "verbatim", a known code, the default severity
-- and a range covering the quoted words between the quote marks (plus `drift-word` hints inside drifts); a drift quote has a hover, a
-- definition in sources/, and a "Replace with source wording" action that makes it verify; "Ignore this
-- quote" silences a quote. Works on Neovim 0.7 (Debian 12) and later.

local uv = vim.uv or vim.loop
local passed, failed = 0, 0
-- "setup": require("verbatim").setup(); "lspconfig": vim.lsp.enable("verbatim") with lsp/verbatim.lua.
local mode = os.getenv("VERBATIM_NVIM_MODE") or "setup"
local t0 = uv.hrtime()

local function say(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function finish()
  say(string.format("# nvim e2e: Neovim %s, %s",
    tostring(vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch), mode))
  say(string.format("nvim: %d passed, %d failed", passed, failed))
  pcall(function()
    require("verbatim").stop()
    vim.wait(2000, function() return #require("verbatim").clients() == 0 end, 20)
  end)
  vim.cmd(failed == 0 and passed > 0 and "qall!" or "cquit 1")
end

local Abort = {}
local function check(cond, what, detail)
  if cond then
    passed = passed + 1
    say("ok - " .. what)
  else
    failed = failed + 1
    say("not ok - " .. what .. (detail and (": " .. (type(detail) == "string" and detail or vim.inspect(detail))) or ""))
  end
  return cond
end
-- A failed precondition: later steps would only fail noisily.
local function require_that(cond, what, detail)
  if not check(cond, what, detail) then
    error(Abort)
  end
end

local function env(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    say("not ok - environment variable " .. name .. " is not set (run editors/nvim/test/run.sh)")
    vim.cmd("cquit 1")
  end
  return value
end

local bin, demo, plugin_dir = env("VERBATIM_BIN"), env("VERBATIM_DEMO"), env("VERBATIM_PLUGIN")
local first_timeout = tonumber(os.getenv("VERBATIM_TIMEOUT_MS") or "") or 60000

-- Record every raw diagnostic report (UTF-16 ranges, codes, data) before Neovim converts it: pushed
-- (textDocument/publishDiagnostics, Neovim 0.7-0.9 and servers that push) or pulled
-- (textDocument/diagnostic, which Neovim >= 0.10 requests when the server offers it).
local published = {} -- uri -> { diagnostics = {...}, count = number of reports }
local function record(uri, diagnostics)
  local previous = published[uri]
  published[uri] = { diagnostics = diagnostics or {}, count = (previous and previous.count or 0) + 1 }
end
local original_publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, result, ctx, config)
  if result and result.uri then
    record(result.uri, result.diagnostics)
  end
  return original_publish(err, result, ctx, config)
end
local original_pull = vim.lsp.handlers["textDocument/diagnostic"]
if original_pull then
  vim.lsp.handlers["textDocument/diagnostic"] = function(err, result, ctx, config)
    local uri = ctx and ctx.params and ctx.params.textDocument and ctx.params.textDocument.uri
    if uri and result and result.kind == "full" then
      record(uri, result.items)
    end
    return original_pull(err, result, ctx, config)
  end
end

local SEVERITY = { verified = 4, drift = 2, unsourced = 3 } -- the server's defaults: hint, warning, information
local OPENING = { '"', "“", "‘", "'", "«", "„", "‹" }
local CLOSING = { '"', "”", "’", "'", "»", "“", "›" }

local function ends_with_any(s, list)
  for _, mark in ipairs(list) do
    if #s >= #mark and s:sub(-#mark) == mark then
      return true
    end
  end
  return false
end

local function starts_with_any(s, list)
  for _, mark in ipairs(list) do
    if s:sub(1, #mark) == mark then
      return true
    end
  end
  return false
end

-- The position encoding the server chose ("utf-16" on Neovim 0.7; Neovim >= 0.10 also offers utf-8).
local encoding = "utf-16"

-- LSP position -> 0-based byte column.
local function byte_col(bufnr, pos)
  local line = vim.api.nvim_buf_get_lines(bufnr, pos.line, pos.line + 1, false)[1] or ""
  if pos.character == 0 then
    return 0
  end
  if encoding == "utf-8" then
    return math.min(pos.character, #line)
  end
  local ok, col
  if vim.fn.has("nvim-0.11") == 1 then
    ok, col = pcall(vim.str_byteindex, line, encoding, pos.character, false)
  else
    ok, col = pcall(vim.str_byteindex, line, pos.character, encoding == "utf-16")
  end
  return ok and col or #line
end

-- Text of an LSP range plus the line text before its start and after its end.
local function range_text(bufnr, range)
  local lines = vim.api.nvim_buf_get_lines(bufnr, range.start.line, range["end"].line + 1, false)
  if #lines == 0 then
    return "", "", ""
  end
  local scol, ecol = byte_col(bufnr, range.start), byte_col(bufnr, range["end"])
  local before = lines[1]:sub(1, scol)
  local after = lines[#lines]:sub(ecol + 1)
  local text
  if #lines == 1 then
    text = lines[1]:sub(scol + 1, ecol)
  else
    lines[#lines] = lines[#lines]:sub(1, ecol)
    lines[1] = lines[1]:sub(scol + 1)
    text = table.concat(lines, "\n")
  end
  return text, before, after
end

local function wait_for_publish(uri, after_count, timeout)
  return vim.wait(timeout, function()
    local p = published[uri]
    return p ~= nil and p.count > after_count
  end, 20)
end

local function request(bufnr, method, params, timeout)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout or 10000)
  if not responses then
    return nil, err or "no response"
  end
  for _, response in pairs(responses) do
    if response.err then
      return nil, response.err
    end
    return response.result
  end
  return nil, "empty response"
end

local function hover_text(contents)
  if type(contents) == "string" then
    return contents
  end
  if contents.value then
    return contents.value
  end
  local parts = {}
  for _, item in ipairs(contents) do
    table.insert(parts, type(item) == "string" and item or item.value or "")
  end
  return table.concat(parts, "\n")
end

local function find_action(actions, pattern)
  for _, action in ipairs(actions or {}) do
    if (action.title or ""):lower():find(pattern, 1, true) then
      return action
    end
  end
  return nil
end

local function before_or_at(a, b)
  return a.line < b.line or (a.line == b.line and a.character <= b.character)
end

local function within(inner, outer)
  return before_or_at(outer.start, inner.start) and before_or_at(inner["end"], outer["end"])
end

local function same_start(a, b)
  return a.start.line == b.start.line and a.start.character == b.start.character
end

local function main()
  vim.defer_fn(function()
    say("not ok - watchdog: the test took longer than " .. math.floor(first_timeout / 1000 + 120) .. "s")
    vim.cmd("cquit 1")
  end, first_timeout + 120000)

  -- The :help doc is installed and its tags resolve.
  vim.cmd("silent! helptags " .. vim.fn.fnameescape(plugin_dir .. "/doc"))
  local help_ok = pcall(vim.cmd, "help verbatim")
  check(help_ok and vim.bo.filetype == "help", ":help verbatim opens the plugin's doc")
  pcall(vim.cmd, "help verbatim-settings")
  check(vim.bo.filetype == "help" and vim.fn.expand("%:t") == "verbatim.txt", ":help verbatim-settings resolves")
  vim.cmd("silent! only | enew")

  -- lsp/verbatim.lua (the nvim-lspconfig / vim.lsp.config shape) loads and has the expected fields.
  local ok_cfg, cfg = pcall(dofile, plugin_dir .. "/lsp/verbatim.lua")
  check(ok_cfg and type(cfg) == "table" and cfg.cmd[1] == "verbatim" and cfg.cmd[2] == "lsp"
    and vim.tbl_contains(cfg.filetypes, "markdown") and vim.tbl_contains(cfg.filetypes, "text")
    and cfg.root_markers[1] == "verbatim.toml", "lsp/verbatim.lua returns a vim.lsp.config table", cfg)

  local verbatim = require("verbatim")
  if mode == "lspconfig" then
    -- Neovim >= 0.11: the lsp/verbatim.lua config through vim.lsp.config / vim.lsp.enable, no setup().
    require_that(vim.lsp.config ~= nil and vim.lsp.enable ~= nil, "vim.lsp.config and vim.lsp.enable exist")
    vim.lsp.config("verbatim", { cmd = { bin, "lsp" } })
    vim.lsp.enable("verbatim")
  else
    verbatim.setup({ cmd = { bin, "lsp" } })
  end

  -- Root detection: a draft's root is the demo folder (it has sources/), a folder without either marker has none.
  check(verbatim.find_root(demo .. "/drafts") == demo, "root detection: a sources/ folder marks the root",
    verbatim.find_root(demo .. "/drafts"))
  local tmp_other = vim.fn.tempname()
  vim.fn.mkdir(tmp_other .. "/sub/sources", "p")
  vim.fn.writefile({ "" }, tmp_other .. "/verbatim.toml")
  check(verbatim.find_root(tmp_other .. "/sub/sources/x.md") == tmp_other,
    "root detection: verbatim.toml wins over a nearer sources/ folder", verbatim.find_root(tmp_other .. "/sub/sources/x.md"))

  local drafts = vim.fn.glob(demo .. "/drafts/*.md", false, true)
  vim.list_extend(drafts, vim.fn.glob(demo .. "/drafts/*.txt", false, true))
  table.sort(drafts)
  require_that(#drafts > 0, "the demo workspace has drafts", demo .. "/drafts")

  -- Open every draft; the plugin attaches it and the server publishes its diagnostics.
  local opened, by_code, all = {}, { verified = 0, drift = 0, unsourced = 0 }, {}
  local bad_source, bad_code, bad_severity, bad_range, bad_related, bad_word = {}, {}, {}, {}, {}, {}
  local words_marked, total = 0, 0
  local others = 0 -- uncredited and misattributed diagnostics
  for i, path in ipairs(drafts) do
    vim.cmd("edit " .. vim.fn.fnameescape(path))
    local bufnr = vim.api.nvim_get_current_buf()
    local uri = vim.uri_from_bufnr(bufnr)
    local name = vim.fn.fnamemodify(path, ":t")
    local attached = vim.wait(5000, function() return #verbatim.clients(bufnr) > 0 end, 20)
    require_that(attached, "plugin attached a verbatim client to " .. name .. " (filetype " .. vim.bo.filetype .. ")")
    if i == 1 then
      local client = verbatim.clients()[1]
      encoding = client and client.offset_encoding or encoding
      say("# position encoding: " .. encoding)
      check(client and client.config.root_dir == demo, "the client's root is the demo workspace",
        client and client.config.root_dir)
    end
    -- Every demo draft has quotes: wait for a report that is not empty (one sent before indexing
    -- ended may be).
    local got = vim.wait(i == 1 and first_timeout or 15000, function()
      return published[uri] ~= nil and #published[uri].diagnostics > 0
    end, 20)
    require_that(got, "diagnostics reported for " .. name, published[uri])
    opened[#opened + 1] = { bufnr = bufnr, uri = uri, name = name }
    local diagnostics = published[uri].diagnostics
    for _, d in ipairs(diagnostics) do
      local text, before, after = range_text(bufnr, d.range)
      local where = string.format("%s:%d:%d %q", name, d.range.start.line + 1, d.range.start.character + 1, text)
      if d.source ~= "verbatim" then table.insert(bad_source, where) end
      if d.code == "drift-word" then
        -- A sub-diagnostic marking one differing run of words: a hint inside a drift quote's range.
        words_marked = words_marked + 1
        local inside_drift = false
        for _, q in ipairs(diagnostics) do
          if q.code == "drift" and within(d.range, q.range) then inside_drift = true end
        end
        if d.severity ~= 4 or not inside_drift then
          table.insert(bad_word, where .. " severity=" .. tostring(d.severity) .. " inside a drift=" .. tostring(inside_drift))
        end
      elseif d.code == "uncredited" or d.code == "misattributed" then
        -- Copying outside quote marks, or a quote's speaker: not a quote's range; it still names its source.
        others = others + 1
        if not (d.data and d.data.source_uri and d.data.source_uri:find("/sources/", 1, true)) then
          table.insert(bad_related, where .. " " .. d.code)
        end
      elseif by_code[d.code] == nil then
        table.insert(bad_code, where .. " code=" .. tostring(d.code))
      else
        all[#all + 1] = { bufnr = bufnr, uri = uri, name = name, diagnostic = d, text = text }
        by_code[d.code] = by_code[d.code] + 1
        if d.severity ~= SEVERITY[d.code] then
          table.insert(bad_severity, where .. " " .. d.code .. " severity=" .. tostring(d.severity))
        end
        if d.code ~= "unsourced" then
          local rel = d.relatedInformation and d.relatedInformation[1]
          local src = d.data and d.data.source_uri
          if not rel or not rel.location.uri:find("/sources/", 1, true) or not src then
            table.insert(bad_related, where .. " " .. d.code)
          end
        end
        -- The range is the quoted words: non-empty, not starting or ending with a space, and (outside
        -- block quotes) the quote marks sit right outside it.
        local line = vim.api.nvim_buf_get_lines(bufnr, d.range.start.line, d.range.start.line + 1, false)[1] or ""
        local block = line:match("^%s*>") ~= nil
        local words = select(2, text:gsub("%w+", ""))
        local trimmed = not text:match("^%s") and not text:match("%s$")
        -- Punctuation just inside the closing mark may be left out of the range (“…words,” he said).
        local after_punct = after:gsub("^…", ""):gsub("^[%.,;:!?]+", "")
        local marked = block or (ends_with_any(before, OPENING) and starts_with_any(after_punct, CLOSING))
        if words == 0 or not trimmed or not marked then
          table.insert(bad_range, where .. " before=" .. vim.inspect(before:sub(-4)) .. " after=" .. vim.inspect(after:sub(1, 4)))
        end
      end
      total = total + 1
    end
  end

  check(#all > 0, "the demo drafts have diagnostics", #all)
  check(#bad_source == 0, "every diagnostic has source \"verbatim\"", bad_source)
  check(#bad_code == 0, "every diagnostic code is verified, drift or unsourced", bad_code)
  check(#bad_severity == 0, "severities are the defaults (verified hint, drift warning, unsourced information)", bad_severity)
  check(#bad_range == 0, "every range covers the quoted words between the quote marks", bad_range)
  check(#bad_related == 0, "verified and drift diagnostics point at a passage under sources/ (relatedInformation, data.source_uri)", bad_related)
  check(#bad_word == 0, "drift-word hints lie inside a drift quote", bad_word)
  check(by_code.verified > 0, "the demo has verified quotes", by_code)
  check(by_code.drift > 0, "the demo has drifted quotes", by_code)
  check(by_code.unsourced > 0, "the demo has unsourced quotes", by_code)
  say(string.format("# verdicts: %d verified, %d drift, %d unsourced; %d drift-word hints",
    by_code.verified, by_code.drift, by_code.unsourced, words_marked))

  -- Neovim's own diagnostics agree with what was published.
  local shown = 0
  for _, o in ipairs(opened) do shown = shown + #vim.diagnostic.get(o.bufnr) end
  check(shown == total, "vim.diagnostic.get() shows every published diagnostic", { shown = shown, published = total })

  local drift
  for _, e in ipairs(all) do
    if e.diagnostic.code == "drift" then drift = e break end
  end
  require_that(drift ~= nil, "a drift quote to work on")
  local d = drift.diagnostic
  vim.cmd("buffer " .. drift.bufnr)
  local inside = { line = d.range.start.line, character = d.range.start.character + 1 }
  local text_document = { uri = drift.uri }

  -- Hover inside the quote: Markdown naming the verdict and showing the source.
  local hover, herr = request(drift.bufnr, "textDocument/hover", { textDocument = text_document, position = inside })
  local htext = hover and hover.contents and hover_text(hover.contents) or ""
  check(#htext > 0, "hover on a drift quote has contents", herr)
  check(htext:lower():find("drift", 1, true) ~= nil, "the hover names the verdict (drift)", htext:sub(1, 300))
  check(hover and hover.contents and (hover.contents.kind == "markdown" or type(hover.contents) == "string" or hover.contents[1] ~= nil),
    "the hover is Markdown", hover and hover.contents and hover.contents.kind)

  -- Code lenses (:help verbatim-codelens): Neovim >= 0.11 announces textDocument.codeLens and shows the summary
  -- after vim.lsp.codelens.refresh(); older versions announce nothing, so the server offers no code lenses.
  local lens_client = verbatim.clients(drift.bufnr)[1]
  local offers_lens = lens_client and lens_client.server_capabilities.codeLensProvider ~= nil
  if vim.fn.has("nvim-0.11") == 1 then
    check(offers_lens, "Neovim >= 0.11: the server offers code lenses")
    vim.lsp.codelens.refresh({ bufnr = drift.bufnr })
    local lens_title
    vim.wait(15000, function()
      for _, lens in ipairs(vim.lsp.codelens.get(drift.bufnr)) do
        if lens.command and lens.command.title:find("quotes", 1, true) then
          lens_title = lens.command.title
          return true
        end
      end
      return false
    end, 50)
    check(lens_title ~= nil and lens_title:find("verified", 1, true) ~= nil,
      "after vim.lsp.codelens.refresh() the draft shows its summary lens", lens_title)
  else
    check(not offers_lens, "Neovim < 0.11 does not announce code lenses, so the server offers none (as :help says)")
  end

  -- Go to definition: the source passage.
  local def = request(drift.bufnr, "textDocument/definition", { textDocument = text_document, position = inside })
  local location = def and (def.uri and def or def[1])
  local target = location and (location.uri or location.targetUri)
  check(target ~= nil and target:find("/sources/", 1, true) ~= nil, "definition on the quote goes to a source under sources/", def)

  -- The source's side: references from the source passage find the drift quote (the source opened in a buffer);
  -- on Neovim >= 0.11 the source's code lens over that paragraph reads "quoted N×" and its command
  -- (verbatim.showReferences) carries the locations as its third argument.
  if target then
    local passage = location.targetSelectionRange or location.range
    vim.cmd("edit " .. vim.fn.fnameescape(vim.uri_to_fname(target)))
    local source_buf = vim.api.nvim_get_current_buf()
    require_that(vim.wait(15000, function() return #verbatim.clients(source_buf) > 0 end, 50),
      "the source buffer is attached to the server")
    local refs
    local found = vim.wait(30000, function()
      refs = request(source_buf, "textDocument/references", {
        textDocument = { uri = target },
        position = passage.start,
        context = { includeDeclaration = false },
      })
      for _, r in ipairs(refs or {}) do
        if r.uri == drift.uri and r.range.start.line == d.range.start.line then return true end
      end
      return false
    end, 100)
    check(found, "references from the source passage include the drift quote", refs)
    if vim.fn.has("nvim-0.11") == 1 then
      vim.lsp.codelens.refresh({ bufnr = source_buf })
      local source_lens
      vim.wait(15000, function()
        for _, lens in ipairs(vim.lsp.codelens.get(source_buf)) do
          if lens.command and lens.command.title:find("quoted", 1, true) then
            source_lens = lens
            return true
          end
        end
        return false
      end, 50)
      local args = source_lens and source_lens.command.arguments
      check(source_lens ~= nil and source_lens.command.command == "verbatim.showReferences"
        and type(args) == "table" and type(args[3]) == "table" and #args[3] > 0,
        "the source shows a \"quoted N×\" lens whose command carries the locations", source_lens)
      if source_lens then
        vim.fn.setqflist({}, "r", { items = {} })
        local lens_client = verbatim.clients(source_buf)[1]
        vim.lsp.commands["verbatim.showReferences"](source_lens.command, { client_id = lens_client and lens_client.id })
        local qf = vim.fn.getqflist()
        check(#qf == #args[3] and qf[1] and vim.api.nvim_buf_get_name(qf[1].bufnr):find("/drafts/", 1, true) ~= nil,
          "running the lens (verbatim.showReferences) fills the quickfix list with the quotes", qf)
        vim.cmd("cclose")
      end
    end
    vim.cmd("buffer " .. drift.bufnr)
  end

  -- Code actions on the drift quote: the three promised actions, each with a workspace edit.
  local client = verbatim.clients()[1]
  local function actions_for(entry)
    local result = request(entry.bufnr, "textDocument/codeAction", {
      textDocument = { uri = entry.uri },
      range = entry.diagnostic.range,
      context = { diagnostics = { entry.diagnostic } },
    })
    return result or {}
  end
  local function resolved(action)
    if action and not action.edit and client.server_capabilities.codeActionProvider
        and type(client.server_capabilities.codeActionProvider) == "table"
        and client.server_capabilities.codeActionProvider.resolveProvider then
      return request(drift.bufnr, "codeAction/resolve", action) or action
    end
    return action
  end
  local actions = actions_for(drift)
  local replace = resolved(find_action(actions, "replace with source wording"))
  check(replace ~= nil and replace.edit ~= nil, "drift quote offers \"Replace with source wording\" with an edit",
    vim.tbl_map(function(a) return a.title end, actions))
  check(find_action(actions, "insert attribution") ~= nil, "the quote offers \"Insert attribution\"")
  check(find_action(actions, "ignore this quote") ~= nil, "the quote offers \"Ignore this quote\"")

  if replace and replace.edit then
    local before_count = published[drift.uri].count
    vim.lsp.util.apply_workspace_edit(replace.edit, client.offset_encoding or "utf-16")
    local republished = wait_for_publish(drift.uri, before_count, 15000)
    check(republished, "diagnostics republished after the edit")
    -- A publish may race the didChange; wait until the quote's verdict settles to verified.
    local verified = vim.wait(15000, function()
      for _, nd in ipairs(published[drift.uri].diagnostics) do
        if same_start(nd.range, d.range) and nd.code == "verified" then return true end
      end
      return false
    end, 50)
    local now = {}
    for _, nd in ipairs(published[drift.uri].diagnostics) do
      if same_start(nd.range, d.range) then table.insert(now, nd.code) end
    end
    check(verified, "after \"Replace with source wording\" the quote verifies", now)
    local new_text = range_text(drift.bufnr, d.range)
    check(new_text ~= drift.text, "the quote's wording changed", new_text)
  end

  -- "Ignore this quote" on an unsourced quote: its diagnostic goes away.
  local unsourced
  for _, e in ipairs(all) do
    if e.diagnostic.code == "unsourced" then unsourced = e break end
  end
  if unsourced then
    vim.cmd("buffer " .. unsourced.bufnr)
    local fresh -- the current diagnostic for it (the drift edit may have republished this buffer)
    for _, nd in ipairs(published[unsourced.uri].diagnostics) do
      if nd.code == "unsourced" and range_text(unsourced.bufnr, nd.range) == unsourced.text then fresh = nd break end
    end
    if fresh then
      unsourced.diagnostic = fresh
      local count_before = 0
      for _, nd in ipairs(published[unsourced.uri].diagnostics) do
        if nd.code == "unsourced" then count_before = count_before + 1 end
      end
      local ignore = resolved(find_action(actions_for(unsourced), "ignore this quote"))
      check(ignore ~= nil and ignore.edit ~= nil, "unsourced quote offers \"Ignore this quote\" with an edit")
      if ignore and ignore.edit then
        vim.lsp.util.apply_workspace_edit(ignore.edit, client.offset_encoding or "utf-16")
        local buftext = table.concat(vim.api.nvim_buf_get_lines(unsourced.bufnr, 0, -1, false), "\n")
        check(buftext:find("verbatim-ignore", 1, true) ~= nil, "the edit inserts a verbatim-ignore comment")
        local gone = vim.wait(15000, function()
          local n = 0
          for _, nd in ipairs(published[unsourced.uri].diagnostics) do
            if nd.code == "unsourced" then n = n + 1 end
          end
          return n == count_before - 1
        end, 50)
        check(gone, "after \"Ignore this quote\" the quote has no diagnostic")
      end
    end
  end

  -- Settings pass through: severity.verified = "error" reaches the server (didChangeConfiguration /
  -- workspace/configuration) and verified quotes come back as errors.
  local first = opened[1]
  local count_before = published[first.uri].count
  verbatim.set_settings({ severity = { verified = "error" } })
  local as_errors = vim.wait(15000, function()
    local p = published[first.uri]
    if p.count == count_before then return false end
    for _, nd in ipairs(p.diagnostics) do
      if nd.code == "verified" and nd.severity == 1 then return true end
    end
    return false
  end, 50)
  check(as_errors, "settings pass through: severity.verified = \"error\" turns verified quotes into errors")

  -- No deprecation warnings (Neovim >= 0.10 reports uses of deprecated LSP functions in :messages).
  local messages = vim.api.nvim_exec2 and vim.api.nvim_exec2("messages", { output = true }).output
    or vim.api.nvim_exec("messages", true)
  check(not messages:lower():find("deprecat", 1, true), "no deprecation warnings in :messages", messages)

  say(string.format("# elapsed %d ms", math.floor((uv.hrtime() - t0) / 1e6)))
end

local ok, err = xpcall(main, debug.traceback)
if not ok and err ~= Abort then
  failed = failed + 1
  say("not ok - lua error: " .. tostring(err))
end
finish()
