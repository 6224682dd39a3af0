"""Every section of the guide that a student page sends the reader to exists, and the handout says where the guide is.

A reference is "the guide's section(s) *A*, *B* and *C*" (or "the guide's *A*"): each italic name
must be the text of a heading of ``hw08.qmd`` (without its ``#`` marks and backticks).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "hw08.qmd"
#: The sentence part after "the guide's section(s)" up to the end of the clause; the italic names in it.
_REFERENCE = re.compile(r"the guide's (?:sections? )?((?:\*[^*]+\*(?:,\s*|\s+and\s+)?)+)", re.IGNORECASE)
_ITALIC = re.compile(r"\*([^*]+)\*")


def headings(text: str) -> set[str]:
    return {
        " ".join(match.group(1).replace("`", "").split())
        for match in re.finditer(r"^#{1,6}\s+(.+?)\s*$", text, re.MULTILINE)
    }


def references(text: str) -> list[str]:
    """The section names that ``text`` cites as "the guide's (section[s]) *Name*"."""
    return [
        " ".join(name.replace("`", "").split())
        for match in _REFERENCE.finditer(text)
        for name in _ITALIC.findall(match.group(1))
    ]


def student_pages() -> dict[str, str]:
    pages = {path.name: path.read_text(encoding="utf-8") for path in sorted(ROOT.glob("hw08-q*.md"))}
    pages["tools/student_README.md"] = (ROOT / "tools" / "student_README.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("hw08-q*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        pages[path.name] = "\n\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    return pages


def test_the_reference_finder_finds_and_names_sections():
    text = "Then the guide's sections *Saving and\nLoading Models*, *Made Up* and *`torch.export`*; see also *x*."
    assert references(text) == ["Saving and Loading Models", "Made Up", "torch.export"]
    assert references("the guide's *Comprehensive Checkpointing* shows it") == ["Comprehensive Checkpointing"]
    assert "Made Up" not in headings(GUIDE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", sorted(student_pages()))
def test_every_cited_guide_section_exists(page):
    known = headings(GUIDE.read_text(encoding="utf-8"))
    missing = [name for name in references(student_pages()[page]) if name not in known]
    assert not missing, f"{page} cites guide sections that hw08.qmd has no heading for: {missing}"


def test_the_student_pages_cite_guide_sections():
    """The test above is not vacuous: the notebooks do send students to named sections."""
    assert sum(len(references(text)) for text in student_pages().values()) >= 5


def test_the_handout_ships_the_guide_and_says_where_it_is():
    from grading.handout import make_student_module

    assert "hw08.qmd" in make_student_module().MANIFEST
    assert "`hw08.qmd`" in (ROOT / "tools" / "student_README.md").read_text(encoding="utf-8")
