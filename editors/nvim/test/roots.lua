-- The plugin's root detection (find_root) on the cases shared with the server and the CLI
-- (fixtures/roots/cases.txt, also run by tests/roots.rs and editors/emacs/test/roots.el).
-- Run by test/run.sh with VERBATIM_ROOT_CASES set to that file.
local cases = os.getenv("VERBATIM_ROOT_CASES")
local passed, failed = 0, 0

local ok_all, err = pcall(function()
  assert(cases, "VERBATIM_ROOT_CASES must be set")
  local verbatim = require("verbatim")
  local base = vim.fn.tempname()
  vim.fn.mkdir(base, "p")
  base = vim.loop.fs_realpath(base)
  for line in io.lines(cases) do
    local kind, path, root = line:match("^(%S+)%s+(%S+)%s*(%S*)$")
    if kind == "dir" then
      vim.fn.mkdir(base .. "/" .. path, "p")
    elseif kind == "file" then
      vim.fn.mkdir(vim.fn.fnamemodify(base .. "/" .. path, ":h"), "p")
      vim.fn.writefile({}, base .. "/" .. path)
    elseif kind == "root" then
      local expected = root ~= "-" and (base .. "/" .. root) or nil
      local found = verbatim.find_root(base .. "/" .. path)
      if found == expected then
        passed = passed + 1
        io.stdout:write("ok - root of " .. path .. "\n")
      else
        failed = failed + 1
        io.stdout:write(string.format("not ok - root of %s: %s, expected %s\n", path, tostring(found), tostring(expected)))
      end
    elseif kind ~= nil and not kind:match("^#") then
      error("cannot read the case line " .. line)
    end
  end
  vim.fn.delete(base, "rf")
end)
if not ok_all then
  io.stdout:write("not ok - " .. tostring(err) .. "\n")
  failed = failed + 1
end
io.stdout:write(string.format("nvim roots: %d passed, %d failed\n", passed, failed))
vim.cmd(failed == 0 and passed > 0 and "qall!" or "cquit 1")
