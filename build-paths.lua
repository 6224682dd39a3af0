-- Outputs that print where a module is installed (`inspect.getsourcefile(nn.Linear)`,
-- warnings) show the build machine's Python environment, e.g.
-- /home/ci/hw08/.venv/lib/python3.11/site-packages/torch/nn/modules/linear.py.
-- The reader's differs: show the part that is the same everywhere,
-- .../site-packages/torch/nn/modules/linear.py.
local ENVIRONMENT = "[^%s'\"(]*/site%-packages/"

function CodeBlock(block)
  local text, count = block.text:gsub(ENVIRONMENT, ".../site-packages/")
  if count == 0 then
    return nil
  end
  block.text = text
  return block
end
