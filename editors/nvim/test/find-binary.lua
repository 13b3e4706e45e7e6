-- Where the plugin looks for the `verbatim` binary when no `cmd`, g:verbatim_bin or $VERBATIM_BIN names
-- one (Mason's bin folder, $PATH, ~/.local/bin, ~/.cargo/bin), and what it says when it finds none.
-- Run by test/run.sh with a scratch HOME and XDG_DATA_HOME, $VERBATIM_BIN unset, and
--   VERBATIM_TEST_BIN   the server binary to copy into those places
--   VERBATIM_DEMO       a copy of fixtures/demo
--   VERBATIM_SCRATCH    an empty folder for fake PATH folders
local bin = os.getenv("VERBATIM_TEST_BIN")
local demo = os.getenv("VERBATIM_DEMO")
local scratch = os.getenv("VERBATIM_SCRATCH")
local uv = vim.uv or vim.loop
local passed, failed = 0, 0

local function check(ok, what, detail)
  if ok then
    passed = passed + 1
    io.stdout:write("ok - " .. what .. "\n")
  else
    failed = failed + 1
    io.stdout:write("not ok - " .. what .. (detail and (": " .. vim.inspect(detail)) or "") .. "\n")
  end
end

local function finish()
  io.stdout:write(string.format("nvim find-binary: %d passed, %d failed\n", passed, failed))
  vim.cmd(failed == 0 and passed > 0 and "qall!" or "cquit 1")
end

--- Copies the server to `dir/verbatim` (executable).
local function place_server(dir)
  vim.fn.mkdir(dir, "p")
  local target = dir .. "/verbatim"
  assert(uv.fs_copyfile(bin, target))
  assert(uv.fs_chmod(target, 493)) -- 0755
  return target
end

local ok_all, err = pcall(function()
  assert(bin and demo and scratch, "VERBATIM_TEST_BIN, VERBATIM_DEMO and VERBATIM_SCRATCH must be set")
  check(os.getenv("VERBATIM_BIN") == nil and vim.g.verbatim_bin == nil, "neither $VERBATIM_BIN nor g:verbatim_bin is set")
  local empty = scratch .. "/empty-bin"
  vim.fn.mkdir(empty, "p")
  vim.env.PATH = empty
  local notes = {}
  vim.notify = function(message, level)
    table.insert(notes, { message = message, level = level })
  end

  local verbatim = require("verbatim")
  verbatim.setup({ autostart = false })
  local mason_bin = vim.fn.stdpath("data") .. "/mason/bin"
  local home = os.getenv("HOME")

  -- 1. Nowhere: no binary, one error naming every place, and nothing started.
  check(verbatim.find_binary() == nil, "nothing installed: find_binary() finds nothing")
  local draft = demo .. "/drafts/nato-explainer.md"
  vim.cmd("edit " .. vim.fn.fnameescape(draft))
  local id = verbatim.attach(0)
  check(id == nil, "nothing installed: attach() starts no client")
  local errors = vim.tbl_filter(function(n)
    return n.level == vim.log.levels.ERROR
  end, notes)
  check(#errors == 1, "one error message", notes)
  local message = errors[1] and errors[1].message or ""
  check(message:find("no server binary found", 1, true) ~= nil, "it says no server binary was found", message)
  check(message:find(mason_bin, 1, true) ~= nil, "it names Mason's bin folder", message)
  check(message:find("$PATH", 1, true) ~= nil, "it names $PATH", message)
  check(message:find(home .. "/.local/bin", 1, true) ~= nil and message:find(home .. "/.cargo/bin", 1, true) ~= nil, "it names ~/.local/bin and ~/.cargo/bin", message)
  check(message:find("MasonInstall verbatim", 1, true) ~= nil and message:find("pipx install verbatim-lsp", 1, true) ~= nil, "it says how to install the server", message)
  verbatim.attach(0)
  check(#notes == 1, "a second buffer does not repeat the error", notes)
  local info = table.concat(verbatim.info(), "\n")
  check(info:find("no server binary found", 1, true) ~= nil, ":VerbatimInfo says where it looked too", info)

  -- 2. ~/.local/bin (pipx, uv tool) with $PATH lacking it: found there.
  local local_bin = place_server(home .. "/.local/bin")
  check(verbatim.find_binary() == local_bin, "not on $PATH, in ~/.local/bin: found there", verbatim.find_binary())

  -- 3. On $PATH (a pip virtual environment's bin/): wins over ~/.local/bin.
  local venv_bin = place_server(scratch .. "/venv/bin")
  vim.env.PATH = empty .. ":" .. scratch .. "/venv/bin"
  check(verbatim.find_binary() == venv_bin, "on $PATH: found there, before ~/.local/bin", verbatim.find_binary())

  -- 4. Mason's bin folder: wins over $PATH, and the client starts from it.
  local mason = place_server(mason_bin)
  check(verbatim.find_binary() == mason, "in Mason's bin folder: found there first", verbatim.find_binary())
  check(verbatim.server_cmd()[1] == mason and verbatim.server_cmd()[2] == "lsp", "the server command is { <mason>/verbatim, 'lsp' }", verbatim.server_cmd())
  id = verbatim.attach(0)
  check(id ~= nil, "attach() starts the Mason-installed server")
  local client = id and vim.lsp.get_client_by_id(id)
  local initialized = vim.wait(30000, function()
    return client ~= nil and client.initialized ~= false and (client.server_capabilities or client.resolved_capabilities) ~= nil
  end, 50)
  check(initialized, "the server answers initialize")
  check(client and client.config.cmd[1] == mason, "the running client's cmd is Mason's binary", client and client.config.cmd)

  -- 5. g:verbatim_bin wins over all of them.
  vim.g.verbatim_bin = venv_bin
  check(verbatim.server_cmd()[1] == venv_bin, "g:verbatim_bin wins over Mason and $PATH", verbatim.server_cmd())
  vim.g.verbatim_bin = nil
  verbatim.stop()
end)
if not ok_all then
  check(false, "the test ran without an error", tostring(err))
end
finish()
