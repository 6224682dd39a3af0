"""Similarity between submissions: ``OUT/similarity.html`` and ``OUT/similarity.csv``, with copydetect.

Each student's own code (their code cells that differ from the handout's, kept in
``results.json``) is compared with every other student's code *for the same notebook* by
copydetect (winnowed fingerprints of the token stream, so renamed variables and moved
functions still match). The handout's code cells are boilerplate: starter code everyone
received never counts. The report flags pairs for a person to look at; it changes no score.

``similarity.csv`` lists every pair above the display threshold, most similar first:
``notebook, student_a, student_b, similarity_a, similarity_b, tokens``.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import spreadsheet

if TYPE_CHECKING:
    from .runner import StudentResult

ROOT = Path(__file__).resolve().parent.parent
REPORT = "similarity.html"
TABLE = "similarity.csv"
#: Pairs whose share of copied code (in either file) is above this are shown.
DISPLAY = 0.5
#: Fingerprint sizes (tokens): matches shorter than NOISE are ignored, longer than GUARANTEE always found.
NOISE, GUARANTEE = 25, 30
SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def handout_code(root: Path = ROOT) -> dict[str, str]:
    """Notebook name -> the handout's code cells (what every student starts from)."""
    from .handout import make_student_module

    make_student = make_student_module(root)
    found = {}
    for path in sorted((root / "notebooks").glob("hw08-q*.ipynb")):
        handout, _ = make_student.student_notebook(path)
        found[path.name] = "\n\n".join(c.source for c in handout.cells if c.cell_type == "code") + "\n"
    return found


def pairs(
    students: Sequence[StudentResult], boilerplate: dict[str, str], display: float = DISPLAY
) -> tuple[list[tuple[str, str, str, float, float, int]], str]:
    """The similar pairs (notebook, a, b, share of a, share of b, tokens), most similar first, and the HTML report."""
    from copydetect import CopyDetector

    with tempfile.TemporaryDirectory(prefix="hw08-similarity-") as temporary:
        base = Path(temporary)
        folders: dict[str, str] = {}
        for number, student in enumerate(students):
            folder = base / "students" / f"{number:05d}-{SAFE.sub('_', student.name)[:40]}"
            for notebook, code in student.code.items():
                if code.strip():
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / f"{Path(notebook).stem}.py").write_text(code, encoding="utf-8")
            folders[folder.name] = student.name
        (base / "handout").mkdir()
        for notebook, code in boilerplate.items():
            (base / "handout" / f"{Path(notebook).stem}.py").write_text(code, encoding="utf-8")
        if not (base / "students").exists():
            return [], "<!DOCTYPE html><html><body><p>No student code to compare.</p></body></html>\n"
        logging.getLogger().setLevel(logging.ERROR)
        detector = CopyDetector(
            test_dirs=[str(base / "students")],
            boilerplate_dirs=[str(base / "handout")],
            extensions=["py"],
            noise_t=NOISE,
            guarantee_t=GUARANTEE,
            display_t=display,
            same_name_only=True,
            autoopen=False,
            silent=True,
            out_file=str(base / "report.html"),
        )
        detector.run()
        found = []
        for entry in detector.get_copied_code_list():
            share_a, share_b, file_a, file_b = entry[0], entry[1], Path(entry[2]), Path(entry[3])
            a, b = folders[file_a.parent.name], folders[file_b.parent.name]
            if a == b:
                continue
            if b < a:
                a, b, share_a, share_b = b, a, share_b, share_a
            found.append(
                (f"{file_a.stem}.ipynb", a, b, round(float(share_a), 3), round(float(share_b), 3), int(entry[6]))
            )
        html = detector.generate_html_report(output_mode="return") if found else ""
        if html:
            for folder, name in folders.items():
                html = html.replace(str(base / "students" / folder), name)
            html = html.replace(str(base), "")
    found = sorted(set(found), key=lambda p: (-max(p[3], p[4]), p[0], p[1], p[2]))
    return (
        found,
        html or "<!DOCTYPE html><html><body><p>No pair of submissions above the threshold.</p></body></html>\n",
    )


def write_report(out: Path, students: Sequence[StudentResult], boilerplate: dict[str, str] | None = None) -> None:
    found, html = pairs(students, boilerplate if boilerplate is not None else handout_code())
    banner = (
        f"<p><strong>{len(found)} pairs</strong> share more than {DISPLAY:.0%} of their own code (the handout's starter code "
        "left out). This flags pairs for a person to read; it changes no score.</p>"
    )
    html = html.replace("<body>", "<body>" + banner, 1) if "<body>" in html else banner + html
    (out / REPORT).write_text(html, encoding="utf-8")
    table = [["notebook", "student_a", "student_b", "similarity_a", "similarity_b", "tokens"], *found]
    (out / TABLE).write_text(spreadsheet.csv_text(table), encoding="utf-8")
