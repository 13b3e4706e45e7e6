-- verbatim.nvim user commands. Nothing starts until require("verbatim").setup() is called (or, on
-- Neovim >= 0.11, vim.lsp.enable("verbatim") with the config in lsp/verbatim.lua). See :help verbatim.
if vim.g.loaded_verbatim then
  return
end
vim.g.loaded_verbatim = true

vim.api.nvim_create_user_command("VerbatimInfo", function()
  print(table.concat(require("verbatim").info(), "\n"))
end, { desc = "verbatim: show the server command, the buffer's root and the running clients" })

vim.api.nvim_create_user_command("VerbatimStart", function()
  if not require("verbatim").attach(0) then
    vim.notify("verbatim: no verbatim.toml or sources/ folder above this buffer", vim.log.levels.WARN)
  end
end, { desc = "verbatim: attach the current buffer" })

vim.api.nvim_create_user_command("VerbatimStop", function()
  require("verbatim").stop()
end, { desc = "verbatim: stop the verbatim servers" })

vim.api.nvim_create_user_command("VerbatimRestart", function()
  require("verbatim").restart()
end, { desc = "verbatim: restart the verbatim servers" })
