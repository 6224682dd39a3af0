-- Outputs that print where a module is installed (`inspect.getsourcefile(nn.Linear)`,
-- warnings) show the build machine's Python environment: a path such as
-- /home/ci/hw08/.venv/lib/python3.11/site-packages/torch/nn/modules/ followed by the file.
-- The reader's differs: show only the part that is the same everywhere, from
-- .../site-packages/ on.
local ENVIRONMENT = "[^%s'\"(]*/site%-packages/"

function CodeBlock(block)
  local text, count = block.text:gsub(ENVIRONMENT, ".../site-packages/")
  if count == 0 then
    return nil
  end
  block.text = text
  return block
end
