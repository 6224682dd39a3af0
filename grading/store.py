"""``results.json``: every student's verdicts as graded, the one input of all the reports.

The gradebook, the feedback, the manual-grading sheets and the exports are all written from
this file (never from the run's objects directly), so that merging manual scores
(``MANUAL=``), re-grading one student (``--only``) and merging shards (``--merge``) give the same
bytes for everyone else as a full run. The file holds no path or time of the run except each
notebook's seconds per phase (for measurements; no report prints them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from .points import PartSpec
from .results import NotebookResult, PartResult

if TYPE_CHECKING:
    from .runner import StudentResult

RESULTS = "results.json"
VERSION = 1


def student_to_json(student: StudentResult) -> dict:
    return {
        "name": student.name,
        "info": dict(sorted(student.info.items())),
        "notes": list(student.notes),
        "files": list(student.files),
        "answers": {part: list(texts) for part, texts in sorted(student.answers.items())},
        "code": dict(sorted(student.code.items())),
        "notebooks": {
            name: {
                "status": nb.status,
                "reasons": list(nb.reasons),
                "test_accuracy": nb.test_accuracy,
                "seconds": {k: round(v, 3) for k, v in sorted(nb.seconds.items())},
                "channel": {k: round(v, 3) for k, v in sorted(nb.channel.items())},
                "parts": {
                    pid: {
                        "passed": pr.passed,
                        "message": pr.message,
                        "cases": list(pr.cases) if pr.cases else None,
                        "hidden": pr.hidden,
                    }
                    for pid, pr in nb.parts.items()
                },
            }
            for name, nb in sorted(student.notebooks.items())
        },
    }


def student_from_json(data: dict, parts: dict[str, PartSpec]) -> StudentResult:
    from .runner import StudentResult

    notebooks = {}
    for name, nb in data["notebooks"].items():
        results = {
            pid: PartResult(
                parts[pid],
                p["passed"],
                p["message"],
                tuple(p["cases"]) if p.get("cases") else None,
                hidden=p.get("hidden", ""),
            )
            for pid, p in nb["parts"].items()
            if pid in parts
        }
        notebooks[name] = NotebookResult(
            name,
            nb["status"],
            results,
            list(nb["reasons"]),
            nb.get("test_accuracy"),
            dict(nb.get("seconds", {})),
            channel=dict(nb.get("channel", {})),
        )
    return StudentResult(
        data["name"],
        notebooks,
        list(data.get("notes", [])),
        info=dict(data.get("info", {})),
        files=list(data.get("files", [])),
        answers={k: list(v) for k, v in data.get("answers", {}).items()},
        code=dict(data.get("code", {})),
    )


def dumps(students: list[StudentResult]) -> str:
    payload = {"version": VERSION, "students": [student_to_json(s) for s in sorted(students, key=lambda s: s.name)]}
    return json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def save(path: Path, students: list[StudentResult]) -> None:
    temporary = path.with_name(path.name + ".partial")
    temporary.write_text(dumps(students), encoding="utf-8")
    temporary.replace(path)


def load(path: Path, table: tuple[PartSpec, ...] | list[PartSpec]) -> list[StudentResult]:
    """The students of a ``results.json`` (or a shard's), or :class:`SystemExit` naming the file and the fix."""
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SystemExit(f"{path} does not exist: grade the submissions first (make grade SUBMISSIONS=...)") from None
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"{path} cannot be read ({error}): grade again to write it anew") from None
    if not isinstance(payload, dict) or payload.get("version") != VERSION:
        raise SystemExit(f"{path} was written by another version of the grader: grade again to write it anew")
    parts = {p.id: p for p in table}
    return [student_from_json(s, parts) for s in payload["students"]]
