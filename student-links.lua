-- Used by the `student` Quarto profile (_quarto-student.yml): the question files end with a
-- link to notebooks/hw08-q0N.ipynb, the SOLUTION notebook. In the student site that link must
-- lead to the generated student copy, else Quarto would copy the solution notebook into
-- _site-student. Links starting with `student-links.from` get that prefix replaced by
-- `student-links.to`.
local prefix, replacement

local function read_settings(meta)
  local spec = meta["student-links"]
  if spec then
    prefix = pandoc.utils.stringify(spec["from"])
    replacement = pandoc.utils.stringify(spec["to"])
  end
end

local function rewrite(link)
  if prefix and link.target:sub(1, #prefix) == prefix then
    link.target = replacement .. link.target:sub(#prefix + 1)
    return link
  end
end

return { { Meta = read_settings }, { Link = rewrite } }
