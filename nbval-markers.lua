-- Code cells of the notebooks start with nbval's markers (`# NBVAL_IGNORE_OUTPUT`,
-- `# NBVAL_CHECK_OUTPUT`, ...), instructions to the test runner, not to the reader:
-- drop those leading lines from every code block (and a block left empty by that).
local MARKER = "^#%s*NBVAL_[%u_]+%s*$"

function CodeBlock(block)
  local lines = {}
  for line in (block.text .. "\n"):gmatch("(.-)\n") do
    table.insert(lines, line)
  end
  local first = 1
  while first <= #lines and lines[first]:match(MARKER) do
    first = first + 1
  end
  if first == 1 then
    return nil
  end
  local rest = table.concat(lines, "\n", first)
  if rest:match("^%s*$") then
    return {}
  end
  block.text = rest
  return block
end
