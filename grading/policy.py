"""The grading policy, ``grading.toml``: read, checked (a wrong key or type says which and the fix), applied.

The file is the one place an instructor sets the deadline, the late policy, partial credit,
extensions, points overrides and the written answers a person grades; every key is
documented in the file itself. :func:`load` returns a :class:`Policy`; the rest of this
module turns a student's verdicts into points with it (:func:`score`).

**When was it submitted** (for the late policy), the first that applies:

1. the roster's ``submitted_at`` column (the LMS's own record: export it with the roster);
2. Blackboard's attempt time in the file name (``..._attempt_2026-12-18-23-45-00_...``,
   the course's time zone);
3. Canvas's ``LATE`` mark in the file name: late, but by how much the name does not say, so
   one day is counted (and the feedback says so: give ``submitted_at`` for the exact time);
4. the newest file time inside a zip the student made (the clock of the student's machine).

Loose files' modification times are never used: they are when the instructor downloaded them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .points import PartSpec

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "grading.toml"
PARTIAL = ("all-or-nothing", "proportional")


class PolicyError(ValueError):
    """``grading.toml`` cannot be used; the message names the key and the fix."""


@dataclass(frozen=True)
class ManualPart:
    points: int  # of the part's points, given by a person for the written answers
    rubric: str = ""


@dataclass(frozen=True)
class Policy:
    due: datetime | None = None  # aware
    timezone: str = "UTC"
    grace_minutes: float = 0
    per_day: float = 0  # percent of the homework's points per started day late
    cap: float = 100
    max_days: int = 0  # 0: no limit
    partial_default: str = "all-or-nothing"
    partial_parts: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, datetime] = field(default_factory=dict)
    points: dict[str, int] = field(default_factory=dict)
    manual: dict[str, ManualPart] = field(default_factory=dict)
    assignment: str = "HW 8"
    canvas_assignment_id: str = ""

    def partial(self, part: str) -> str:
        return self.partial_parts.get(part, self.partial_default)

    def parts(self, table: tuple[PartSpec, ...] | list[PartSpec]) -> tuple[PartSpec, ...]:
        """The parts with ``[points]`` overrides applied."""
        return tuple(replace(p, points=self.points[p.id]) if p.id in self.points else p for p in table)

    def manual_points(self, part: str) -> int:
        return self.manual[part].points if part in self.manual else 0


#: Table -> key -> (type check, what it must be). ``None`` as key: any key (checked by ``_check_entry``).
SCHEMA: dict[str, dict[str, tuple[tuple[type, ...], str]]] = {
    "deadline": {
        "due": ((str,), 'a local date and time, "YYYY-MM-DDTHH:MM"'),
        "timezone": ((str,), 'an IANA time zone name, e.g. "America/New_York"'),
        "grace_minutes": ((int, float), "a number of minutes, e.g. 15"),
    },
    "late": {
        "per_day": ((int, float), "a percent, e.g. 10"),
        "cap": ((int, float), "a percent, e.g. 50"),
        "max_days": ((int,), "a whole number of days (0: no limit)"),
    },
    "partial_credit": {
        "default": ((str,), '"all-or-nothing" or "proportional"'),
        "parts": ((dict,), 'a table of part = "all-or-nothing" | "proportional"'),
    },
    "exports": {
        "assignment": ((str,), 'the assignment\'s name in the LMS, e.g. "HW 8"'),
        "canvas_assignment_id": ((str,), 'Canvas\'s assignment id as a string, e.g. "123456" (or "")'),
    },
}
TOP = ("deadline", "late", "partial_credit", "extensions", "points", "manual", "exports")


def _fail(path: Path, where: str, message: str) -> PolicyError:
    return PolicyError(f"{path}: {where} {message}")


def _local(text: str, zone: ZoneInfo, path: Path, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _fail(path, where, f'= "{text}" is not a date and time; write it as "2026-12-18T23:59"') from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def _part_ids(table: tuple[PartSpec, ...]) -> dict[str, PartSpec]:
    return {p.id: p for p in table}


def load(path: Path = DEFAULT_PATH, table: tuple[PartSpec, ...] | None = None) -> Policy:
    """Read and check ``path``; a missing file gives the defaults (on time always, all-or-nothing)."""
    from .points import parts_table

    table = table or parts_table()
    if not path.exists():
        raise PolicyError(f"POLICY={path} does not exist: pass the path of grading.toml (or leave POLICY unset)")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{path} is not valid TOML ({error}); fix that line") from None
    for key in raw:
        if key not in TOP:
            raise _fail(path, f"[{key}]", f"is not a table of the policy; the tables are {', '.join(TOP)}")
        if not isinstance(raw[key], dict):
            raise _fail(path, key, f"must be a table ([{key}]), not a {type(raw[key]).__name__}")
    for table_name, keys in SCHEMA.items():
        for key, value in raw.get(table_name, {}).items():
            if key not in keys:
                raise _fail(
                    path, f"[{table_name}] {key}", f"is not a key of [{table_name}]; the keys are {', '.join(keys)}"
                )
            types, what = keys[key]
            if isinstance(value, bool) or not isinstance(value, types):
                raise _fail(path, f"[{table_name}] {key} = {value!r}", f"must be {what}")
    parts = _part_ids(table)
    deadline, late, partial = raw.get("deadline", {}), raw.get("late", {}), raw.get("partial_credit", {})
    zone_name = deadline.get("timezone", "UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(
            path, f'[deadline] timezone = "{zone_name}"', 'is not a time zone; use an IANA name such as "Europe/Paris"'
        ) from None
    due = _local(deadline["due"], zone, path, "[deadline] due") if "due" in deadline else None
    for key in ("per_day", "cap", "grace_minutes"):
        value = late.get(key, deadline.get(key, 0))
        if value < 0 or (key != "grace_minutes" and value > 100):
            table_name = "deadline" if key == "grace_minutes" else "late"
            raise _fail(
                path,
                f"[{table_name}] {key} = {value}",
                "must be between 0 and 100" if key != "grace_minutes" else "must not be negative",
            )
    if late.get("max_days", 0) < 0:
        raise _fail(path, f"[late] max_days = {late['max_days']}", "must be 0 (no limit) or more")
    default = partial.get("default", "all-or-nothing")
    if default not in PARTIAL:
        raise _fail(path, f'[partial_credit] default = "{default}"', 'must be "all-or-nothing" or "proportional"')
    per_part = {}
    for part, mode in partial.get("parts", {}).items():
        if part not in parts:
            raise _fail(path, f"[partial_credit.parts] {part!r}", f"is not a part; the parts are {', '.join(parts)}")
        if mode not in PARTIAL:
            raise _fail(path, f"[partial_credit.parts] {part} = {mode!r}", 'must be "all-or-nothing" or "proportional"')
        per_part[part] = mode
    extensions = {}
    for student, value in raw.get("extensions", {}).items():
        if not isinstance(value, str):
            raise _fail(path, f"[extensions] {student} = {value!r}", 'must be a date and time, e.g. "2026-12-21T23:59"')
        extensions[str(student)] = _local(value, zone, path, f"[extensions] {student}")
    points = {}
    for part, value in raw.get("points", {}).items():
        if part not in parts:
            raise _fail(path, f"[points] {part!r}", f"is not a part; the parts are {', '.join(parts)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _fail(path, f"[points] {part} = {value!r}", "must be a whole number of points, 0 or more")
        points[part] = value
    manual = {}
    for part, value in raw.get("manual", {}).items():
        if part not in parts:
            raise _fail(path, f"[manual] {part!r}", f"is not a part; the parts are {', '.join(parts)}")
        if not parts[part].written_answers:
            written = ", ".join(p.id for p in table if p.written_answers)
            raise _fail(
                path, f"[manual] {part!r}", f"has no written answers; the parts with written answers are {written}"
            )
        if not isinstance(value, dict):
            raise _fail(path, f"[manual] {part}", '= must be a table, e.g. "2.5" = { points = 4, rubric = "..." }')
        for key in value:
            if key not in ("points", "rubric"):
                raise _fail(path, f'[manual] "{part}".{key}', "is not a key; the keys are points, rubric")
        share = value.get("points")
        total = points.get(part, parts[part].points)
        if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= total:
            raise _fail(
                path,
                f'[manual] "{part}".points = {share!r}',
                f"must be a whole number from 0 to the part's {total} points",
            )
        rubric = value.get("rubric", "")
        if not isinstance(rubric, str):
            raise _fail(path, f'[manual] "{part}".rubric', "must be a string (a TOML multi-line string is fine)")
        manual[part] = ManualPart(share, rubric.strip())
    return Policy(
        due=due,
        timezone=zone_name,
        grace_minutes=float(deadline.get("grace_minutes", 0)),
        per_day=float(late.get("per_day", 0)),
        cap=float(late.get("cap", 100)),
        max_days=int(late.get("max_days", 0)),
        partial_default=default,
        partial_parts=per_part,
        extensions=extensions,
        points=points,
        manual=manual,
        assignment=raw.get("exports", {}).get("assignment", "HW 8"),
        canvas_assignment_id=raw.get("exports", {}).get("canvas_assignment_id", ""),
    )


# ---------------------------------------------------------------------------------------------- late


@dataclass(frozen=True)
class Late:
    days: int = 0  # started days late (0: on time)
    percent: float = 0  # of the homework's points deducted
    refused: bool = False  # past max_days: scores 0
    note: str = ""


def parse_time(text: str, zone: ZoneInfo) -> datetime:
    """A submission time: ISO 8601 (``2026-12-19T08:30``, ``2026-12-19 08:30:00Z``); local time when no offset."""
    cleaned = text.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        raise PolicyError(
            f"submission time {text!r} is not a date and time: write it as 2026-12-19T08:30 (ISO 8601)"
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def late(policy: Policy, identities: list[str], info: dict[str, str]) -> Late:
    """How late the student described by ``info`` (intake's fields) handed in, and the deduction."""
    if policy.due is None:
        return Late()
    zone = ZoneInfo(policy.timezone)
    due = next((policy.extensions[i] for i in identities if i in policy.extensions), policy.due)
    extension = " (with an extension)" if due != policy.due else ""
    deadline = due + timedelta(minutes=policy.grace_minutes)
    when = info.get("submitted_at")
    source = info.get("time_source", "")
    if when:
        moment = parse_time(when, zone)
        if moment <= deadline:
            return Late(note="")
        days = math.ceil((moment - deadline) / timedelta(days=1))
        stamp = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        note = f"submitted {stamp} ({source}), {days} day{'s' * (days != 1)} after the deadline{extension}"
    elif info.get("lms_late"):
        days = 1
        note = (
            "Canvas marks this submission LATE but its file name gives no time: one day counted "
            "(the roster's submitted_at column gives the exact time)"
        )
    else:
        return Late()
    if policy.max_days and days > policy.max_days:
        return Late(days, 100.0, True, f"{note}: past the {policy.max_days}-day limit, not accepted (0 points)")
    percent = min(policy.cap, policy.per_day * days)
    return Late(days, percent, False, f"{note}: {percent:g}% deducted")


# ---------------------------------------------------------------------------------------------- scores


def fmt(points: float) -> str:
    """Points as the gradebook writes them: ``7``, ``3.5``, ``2.33``."""
    rounded = round(points + 0.0, 2)
    return f"{rounded:.2f}".rstrip("0").rstrip(".") if rounded != int(rounded) else str(int(rounded))


def auto_score(policy: Policy, part: PartSpec, passed: bool, cases: tuple[int, int] | None) -> float:
    """The auto-graded points of a part: its points less the written share, all or nothing or by cases passed."""
    available = part.points - policy.manual_points(part.id)
    if passed:
        return float(available)
    if policy.partial(part.id) == "proportional" and cases and cases[1] > 0:
        return available * cases[0] / cases[1]
    return 0.0
