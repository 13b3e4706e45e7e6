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

-- A source's code lens ("quoted 3× in 2 drafts") runs verbatim.showReferences with the arguments
-- { uri, position, locations }: the quotes go to the quickfix list (:help verbatim-references).
vim.lsp.commands["verbatim.showReferences"] = function(command, ctx)
  local locations = command.arguments and command.arguments[3] or {}
  local client = ctx and ctx.client_id and vim.lsp.get_client_by_id(ctx.client_id)
  local items = vim.lsp.util.locations_to_items(locations, client and client.offset_encoding or "utf-16")
  vim.fn.setqflist({}, " ", { title = "verbatim: " .. (command.title or "quotes"), items = items })
  vim.cmd("botright copen")
end
