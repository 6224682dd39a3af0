"""Statuses and per-part verdicts, from what a graded notebook's run recorded.

A part scores its points when its hidden cases passed (for 2.6 they include the final
model's test accuracy): verdicts computed in the grader's own process (``grading.trusted``),
the only records that can give points. The self-check cells of the part (run in the kernel
as the handout has them) show their ✓ or ✗ in the feedback; a ✗ also costs the part (the
kernel can only lose points with its records, never gain one). Anything else scores 0, with
the first reason.

Statuses, per notebook and per student (the student's is the most severe of their
notebooks'): ``unreadable`` (not a notebook of this question, invalid JSON, ...),
``crashed`` (the kernel died, output over the limit, or a grader error), ``timeout`` (a
time limit was hit), ``missing`` (not submitted), ``ok``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .assemble import GradedNotebook
from .executor import Execution
from .points import PartSpec

SEVERITY = ("ok", "missing", "timeout", "crashed", "unreadable")
ADDRESS_RE = re.compile(r"0x[0-9a-fA-F]{6,}")
CHECK_PREFIX_RE = re.compile(r"^✗\s*\d+\.\d+\s*:\s*")
TEMPORARY_RE = re.compile(r"<sandbox>/tmp/[^/\s'\"]+")


def worst(statuses: list[str]) -> str:
    return max(statuses, key=SEVERITY.index, default="ok")


@dataclass
class PartResult:
    part: PartSpec
    passed: bool
    message: str = ""  # why it failed (or a note when it passed)
    cases: tuple[int, int] | None = (
        None  # (checks passed, checks run): self-checks and hidden cases, for partial credit
    )
    hidden: str = ""  # the first failure of its hidden cases (the grader's verdict), when they failed

    @property
    def score(self) -> int:
        return self.part.points if self.passed else 0


@dataclass
class NotebookResult:
    name: str
    status: str
    parts: dict[str, PartResult]
    reasons: list[str] = field(default_factory=list)  # time limits, crashes, refused file accesses, unmatched names
    test_accuracy: float | None = None
    seconds: dict[str, float] = field(default_factory=dict)  # per phase
    channel: dict[str, float] = field(default_factory=dict)  # the hidden cases' requests: count, seconds, bytes


class Normalizer:
    """Makes messages independent of the run: the sandbox's path, temporary names and memory addresses go."""

    def __init__(self, replacements: dict[str, str]) -> None:
        self.replacements = sorted(replacements.items(), key=lambda item: -len(item[0]))

    def __call__(self, text: str) -> str:
        for old, new in self.replacements:
            text = text.replace(old, new)
        return TEMPORARY_RE.sub("<sandbox>/tmp/…", ADDRESS_RE.sub("0x…", text))


def unanswered(name: str, status: str, parts: list[PartSpec], reason: str) -> NotebookResult:
    """A notebook that was not run: every part scores 0 for ``reason``."""
    return NotebookResult(
        name=name,
        status=status,
        parts={p.id: PartResult(p, False, reason) for p in parts},
        reasons=[reason],
    )


PHASES = {
    "start": "kernel",
    "setup": "setup",
    "student": "student code",
    "added": "student code",
    "check": "self-checks",
    "hidden": "hidden cases",
    "other": "handout cells",
    "finish": "kernel",
}


def _cases(records: list[dict]) -> tuple[int, int] | None:
    """``(passed, run)`` over a part's checks: each self-check counts 1, each hidden case 1."""
    passed = run = 0
    for record in records:
        total = int(record.get("cases", 1) or 1) if record.get("kind") == "hidden" else 1
        failed = int(record.get("failed", 0 if record.get("passed") else total))
        run += total
        passed += max(0, total - failed) if record.get("kind") == "hidden" else int(bool(record.get("passed")))
    return (passed, run) if run else None


def judge(graded: GradedNotebook, execution: Execution, parts: list[PartSpec], normalize: Normalizer) -> NotebookResult:
    """Each part's verdict from the records of ``execution``."""
    records_of: dict[str, list[dict]] = {}
    refusals: list[str] = []
    grader_errors: list[str] = []
    report: dict = {}
    for record in execution.records:  # the kernel's: self-checks and refusals, feedback only
        if isinstance(record.get("refusals"), list):
            refusals = [str(r) for r in record["refusals"][:50]]
        if record.get("kind") == "visible" and isinstance(record.get("part"), str):
            records_of.setdefault(record["part"], []).append(
                {"kind": "visible", "passed": record.get("passed") is True, "message": str(record.get("message", ""))}
            )
    for record in execution.verdicts:  # the grader's own
        records_of.setdefault(record["part"], []).append(record)
        if record.get("grader_error"):
            grader_errors.append(f"grader error in {record.get('part')}: {record['grader_error']}")
        report.update(record.get("report") or {})
    student_errors: dict[str, list[str]] = {}
    for cell in execution.cells:
        if cell.kind in ("student", "added") and cell.error and cell.part:
            student_errors.setdefault(cell.part, []).append(f"{cell.label} raised {cell.error}")
    stopped = next((e for e in execution.events if "not graded" in e), "")

    results: dict[str, PartResult] = {}
    for spec in parts:
        records = records_of.get(spec.id, [])
        failed = [r for r in records if not r.get("passed")]
        kinds = {r["kind"] for r in records}
        missing = graded.expected.get(spec.id, set()) - kinds
        cases = _cases(records)
        if "hidden" not in graded.expected.get(spec.id, set()):
            results[spec.id] = PartResult(spec, False, f"{graded.name} has no hidden case for {spec.id}")
            continue
        hidden_failure = next((str(r.get("message", "")) for r in failed if r["kind"] == "hidden"), "")
        if failed:
            first = failed[0]
            if first["kind"] == "hidden" and all(r.get("passed") for r in records if r["kind"] == "visible"):
                message = f"passes the self-check, but not a hidden case: {first.get('message', '')}"
            else:
                message = first.get("message", "")
                if "refused:" in hidden_failure:  # what the grader refused is worth saying too
                    message = f"{message} (hidden case {hidden_failure})"
        elif missing:
            why = stopped or next(iter(execution.events), "its grading cell did not run")
            message = f"not graded: {why}"
        else:
            results[spec.id] = PartResult(spec, True, "", cases)
            continue
        errors = student_errors.get(spec.id, [])
        if errors and errors[0] not in message:
            message = f"{message} ({errors[0]})"
        results[spec.id] = PartResult(
            spec, False, normalize(CHECK_PREFIX_RE.sub("", message)), cases, hidden=normalize(hidden_failure)
        )

    status = execution.status
    reasons = [normalize(event) for event in execution.events]
    if grader_errors:
        status = worst([status, "crashed"])
        reasons += [normalize(error) for error in grader_errors]
    seconds: dict[str, float] = {"kernel": execution.kernel_seconds}
    for cell in execution.cells:
        phase = PHASES.get(cell.kind, cell.kind)
        if cell.kind == "hidden" and cell.part == "2.6" and "test_accuracy" in report:
            phase = "final training (2.6)"
        seconds[phase] = seconds.get(phase, 0.0) + cell.seconds
    reasons += [normalize(n) for n in graded.notes]
    if refusals:
        reasons.append("refused: " + "; ".join(normalize(r) for r in refusals))
    return NotebookResult(
        name=graded.name,
        status=status,
        parts=results,
        reasons=reasons,
        test_accuracy=report.get("test_accuracy"),
        seconds=seconds,
        channel=dict(execution.channel),
    )
