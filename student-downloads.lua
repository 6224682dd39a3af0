-- Student site (_quarto-student.yml): each notebook page starts with links to download
-- that notebook and the whole handout, which tools/render_site.py stages in download/.
-- (A link to the page's own .ipynb would lead back to the page: Quarto rewrites links to
-- the pages it renders.)
local DOWNLOADS = "download"
local HANDOUT = "hw08-student.zip"

function Pandoc(doc)
  local input = quarto.doc.input_file
  if not input:match("%.ipynb$") then
    return nil
  end
  local name = pandoc.path.filename(input)
  local base = (quarto.project.offset or ".") .. "/" .. DOWNLOADS .. "/"
  local text = "Download the notebook [" .. name .. "](" .. base .. name .. "){download=\"" .. name .. "\"} "
    .. "into the `notebooks/` folder of the handout ([" .. HANDOUT .. "](" .. base .. HANDOUT .. "), "
    .. "which also holds `utils` and the set-up steps) and open it in JupyterLab. "
    .. "This page shows the notebook as you get it: each `NotImplementedError` line is yours to replace."
  local callout = quarto.Callout({ -- (returns the node and its fields: keep the node)
    type = "tip",
    title = "Download this notebook",
    content = pandoc.read(text, "markdown").blocks,
  })
  doc.blocks:insert(1, callout)
  return doc
end
