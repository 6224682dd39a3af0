"""CSV cells that a spreadsheet shows as text: nothing a student wrote is ever run as a formula.

The grader's CSV files (the gradebook, the LMS exports, the manual scores sheet, the similarity
table) hold text a student controls: error messages of their code, the names of their files,
the name they gave the LMS. Excel, LibreOffice and Google Sheets read a cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula, which can
fetch a URL with the sheet's contents or, in older Excel, run a program. :func:`cell` puts an
apostrophe before such text (the spreadsheets' own "this is text" mark, not shown); numbers,
negative ones included, stay numbers. :func:`plain` takes the mark off again when the grader
reads its own sheet back.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cell(value: Any) -> Any:
    """``value``, with an apostrophe in front when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _number(value):
        return "'" + value
    return value


def plain(value: str) -> str:
    """The text :func:`cell` was given (the apostrophe it added taken off)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) and not _number(value[1:]):
        return value[1:]
    return value


def rows(table: Iterable[Iterable[Any]]) -> list[list[Any]]:
    return [[cell(value) for value in row] for row in table]


def csv_text(table: Iterable[Iterable[Any]]) -> str:
    """``table`` as CSV text, every cell made safe by :func:`cell`."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows(table))
    return buffer.getvalue()
