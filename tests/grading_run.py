"""Grading the test class once: the submissions made read-only and checksummed before and after."""

from __future__ import annotations

import csv
import hashlib
import os
import stat
from pathlib import Path
from types import SimpleNamespace

from grading.executor import Limits
from grading.runner import Options, grade

LIMITS = Limits(student_cell_seconds=20, output_bytes=5 * 2**20)
SECRET = "the instructor's secret 4f1c"


def checksums(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def set_read_only(folder: Path, read_only: bool) -> None:
    for path in sorted(folder.rglob("*"), reverse=True) + [folder]:
        if path.is_dir():
            path.chmod(0o555 if read_only else 0o755)
        else:
            path.chmod(0o444 if read_only else 0o644)


def rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def grade_class(base: Path, write) -> SimpleNamespace:
    secret = base / "secret.txt"
    secret.write_text(SECRET)
    submissions = base / "submissions"
    made = write(submissions, secret)
    set_read_only(submissions, True)
    before = checksums(submissions)
    os.environ["HW08_INSTRUCTOR_ONLY"] = "must not reach the kernels"
    try:
        students = grade(submissions, base / "out", Options(jobs=2, limits=LIMITS, progress=False))
    finally:
        del os.environ["HW08_INSTRUCTOR_ONLY"]
        after = checksums(submissions)
        modes = {p: stat.S_IMODE(p.stat().st_mode) for p in submissions.rglob("*")}
        set_read_only(submissions, False)
    return SimpleNamespace(
        base=base,
        submissions=submissions,
        out=base / "out",
        students={s.name: s for s in students},
        rows=rows(base / "out"),
        before=before,
        after=after,
        modes=modes,
        made=made,
    )
