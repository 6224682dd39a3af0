"""A whole grading run: the handout, every student's notebooks (in parallel), the outputs.

One job per submitted notebook, the longest (question 2, which trains the final model)
first; ``jobs`` of them run at once, each kernel limited to its share of the cores.
Nothing under ``submissions`` is written; everything temporary lives in one folder that
is deleted at the end.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from . import channel, hidden, report, sandbox, trusted
from . import intake as intake_module
from .assemble import ForeignNotebook, assemble
from .executor import Limits, execute
from .handout import Handout, build_handout
from .points import PartSpec, accuracy_threshold, parts_table
from .results import Normalizer, NotebookResult, judge, unanswered, worst
from .submissions import Student, UnreadableNotebook, read_found

ROOT = Path(__file__).resolve().parent.parent
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
    roster: Path | None = None  # CSV: lms_id, student_id, name, section (grading.intake.read_roster)
    policy: Path | None = None  # grading.toml (default: the repository's)
    manual: Path | None = None  # filled-in manual/scores.csv to merge
    only: tuple[str, ...] = ()  # re-grade these students, keep everyone else's results
    shard: tuple[int, int] | None = None  # (K, N): grade the K-th of N shares, write shards/K-of-N.json
    scheduler: str | None = None  # a Dask scheduler address, or "local:N" for a LocalCluster of N workers
    similarity: bool = True
    sandboxed: bool = True  # each kernel under bubblewrap; False only with the instructor's --no-sandbox
    resources: sandbox.Resources = field(default_factory=sandbox.Resources)


@dataclass
class StudentResult:
    name: str
    notebooks: dict[str, NotebookResult]
    notes: list[str] = field(default_factory=list)
    info: dict[str, str] = field(default_factory=dict)  # intake's: name, student_id, section, submitted_at, ...
    files: list[str] = field(default_factory=list)  # intake's line for each file seen
    answers: dict[str, list[str]] = field(default_factory=dict)  # part -> written answers (markdown)
    code: dict[str, str] = field(default_factory=dict)  # notebook -> the student's code cells (similarity)

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


def _start_source(box: sandbox.Sandbox, context: Context) -> str:
    """The kernel's first cell: the request server (no secret in it), threads, the file-access guard."""
    config = {
        "threads": context.threads,
        "sandbox": str(box.root),
        "read_roots": [str(context.data)],
        "protected": box.protected(),
    }
    return channel.start_source(config)


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
    student_files = {name: found.data for name, found in student.modules.items() if found.data is not None}
    box = sandbox.create(
        context.work / "sandboxes" / f"{context.next_id():05d}",
        context.handout.folder,
        context.matplotlib,
        student_files,
    )
    try:
        try:
            graded = assemble(
                context.handout.notebooks[name],
                notebook,
                [p.id for p in parts],
                {p.id: hidden.uses_by_part()[p.id] for p in parts if p.id in hidden.CASES},
                _start_source(box, context),
            )
        except ForeignNotebook as error:
            return unanswered(name, "unreadable", parts, f"{found.origin}: {error}")
        environment = sandbox.environment(box, context.data, context.options.device, context.threads)
        settings = {"accuracy_threshold": context.threshold, "device": context.options.device}
        cases = trusted.Judge(context.handout.notebooks[name], settings)
        options = context.options
        launch = sandbox.launch(
            box, [context.data], options.resources, context.threads, options.limits.notebook_seconds, options.sandboxed
        )
        try:
            execution = execute(graded, options.limits, str(box.notebooks), environment, cases, launch)
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


def open_context(work: Path, options: Options, jobs: int) -> Context:
    """Build the handout and everything the jobs share into ``work`` (a temporary folder)."""
    from utils.data import data_root, ensure_fashion_mnist

    data = ensure_fashion_mnist(data_root(options.data), download=False).resolve()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    handout = build_handout(work / "handout")
    table = load_policy(options).parts(parts_table())
    parts = {name: [p for p in table if p.question == nb.question] for name, nb in handout.notebooks.items()}
    matplotlib = work / "matplotlib"
    sandbox.warm_matplotlib(matplotlib)
    return Context(
        handout=handout,
        parts=parts,
        work=work,
        matplotlib=matplotlib,
        options=options,
        data=data,
        threads=max(1, cores // max(1, jobs)),
        threshold=accuracy_threshold(ROOT / "notebooks" / "hw08-q02.ipynb"),
    )


def load_policy(options: Options):
    from .policy import DEFAULT_PATH, PolicyError, load

    try:
        return load(options.policy or DEFAULT_PATH)
    except PolicyError as error:
        raise SystemExit(str(error)) from None


def _extras(student: Student, context: Context) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The student's written answers (per part) and code (per notebook), read from their notebooks (no kernel)."""
    from . import manual

    answers: dict[str, list[str]] = {}
    code: dict[str, str] = {}
    for name, found in sorted(student.found.items()):
        try:
            notebook = read_found(found)
        except UnreadableNotebook:
            continue
        handout = context.handout.notebooks[name]
        answers.update(manual.written_answers(notebook, handout, context.parts[name]))
        code[name] = manual.student_code(notebook, handout)
    return answers, code


def result_shell(student: Student) -> StudentResult:
    from .intake import feedback_lines

    return StudentResult(
        student.name, {}, list(student.notes), info=dict(student.info), files=feedback_lines(student.records)
    )


def grade_student(student: Student, context: Context) -> StudentResult:
    """One student, notebook after notebook (a task of a distributed run)."""
    result = result_shell(student)
    for name in sorted(context.handout.notebooks):
        result.notebooks[name] = grade_notebook(student, name, context)
    result.answers, result.code = _extras(student, context)
    return result


def grade_students(students: list[Student], context: Context) -> list[StudentResult]:
    """Every notebook of ``students``, ``jobs`` at once (threads driving kernels), question 2 first."""
    handout = context.handout
    results = {s.name: result_shell(s) for s in students}
    order = sorted(handout.notebooks, key=lambda n: (handout.notebooks[n].question != 2, n))
    jobs = [(student, name) for name in order for student in students]
    remaining = {s.name: len(handout.notebooks) for s in students}
    options = context.options
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
    for student in students:
        results[student.name].answers, results[student.name].code = _extras(student, context)
    return [results[s.name] for s in students]


def _select_only(students: list[Student], only: tuple[str, ...]) -> list[Student]:
    chosen = []
    for wanted in only:
        matches = [
            s
            for s in students
            if wanted in (s.name, s.info.get("student_id"), s.info.get("lms_id"), s.info.get("name"))
        ]
        if not matches:
            raise SystemExit(
                f"--only {wanted}: no such student in SUBMISSIONS; the students are "
                + ", ".join(s.name for s in students[:20])
                + (" ..." if len(students) > 20 else "")
            )
        chosen += [m for m in matches if m not in chosen]
    return chosen


def grade(submissions: Path, out: Path, options: Options = Options()) -> list[StudentResult]:
    """Grade every student in ``submissions``; write the gradebook, feedback and reports into ``out``."""
    from . import intake, store

    _check_folders(submissions, out)
    _prepare_output(out)
    if options.sandboxed:
        sandbox.require()  # no bubblewrap: refused with the fix, before anything runs
    else:
        print(f"warning: {NO_SANDBOX}", file=sys.stderr)
    policy = load_policy(options)  # a wrong policy file stops the run before any kernel starts
    table = policy.parts(parts_table())
    roster = None
    if options.roster is not None:
        try:
            roster = intake.read_roster(options.roster)
        except intake.RosterError as error:
            raise SystemExit(str(error)) from None
    if options.manual is not None:
        from . import manual

        manual.read_scores(options.manual, policy, table)  # checked before the run, too
    previous: list[StudentResult] = []
    if options.only:
        previous = store.load(out / store.RESULTS, table)
    with tempfile.TemporaryDirectory(prefix="hw08-grading-") as temporary:
        context = open_context(Path(temporary), options, options.jobs)
        taken = intake.take_in(
            submissions, intake.from_handout(context.handout), roster, intake.handout_utils(context.handout.folder)
        )
        students = taken.students
        if options.only:
            students = _select_only(students, options.only)
        if options.shard:
            k, n = options.shard
            students = [s for i, s in enumerate(students) if i % n == k - 1]
        began = time.perf_counter()
        if options.scheduler:
            from .distributed import grade_on_dask

            graded = grade_on_dask(students, options, context)
        else:
            graded = grade_students(students, context)
        if not options.sandboxed:  # every row says it was graded without the sandbox
            for student in graded:
                student.notes.append(NO_SANDBOX)
        if options.progress and students:
            seconds = time.perf_counter() - began
            print(f"graded {len(students)} students in {seconds:.0f} s ({seconds / len(students):.1f} s per student)")
        boilerplate = {
            name: "\n\n".join(c.source for c in nb.cells if c.kind not in ("text",)) + "\n"
            for name, nb in context.handout.notebooks.items()
        }
    out.mkdir(parents=True, exist_ok=True)
    (out / report.STAMP).write_text(report.STAMP_TEXT)
    if options.shard:
        k, n = options.shard
        (out / "shards").mkdir(parents=True, exist_ok=True)
        store.save(out / "shards" / f"{k}-of-{n}.json", graded)
        return graded
    fresh = {s.name for s in graded}
    merged = [s for s in previous if s.name not in fresh] + graded
    store.save(out / store.RESULTS, merged)
    return finish(submissions, out, options, taken, boilerplate)


def finish(
    submissions: Path,
    out: Path,
    options: Options,
    taken: intake_module.Intake | None = None,
    boilerplate: dict[str, str] | None = None,
) -> list[StudentResult]:
    """Write every report from ``out/results.json`` (the gradebook, feedback, sheets, exports, similarity)."""
    from . import intake, store

    policy = load_policy(options)
    table = policy.parts(parts_table())
    students = store.load(out / store.RESULTS, table)
    if taken is None:
        try:
            roster = intake.read_roster(options.roster) if options.roster else None
        except intake.RosterError as error:
            raise SystemExit(str(error)) from None
        taken = intake.take_in(submissions, intake.signatures(ROOT), roster)
    report.write_all(out, students, table, taken.ignored, policy=policy, manual_scores=options.manual)
    (out / "intake.md").write_text(intake.report_markdown(taken, submissions.name), encoding="utf-8")
    if options.similarity:
        from . import similarity

        similarity.write_report(out, students, boilerplate)
    return students
