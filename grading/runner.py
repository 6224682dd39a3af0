"""A whole grading run: the handout, every student's notebooks (in parallel), the outputs.

One job per submitted notebook, the longest (question 2, which trains the final model)
first; ``jobs`` of them run at once, each kernel limited to its share of the cores.
Nothing under ``submissions`` is written; everything temporary lives in one folder that
is deleted at the end.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from . import hidden, report, sandbox
from .assemble import KERNEL, ForeignNotebook, assemble
from .executor import Limits, execute
from .handout import Handout, build_handout
from .points import PartSpec, accuracy_threshold, parts_table
from .results import Normalizer, NotebookResult, judge, unanswered, worst
from .submissions import Student, UnreadableNotebook, find_students, read_found

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
NO_SANDBOX = (
    "graded with --no-sandbox: the student's code ran without the operating system's sandbox "
    "(it could reach the network, the grader's files and processes)"
)


@dataclass(frozen=True)
class Options:
    jobs: int = 1
    limits: Limits = field(default_factory=Limits)
    device: str = "cpu"
    data: Path | None = None
    progress: bool = True
    sandboxed: bool = True  # each kernel under bubblewrap; False only with the instructor's --no-sandbox
    resources: sandbox.Resources = field(default_factory=sandbox.Resources)


@dataclass
class StudentResult:
    name: str
    notebooks: dict[str, NotebookResult]
    notes: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return worst([n.status for n in self.notebooks.values()])

    def part_results(self) -> dict:
        return {pid: pr for n in self.notebooks.values() for pid, pr in n.parts.items()}

    @property
    def total(self) -> int:
        return sum(p.score for p in self.part_results().values())


@dataclass
class Context:
    """What every job shares."""

    handout: Handout
    parts: dict[str, list[PartSpec]]  # notebook name -> its question's parts
    work: Path
    matplotlib: Path | None
    options: Options
    data: Path
    threads: int
    threshold: float
    counter: list[int] = field(default_factory=lambda: [0])
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self) -> int:
        with self.lock:
            self.counter[0] += 1
            return self.counter[0]


def _check_folders(submissions: Path, out: Path) -> None:
    if not submissions.is_dir():
        raise SystemExit(f"SUBMISSIONS={submissions} is not a folder: pass the folder holding one entry per student")
    sub, dest = submissions.resolve(), out.resolve()
    if dest == sub or sub in dest.parents or dest in sub.parents:
        raise SystemExit(f"OUT={out} must be outside SUBMISSIONS={submissions} (grading never writes there)")


def _start_source(box: sandbox.Sandbox, context: Context, nonce: str) -> str:
    config = {
        "nonce": nonce,
        "threads": context.threads,
        "sandbox": str(box.root),
        "read_roots": [str(context.data), str(PACKAGE)],
        "protected": box.protected(),
        "settings": {"accuracy_threshold": context.threshold},
    }
    repo = str(ROOT)
    return "\n".join(
        [
            "import sys as _hw08_sys",
            f"_hw08_sys.path.append({repo!r})",
            f"import grading.kernel as {KERNEL}",
            f"_hw08_sys.path.remove({repo!r})",
            "del _hw08_sys",
            f"{KERNEL}.start({config!r}, globals())",
        ]
    )


def _normalizer(box: sandbox.Sandbox) -> Normalizer:
    return Normalizer({str(box.root): "<sandbox>", os.path.realpath(box.root): "<sandbox>"})


def grade_notebook(student: Student, name: str, context: Context) -> NotebookResult:
    """Grade one student's notebook ``name`` (or report it missing or unreadable)."""
    parts = context.parts[name]
    found = student.found.get(name)
    if found is None:
        return unanswered(name, "missing", parts, f"{name} was not submitted")
    try:
        notebook = read_found(found)
    except UnreadableNotebook as error:
        return unanswered(name, "unreadable", parts, str(error))
    box = sandbox.create(
        context.work / "sandboxes" / f"{context.next_id():05d}", context.handout.folder, context.matplotlib
    )
    try:
        nonce = secrets.token_hex(16)
        try:
            graded = assemble(
                context.handout.notebooks[name],
                notebook,
                [p.id for p in parts],
                {p.id: hidden.uses_by_part()[p.id] for p in parts if p.id in hidden.CASES},
                _start_source(box, context, nonce),
            )
        except ForeignNotebook as error:
            return unanswered(name, "unreadable", parts, f"{found.origin}: {error}")
        environment = sandbox.environment(box, context.data, context.options.device, context.threads)
        options = context.options
        launch = sandbox.launch(
            box,
            [context.data, PACKAGE],
            options.resources,
            context.threads,
            options.limits.notebook_seconds,
            options.sandboxed,
        )
        try:
            execution = execute(graded, nonce, options.limits, str(box.notebooks), environment, launch)
        finally:
            sandbox.release(launch)
        return judge(graded, execution, parts, _normalizer(box))
    finally:
        sandbox.remove(box)


def _prepare_output(out: Path) -> None:
    if out.exists() and any(out.iterdir()) and not (out / report.STAMP).is_file():
        raise SystemExit(
            f"OUT={out} exists and was not written by the grader (no {report.STAMP}): "
            "pick another OUT or move that folder away"
        )


def grade(submissions: Path, out: Path, options: Options = Options()) -> list[StudentResult]:
    """Grade every student in ``submissions``; write gradebook.csv, feedback/ and summary.png into ``out``."""
    from utils.data import data_root, ensure_fashion_mnist

    _check_folders(submissions, out)
    _prepare_output(out)
    if options.sandboxed:
        sandbox.require()
    else:
        print(f"warning: {NO_SANDBOX}", file=sys.stderr)
    data = ensure_fashion_mnist(data_root(options.data), download=False).resolve()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="hw08-grading-") as temporary:
        work = Path(temporary)
        handout = build_handout(work / "handout")
        table = parts_table()
        parts = {name: [p for p in table if p.question == nb.question] for name, nb in handout.notebooks.items()}
        matplotlib = work / "matplotlib"
        sandbox.warm_matplotlib(matplotlib)
        context = Context(
            handout=handout,
            parts=parts,
            work=work,
            matplotlib=matplotlib,
            options=options,
            data=data,
            threads=max(1, cores // max(1, options.jobs)),
            threshold=accuracy_threshold(ROOT / "notebooks" / "hw08-q02.ipynb"),
        )
        students, ignored = find_students(submissions, set(handout.notebooks))
        unsandboxed = [] if options.sandboxed else [NO_SANDBOX]
        results = {s.name: StudentResult(s.name, {}, [*s.notes, *unsandboxed]) for s in students}
        order = sorted(handout.notebooks, key=lambda n: (handout.notebooks[n].question != 2, n))
        jobs = [(student, name) for name in order for student in students]
        remaining = {s.name: len(handout.notebooks) for s in students}
        with (
            tqdm(total=len(students), unit="student", desc="grading", disable=not options.progress) as bar,
            ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool,
        ):
            futures = {pool.submit(grade_notebook, student, name, context): (student, name) for student, name in jobs}
            for future in as_completed(futures):
                student, name = futures[future]
                results[student.name].notebooks[name] = future.result()
                remaining[student.name] -= 1
                if remaining[student.name] == 0:
                    bar.update(1)
    graded = [results[name] for name in sorted(results)]
    for student in graded:
        student.notebooks = dict(sorted(student.notebooks.items()))
    report.write_all(out, graded, table, ignored)
    return graded
