"""Running a graded notebook in a fresh kernel with nbclient, under time and output limits.

The kernel is started as :mod:`grading.sandbox` says (under bubblewrap, with resource
limits); it talks to the grader over unix sockets in its own folder (ZMQ's ``ipc``
transport: TCP cannot cross the kernel's empty network namespace).

* Each cell has a time limit (the student's own cells a short one, since they only define
  functions; other cells a longer one), and the notebook as a whole has one. A cell over
  its limit has its kernel killed from outside (the whole sandbox: every process it
  started dies with it; a kernel can block signals, not this): the parts after it are not
  graded. (Interrupting it instead would let the result depend on how far the cell got
  before the interrupt landed; grading must give the same result every time.)
* A cell writing more than the output limit has its kernel killed at once, and so does a
  kernel whose folder grows over its size limit (checked every second).
  Outputs are never kept: only the grader's records (and each cell's first error line) are.
* A kernel that dies (``os._exit``, a segfault, a limit of the operating system) ends the
  notebook. A limit the kernel ran into (memory, processes, file size, the network) is
  said in the events, in words, whether or not the kernel survived it.

The status of the run: ``ok``, ``timeout`` (a time limit was hit) or ``crashed`` (the
kernel died, or a cell's output or folder went over the limit).

The kernel's own records (:data:`grading.serve.MIME`) are kept only as feedback (the
self-checks' ✓ and ✗, refused file accesses). At each hidden cell the grader runs the part's
hidden cases in its own process (``judge``, :mod:`grading.trusted`), sending requests through
this same client (:func:`_request`); their verdicts are the only records that give points.
"""

from __future__ import annotations

import asyncio
import errno
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from . import sandbox
from .assemble import GradedNotebook
from .channel import Channel, Remote
from .serve import MIME, REPLY_MIME

#: Seconds between two measurements of the kernel's folder.
FOLDER_POLL_SECONDS = 1.0
#: Files the kernel's folder may hold (beyond that, measuring it would cost too much).
FOLDER_FILES = 100_000


@dataclass(frozen=True)
class Limits:
    """Time and output limits of one graded notebook."""

    cell_seconds: float = 1800.0  # the final model's training is one cell: generous, for a loaded machine
    student_cell_seconds: float = 60.0
    notebook_seconds: float = 3600.0
    output_bytes: int = 10 * 2**20

    def for_cell(self, kind: str) -> float:
        return self.student_cell_seconds if kind in ("student", "added") else self.cell_seconds


@dataclass
class CellRun:
    kind: str
    part: str | None
    label: str
    seconds: float
    error: str | None = None


@dataclass
class Execution:
    """What running the graded notebook produced."""

    status: str = "ok"  # ok | timeout | crashed
    events: list[str] = field(default_factory=list)  # why the status is not ok
    records: list[dict[str, Any]] = field(default_factory=list)  # the kernel's (feedback only)
    verdicts: list[dict[str, Any]] = field(default_factory=list)  # the grader's hidden-case records
    channel: dict[str, float] = field(default_factory=dict)  # requests, seconds, bytes
    cells: list[CellRun] = field(default_factory=list)
    kernel_seconds: float = 0.0  # starting the kernel

    def worsen(self, status: str, event: str) -> None:
        order = ["ok", "timeout", "crashed"]
        if order.index(status) > order.index(self.status):
            self.status = status
        self.events.append(event)


class GradingKernelManager(AsyncKernelManager):
    """A kernel of this very Python (the grader's environment), started as ``launch`` says, over unix sockets."""

    def __init__(self, launch: sandbox.Launch | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.launch = launch
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        self._kernel_spec = KernelSpec(
            argv=launch.argv if launch else argv,
            display_name="HW 8 grading",
            language="python",
            env={},
            interrupt_mode="message",  # a signal would reach bubblewrap, not the kernel in its namespace
        )
        if launch is not None:
            self.transport = "ipc"
            self.ip = launch.socket_prefix
            self.connection_file = str(launch.connection_file)

    def write_connection_file(self, **kwargs: Any) -> None:
        super().write_connection_file(**kwargs)
        if self.launch is not None and self.launch.uid is not None:  # the kernel's own user must read it
            os.chown(self.connection_file, self.launch.uid, self.launch.uid)


class GradingClient(NotebookClient):
    """nbclient's executor, keeping the grader's records only and enforcing the output limit."""

    def __init__(self, nb: Any, output_limit: int, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.output_limit = output_limit
        self.records: list[dict[str, Any]] = []
        self.replies: dict[int, list[Any]] = {}
        self.cell_errors: dict[int, str] = {}
        self.cell_bytes: dict[int, int] = {}
        self.flooded: set[int] = set()
        self.timed_out: set[int] = set()
        self.over_folder: dict[int, str] = {}  # cell -> what went over
        self.current = -1

    def output(self, outs: list, msg: dict[str, Any], display_id: str | None, cell_index: int) -> None:
        content = msg.get("content", {})
        msg_type = msg.get("msg_type")
        size = len(json.dumps(content.get("data", content.get("text", "")), default=str))
        self.cell_bytes[cell_index] = self.cell_bytes.get(cell_index, 0) + size
        if self.cell_bytes[cell_index] > self.output_limit and cell_index not in self.flooded:
            self.flooded.add(cell_index)
            asyncio.ensure_future(self._kill())
        data = content.get("data", {}) if msg_type in ("display_data", "execute_result") else {}
        if isinstance(data, dict) and REPLY_MIME in data:
            self.replies.setdefault(cell_index, []).append(data[REPLY_MIME])
        elif isinstance(data, dict) and MIME in data:
            record = data[MIME]
            if isinstance(record, str):
                try:
                    record = json.loads(record)
                except json.JSONDecodeError:
                    record = None
            if isinstance(record, dict) and record.get("kind") in ("visible", "finish"):  # never a verdict
                self.records.append({**record, "cell": cell_index})
        elif msg_type == "error" and cell_index not in self.cell_errors:
            name, value = content.get("ename", "Error"), " ".join(str(content.get("evalue", "")).split())
            self.cell_errors[cell_index] = f"{name}: {value}"[:300].rstrip(": ")

    async def _kill(self) -> None:
        """SIGKILL to the kernel's sandbox: the init of its process namespace first (all in it die with it)."""
        if self.km is not None and self.km.has_kernel:
            kill_tree(getattr(self.km.provisioner, "pid", None))
            try:
                await self.km.signal_kernel(signal.SIGKILL)
            except (OSError, RuntimeError):  # already gone
                pass

    async def _async_handle_timeout(self, timeout: int, cell: Any = None) -> None | dict[str, Any]:
        self.timed_out.add(self.current)
        await self._kill()
        raise DeadKernelError(f"killed after {timeout} s")

    async def watch_folder(self, folder: str, limit: int) -> None:
        """Kill the kernel when its folder holds more than ``limit`` bytes (or too many files)."""
        while True:
            await asyncio.sleep(FOLDER_POLL_SECONDS)
            size, files = await asyncio.to_thread(folder_usage, folder)
            if size > limit or files > FOLDER_FILES:
                what = f"more than {limit / 2**20:g} MB" if size > limit else f"more than {FOLDER_FILES} files"
                self.over_folder.setdefault(self.current, what)
                await self._kill()
                return


def kill_tree(pid: int | None) -> None:
    """SIGKILL ``pid``'s descendants (bubblewrap's namespace init and the kernel in it), then ``pid``.

    Killing bubblewrap alone is not enough: as root, its namespace's init does not always die
    with it (``--die-with-parent`` is lost when it drops its privileges), and the kernel in it
    would live on.
    """
    if not pid or not os.path.isdir("/proc"):
        return
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_bytes().decode(errors="replace")
                parent = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(parent, []).append(int(entry))
    order, stack = [], [pid]
    while stack:
        current = stack.pop()
        order.append(current)
        stack.extend(children.get(current, []))
    for target in order[1:] + order[:1]:
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass


def folder_usage(folder: str) -> tuple[int, int]:
    """Bytes on disk and number of entries under ``folder`` (links not followed)."""
    size = files = 0
    stack = [folder]
    while stack and files <= FOLDER_FILES:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            files += 1
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            size += getattr(info, "st_blocks", 0) * 512 or info.st_size
            if entry.is_dir(follow_symlinks=False):
                stack.append(entry.path)
    return size, files


def _size(n: float) -> str:
    return f"{n / 2**30:g} GB" if n >= 2**30 else f"{n / 2**20:g} MB"


#: A cell's first error -> the limit it shows, in the student's words.
LIMIT_ERRORS = [
    (re.compile(r"^MemoryError|can't allocate memory|Cannot allocate memory|std::bad_alloc|out of memory"), "memory"),
    (re.compile(rf"\[Errno {errno.EAGAIN}\] Resource temporarily unavailable|can't start new thread"), "processes"),
    (re.compile(rf"\[Errno {errno.EFBIG}\] File too large"), "file"),
    (re.compile(rf"\[Errno {errno.EDQUOT}\]|\[Errno {errno.ENOSPC}\] No space left"), "folder"),
    (
        re.compile(
            rf"\[Errno ({errno.ENETUNREACH}|{errno.ECONNREFUSED}|{errno.EHOSTUNREACH}|{errno.EADDRNOTAVAIL})\]"
            r"|ConnectionRefusedError|gaierror|Temporary failure in name resolution|not allowed to use the network"
        ),
        "network",
    ),
]


def limit_message(kind: str, resources: sandbox.Resources | None, where: str) -> str:
    if kind == "memory":
        amount = f" {_size(resources.memory_bytes)}" if resources else ""
        return f"memory limit{amount} reached in {where}"
    if kind == "processes":
        amount = f" ({resources.processes} processes and threads)" if resources else ""
        return f"process limit{amount} reached in {where}"
    if kind == "file":
        amount = f" ({_size(resources.file_bytes)} per file)" if resources else ""
        return f"file size limit{amount} reached in {where}"
    if kind == "folder":
        return f"disk space limit reached in {where}"
    return f"network access refused in {where}"


def limit_hit(error: str | None, resources: sandbox.Resources | None, where: str) -> str | None:
    """What limit of the sandbox a cell's first error line shows, in words (``None``: no limit)."""
    if not error:
        return None
    for pattern, kind in LIMIT_ERRORS:
        if pattern.search(error):
            return limit_message(kind, resources, where)
    return None


#: Exit codes of a kernel killed by a signal (bubblewrap exits 128 + the signal).
SIGNAL_DEATHS = {
    signal.SIGXCPU: "CPU time limit reached",
    signal.SIGXFSZ: "file size limit reached",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGABRT: "aborted (out of memory?)",
    signal.SIGBUS: "bus error",
}


def _group(client: GradingClient) -> sandbox.MemoryGroup | None:
    """The memory group the kernel runs in, if any."""
    launch = getattr(client.km, "launch", None)
    return launch.group if launch is not None else None


def _group_limit(client: GradingClient) -> str:
    """Why the kernel died when its memory group's limit killed it (``""`` when it did not)."""
    group = _group(client)
    if group is None or not group.oom_kills():
        return ""
    return f" (memory limit {_size(group.limit)} reached by the kernel and the processes it started: killed)"


async def _exit_code(client: GradingClient) -> str:
    memory = _group_limit(client)
    if memory:
        return memory
    code = None
    for _ in range(20):  # the kernel's process may take a moment to be reaped
        try:
            code = await client.km.provisioner.poll() if client.km and client.km.provisioner else None
        except Exception:  # noqa: BLE001 (only for the message)
            code = None
        if code is not None:
            break
        await asyncio.sleep(0.1)
    if code is None:
        return ""
    number = -code if code < 0 else code - 128 if code > 128 else 0
    if number:
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        why = SIGNAL_DEATHS.get(number)
        return f" (killed by {name}{': ' + why if why else ''})"
    return f" (exit code {code})"


async def _request(client: GradingClient, source: str, seconds: float) -> tuple[str | None, list[Any]]:
    """Run one request of the grader's as a cell of its own; (problem, the replies it wrote)."""
    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)
    index = len(client.nb.cells) - 1
    client.timeout = max(1, math.ceil(seconds))
    client.current = index
    try:
        await client.async_execute_cell(cell, index, store_history=False)
    except DeadKernelError:
        if index in client.timed_out:  # killed from outside at its time limit
            return f"time limit {seconds:.0f} s: a hidden case's request ran over it and the kernel was killed", []
        return f"the kernel died{await _exit_code(client)}", []
    finally:
        cell.outputs = []
    replies = client.replies.pop(index, [])
    if client.flooded:
        return "the kernel wrote more output than allowed and was stopped", []
    if index in client.timed_out:  # (a timeout kills the kernel: the call above raised; kept for safety)
        return f"time limit {seconds:.0f} s: a hidden case's request ran over it and the kernel was killed", []
    return None, replies


async def _hidden(client: GradingClient, channel: Channel, judge: Any, part: str) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, judge, part, Remote(channel))


async def _run(
    graded: GradedNotebook,
    client: GradingClient,
    limits: Limits,
    start: dict[str, Any],
    judge: Any = None,
    launch: sandbox.Launch | None = None,
) -> Execution:
    execution = Execution()
    resources = launch.resources if launch else None
    began = time.perf_counter()
    started = False
    try:
        async with client.async_setup_kernel(**start):
            started = True
            execution.kernel_seconds = time.perf_counter() - began
            channel = Channel(asyncio.get_running_loop(), lambda source, seconds: _request(client, source, seconds))
            if judge is not None:
                channel.lock = judge.lock
            watcher = None
            if launch is not None:
                watcher = asyncio.ensure_future(client.watch_folder(str(launch.folder), launch.resources.folder_bytes))
            try:
                await _cells(graded, client, limits, execution, resources, began, channel, judge)
            finally:
                if watcher is not None:
                    watcher.cancel()
                execution.channel = {"requests": channel.requests, "seconds": channel.seconds, "bytes": channel.bytes}
                await client._kill()  # the sandbox ends with its notebook: nothing in it outlives the run
    except (RuntimeError, TimeoutError, OSError, DeadKernelError) as error:
        if started:
            raise
        execution.worsen("crashed", f"the kernel did not start ({error}); nothing was graded")
    execution.records = client.records
    return execution


async def _cells(
    graded: GradedNotebook,
    client: GradingClient,
    limits: Limits,
    execution: Execution,
    resources: sandbox.Resources | None,
    began: float,
    channel: Channel,
    judge: Any,
) -> None:
    group, kills = _group(client), 0
    for index, (planned, cell) in enumerate(zip(graded.cells, client.nb.cells)):
        remaining = limits.notebook_seconds - (time.perf_counter() - began)
        if remaining <= 1:
            execution.worsen(
                "timeout",
                f"the notebook ran over its {limits.notebook_seconds:g} s limit before {planned.label}; "
                "the parts after it were not graded",
            )
            break
        limit = min(limits.for_cell(planned.kind), remaining)
        client.timeout = max(1, math.ceil(limit))
        client.current = index
        cell_began = time.perf_counter()
        died = False
        if planned.kind == "hidden":  # the grader's own cases, in this process, over the channel
            if judge is None:
                continue
            record = await _hidden(client, channel, judge, planned.part)
            execution.verdicts.append(record)
            seconds = time.perf_counter() - cell_began
            execution.cells.append(CellRun(planned.kind, planned.part, planned.label, seconds))
            gone = record.get("kernel_gone")
            if gone:
                timed_out = "did not stop" in gone or gone.startswith("time limit")
                execution.worsen(
                    "timeout" if timed_out else "crashed",
                    f"{gone} during {planned.label}; the parts after it were not graded",
                )
                break
            continue
        try:
            await client.async_execute_cell(cell, index, execution_count=index + 1)
        except DeadKernelError:
            died = True
        seconds = time.perf_counter() - cell_began
        error = client.cell_errors.get(index)
        execution.cells.append(CellRun(planned.kind, planned.part, planned.label, seconds, None if died else error))
        hit = limit_hit(error, resources, planned.label)
        if group is not None:  # a process of the kernel's killed at the group's limit, the cell going on
            killed, kills = group.oom_kills() > kills, group.oom_kills()
            if killed and not hit:
                hit = (
                    f"memory limit {_size(group.limit)} reached in {planned.label} by the kernel and the "
                    "processes it started (one of them was killed)"
                )
        if hit and hit not in execution.events:
            execution.events.append(hit)
        if client.flooded:  # its kernel is being killed, whether or not the cell had finished
            flooded = graded.cells[min(client.flooded)].label
            execution.worsen(
                "crashed",
                f"{flooded} wrote more than {limits.output_bytes / 2**20:g} MB of output: "
                "the kernel was stopped and the parts after it were not graded",
            )
            break
        if client.over_folder:
            execution.worsen(
                "crashed",
                f"disk space limit: {planned.label} filled the working folder with "
                f"{client.over_folder[min(client.over_folder)]}; the kernel was stopped and the parts after it "
                "were not graded",
            )
            break
        if index in client.timed_out:
            execution.worsen(
                "timeout",
                f"time limit {limit:.0f} s: {planned.label} ran over it and was killed; "
                "the parts after it were not graded",
            )
            break
        if died:
            execution.worsen(
                "crashed",
                f"the kernel died while running {planned.label}{await _exit_code(client)}; "
                "the parts after it were not graded",
            )
            break


def execute(
    graded: GradedNotebook,
    limits: Limits,
    cwd: str,
    env: dict[str, str],
    judge: Any = None,
    launch: sandbox.Launch | None = None,
) -> Execution:
    """Run ``graded`` in a new kernel started in ``cwd`` with exactly the environment ``env``, as ``launch`` says.

    ``judge(part, remote)``: runs ``part``'s hidden cases in this process (:class:`grading.trusted.Judge`).
    """
    client = GradingClient(
        graded.notebook(),
        output_limit=limits.output_bytes,
        km=GradingKernelManager(launch=launch),
        allow_errors=True,
        interrupt_on_timeout=False,
        shutdown_kernel="immediate",
        startup_timeout=120,
        iopub_timeout=10,
        record_timing=False,
        store_widget_state=False,
    )
    start = {"cwd": cwd, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    return asyncio.run(_run(graded, client, limits, start, judge, launch))
