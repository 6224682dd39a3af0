"""``python -m grading SUBMISSIONS [--out OUT] [-j N]`` (``make grade``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .executor import Limits


def default_jobs() -> int:
    """One kernel per core (each single-threaded: small models scale poorly over threads), at most 4 (memory)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(4, cores))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m grading",
        description="Grade a folder of HW 8 submissions: gradebook.csv, one feedback file per student, summary.png.",
    )
    p.add_argument("submissions", type=Path, help="folder with one sub-folder (or .zip) per student")
    p.add_argument("--out", type=Path, default=Path("grades"), help="output folder (default: grades)")
    p.add_argument(
        "-j", "--jobs", type=int, default=1, help="notebooks graded at once (default 1); each gets cores/N threads"
    )
    p.add_argument("--device", default="cpu", help="HW08_DEVICE of the grading kernels (default cpu)")
    p.add_argument(
        "--data", type=Path, default=None, help="Fashion-MNIST folder (default: HW08_DATA, else <repo>/data)"
    )
    p.add_argument(
        "--cell-timeout", type=float, default=Limits.cell_seconds, help="seconds per cell (default %(default)g)"
    )
    p.add_argument(
        "--student-cell-timeout",
        type=float,
        default=Limits.student_cell_seconds,
        help="seconds per cell of the student's own code (default %(default)g)",
    )
    p.add_argument(
        "--notebook-timeout",
        type=float,
        default=Limits.notebook_seconds,
        help="seconds per notebook (default %(default)g)",
    )
    p.add_argument(
        "--output-limit-mb",
        type=float,
        default=Limits.output_bytes / 2**20,
        help="output per cell, MB (default %(default)g)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.jobs < 1:
        parser().error("--jobs must be at least 1")
    from .runner import Options, grade

    limits = Limits(
        cell_seconds=args.cell_timeout,
        student_cell_seconds=args.student_cell_timeout,
        notebook_seconds=args.notebook_timeout,
        output_bytes=int(args.output_limit_mb * 2**20),
    )
    options = Options(jobs=args.jobs, limits=limits, device=args.device, data=args.data, progress=not args.quiet)
    students = grade(args.submissions, args.out, options)
    counts: dict[str, int] = {}
    for student in students:
        counts[student.status] = counts.get(student.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(
        f"graded {len(students)} students ({summary or 'none'}): {args.out / 'gradebook.csv'}, {args.out / 'feedback'}/, "
        f"{args.out / 'summary.png'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
