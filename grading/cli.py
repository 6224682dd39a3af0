"""``python -m grading SUBMISSIONS [--out OUT] [-j N]`` (``make grade``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .executor import Limits
from .sandbox import Resources


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
    defaults = Resources()
    p.add_argument(
        "--memory-limit-gb",
        type=float,
        default=defaults.memory_bytes / 2**30,
        help="memory per kernel, GB (default %(default)g)",
    )
    p.add_argument(
        "--process-limit",
        type=int,
        default=defaults.processes,
        help="processes and threads per kernel, besides its torch threads (default %(default)d)",
    )
    p.add_argument(
        "--file-limit-mb",
        type=float,
        default=defaults.file_bytes / 2**20,
        help="size of one file, MB (default %(default)g)",
    )
    p.add_argument(
        "--disk-limit-mb",
        type=float,
        default=defaults.folder_bytes / 2**20,
        help="the kernel's whole working folder, MB (default %(default)g)",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the kernels without bubblewrap (only where it cannot run; every student's feedback says so)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--roster", type=Path, help="CSV of the class: lms_id, student_id, name, section (optional)")
    p.add_argument("--policy", type=Path, help="the grading policy (default: grading.toml of the repository)")
    p.add_argument(
        "--manual",
        type=Path,
        help="filled-in manual/scores.csv to merge; with an existing OUT/results.json no notebook runs again",
    )
    p.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="re-grade this student only (repeatable)"
    )
    p.add_argument("--shard", metavar="K/N", help="grade share K of N into OUT/shards/ (then --merge)")
    p.add_argument("--merge", action="store_true", help="join OUT/shards/*.json and write the reports")
    p.add_argument("--regrade", action="store_true", help="with --manual: grade every notebook again")
    p.add_argument("--scheduler", help="grade on Dask: local:N (a local cluster of N processes) or a scheduler address")
    p.add_argument("--no-similarity", action="store_true", help="skip the similarity report")
    return p


def _shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        parser().error(f"--shard {text}: write K/N, e.g. 3/10")
    if not 1 <= k <= n:
        parser().error(f"--shard {text}: K must be from 1 to N")
    return k, n


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
    resources = Resources(
        memory_bytes=int(args.memory_limit_gb * 2**30),
        processes=args.process_limit,
        file_bytes=int(args.file_limit_mb * 2**20),
        folder_bytes=int(args.disk_limit_mb * 2**20),
    )
    options = Options(
        jobs=args.jobs,
        limits=limits,
        device=args.device,
        data=args.data,
        progress=not args.quiet,
        sandboxed=not args.no_sandbox,
        resources=resources,
        roster=args.roster,
        policy=args.policy,
        manual=args.manual,
        only=tuple(args.only),
        shard=_shard(args.shard),
        scheduler=args.scheduler,
        similarity=not args.no_similarity,
    )
    from . import store
    from .runner import finish

    if args.merge:
        from .distributed import merge_shards

        merge_shards(args.out)
        students = finish(args.submissions, args.out, options)
    elif args.manual and (args.out / store.RESULTS).is_file() and not (args.regrade or args.only):
        students = finish(args.submissions, args.out, options)
        print(f"merged {args.manual} into {args.out / 'gradebook.csv'} (no notebook was run; --regrade grades again)")
    else:
        students = grade(args.submissions, args.out, options)
    if options.shard:
        print(f"graded shard {args.shard} ({len(students)} students) into {args.out / 'shards'}/; then --merge")
        return 0
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
