"""Benchmark of the grader (`make bench-grade`): seconds per student, and where they go.

Grades N synthetic students (complete solutions of all three questions, every other one
with new cell ids so that cells are matched by name) and prints the wall time per
student and the time of each phase, summed over the notebooks: starting kernels, the
setup cells, the students' code, the self-checks, the hidden cases (question 2's final
training apart) and the handout cells grading needs; and what the sandbox (bubblewrap)
costs per kernel start, against a kernel started without it. The load average is printed too:
timings taken while other work shares the cores are not the grader's own.

    python benchmarks/grading_speed.py [--students 10] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from grading import synthetic
from grading.runner import Options, grade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="hw08-bench-grade-") as temporary:
        folder = Path(temporary)
        synthetic.write_full(folder / "submissions", args.students)
        load_before = os.getloadavg()
        began = time.perf_counter()
        students = grade(folder / "submissions", folder / "out", Options(jobs=args.jobs))
        wall = time.perf_counter() - began
        load_after = os.getloadavg()
    phases: dict[str, float] = {}
    channel: dict[str, float] = {}
    for student in students:
        for notebook in student.notebooks.values():
            for phase, seconds in notebook.seconds.items():
                phases[phase] = phases.get(phase, 0.0) + seconds
            for key, value in notebook.channel.items():
                channel[key] = channel.get(key, 0.0) + value
    cores = len(os.sched_getaffinity(0))
    print(
        f"\n{len(students)} students, {cores} cores, --jobs {args.jobs} ({max(1, cores // args.jobs)} threads per kernel)"
    )
    print(
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after (above {cores}: other work shared the cores)"
    )
    print(f"wall time {wall:.0f} s: {wall / len(students):.1f} s per student (goal: 60 s)")
    print(f"statuses: {sorted({s.status for s in students})}; totals: {sorted({s.total for s in students})}")
    print("\nkernel time per phase, summed over notebooks (s per student; runs in parallel overlap):")
    for phase, seconds in sorted(phases.items(), key=lambda item: -item[1]):
        print(f"  {phase:<22} {seconds / len(students):7.1f}")
    print(f"  {'all phases':<22} {sum(phases.values()) / len(students):7.1f}")
    n = len(students)
    print(
        f"\nthe data channel (part of the hidden cases' time): {channel.get('requests', 0) / n:.0f} requests, "
        f"{channel.get('seconds', 0) / n:.1f} s and {channel.get('bytes', 0) / n / 2**20:.1f} MB of replies per student"
    )
    print("\nwhat the sandbox costs per kernel start (one question-1 notebook, graded alone):")
    for sandboxed in (True, False):
        print(f"  {'bubblewrap' if sandboxed else '--no-sandbox':<22} {kernel_start(sandboxed):7.1f} s")
    return 0


def kernel_start(sandboxed: bool) -> float:
    """Seconds to start the kernel of one question-1 notebook, with or without the sandbox."""
    with tempfile.TemporaryDirectory(prefix="hw08-bench-kernel-") as temporary:
        folder = Path(temporary)
        name = "hw08-q01.ipynb"
        synthetic.write(folder / "submissions" / "student", {name: synthetic.notebooks()[name][1]})
        students = grade(folder / "submissions", folder / "out", Options(progress=False, sandboxed=sandboxed))
        return students[0].notebooks[name].seconds["kernel"]


if __name__ == "__main__":
    raise SystemExit(main())
