"""Grading beyond one machine: Dask (each submission a task), or shards that a batch system's array job runs.

**Dask** (``--scheduler``): the host takes the submissions in (intake, no kernel), then each
student is one task, ``grade_student``, on a Dask worker; the host gathers the results and
writes ``results.json`` and the reports, exactly as a local run does (the same gradebook
bytes). A worker process grades its tasks one at a time, each kernel with ``HW08_GRADING_THREADS``
threads (default: the worker's cores / ``--jobs``); on a cluster it builds the handout once,
on a local cluster it uses the host's (the same machine: no second build).

* ``--scheduler local:N``: a ``LocalCluster`` of N worker processes on this machine;
* ``--scheduler tcp://host:8786``: an existing cluster, e.g. one that ``dask-jobqueue`` starts on
  Slurm or PBS (README, "Grading a large class"), or ``dask-kubernetes`` on a cluster. Every
  worker needs this repository (the same commit) and the data at the same paths.

**Shards** (``--shard K/N``, then ``--merge``): share K of N (students in intake order, every
N-th) is graded and written to ``OUT/shards/K-of-N.json``; ``--merge`` joins every shard of
``OUT/shards/`` into ``results.json`` and writes the reports. A Slurm array job runs one
shard per task (``sbatch --array=1-N``), then one merge step.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .runner import Context, Options, StudentResult
    from .submissions import Student

_WORKER: dict[str, Context] = {}


def _worker_context(options: Options, shared: dict | None) -> Context:
    """This worker process's handout and shared set-up: the host's (a local cluster), else built on its first task."""
    from .runner import Context, open_context

    key = repr(options)
    if key not in _WORKER:
        work = Path(tempfile.mkdtemp(prefix="hw08-grading-worker-"))
        atexit.register(shutil.rmtree, work, True)
        if shared is not None:  # the same machine: the host's handout folder, sandboxes of our own
            context = Context(work=work, options=options, **shared)
        else:
            context = open_context(work, options, max(1, options.jobs))
        threads = os.environ.get("HW08_GRADING_THREADS")
        if threads:
            context.threads = max(1, int(threads))
        _WORKER[key] = context
    return _WORKER[key]


def grade_task(student: Student, options: Options, shared: dict | None = None) -> StudentResult:
    """One task: every notebook of one student, in this worker process."""
    from .runner import grade_student

    return grade_student(student, _worker_context(options, shared))


def grade_on_dask(students: list[Student], options: Options, host: Context | None = None) -> list[StudentResult]:
    """Grade ``students`` as Dask tasks on ``options.scheduler``; the results in the same order."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise SystemExit(
            "--scheduler needs Dask: .venv/bin/pip install 'hw08-pytorch[cluster]' (or distributed)"
        ) from None
    address = options.scheduler or ""
    worker_options = replace(options, scheduler=None, progress=False, only=(), shard=None)
    cluster = None
    shared = None
    if address.startswith("local:"):
        try:
            workers = int(address.split(":", 1)[1])
        except ValueError:
            raise SystemExit(f"--scheduler {address}: write local:N with N the number of worker processes") from None
        if workers < 1:
            raise SystemExit(f"--scheduler {address}: N must be at least 1")
        worker_options = replace(worker_options, jobs=workers)
        if host is not None:
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
            shared = {
                "handout": host.handout,
                "parts": host.parts,
                "matplotlib": host.matplotlib,
                "data": host.data,
                "threads": max(1, cores // workers),
                "threshold": host.threshold,
            }
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        futures = client.map(
            grade_task,
            students,
            options=worker_options,
            shared=shared,
            key=[f"grade-{index:06d}" for index in range(len(students))],
            pure=False,
        )
        if options.progress:
            from dask.distributed import progress

            progress(futures)
        return client.gather(futures)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def merge_shards(out: Path) -> list[Path]:
    """Join ``out/shards/*.json`` into ``out/results.json``; the shard files used."""
    from . import store
    from .points import parts_table

    shards = sorted((out / "shards").glob("*-of-*.json"))
    if not shards:
        raise SystemExit(f"no shards in {out / 'shards'}: run the --shard K/N steps first, with the same OUT")
    counts = {p.stem.split("-of-")[1] for p in shards}
    if len(counts) != 1:
        raise SystemExit(f"{out / 'shards'} holds shards of different splits ({', '.join(sorted(counts))}): keep one")
    total = int(counts.pop())
    have = sorted(int(p.stem.split("-of-")[0]) for p in shards)
    missing = [k for k in range(1, total + 1) if k not in have]
    if missing:
        raise SystemExit(
            f"shards {', '.join(map(str, missing))} of {total} are missing in {out / 'shards'}: run them first"
        )
    table = parts_table()
    students: dict[str, StudentResult] = {}
    for path in shards:
        for student in store.load(path, table):
            students[student.name] = student
    store.save(out / store.RESULTS, list(students.values()))
    return shards
