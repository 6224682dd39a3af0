"""Running a graded notebook in a fresh kernel with nbclient, under time and output limits.

* Each cell has a time limit (the student's own cells a short one, since they only define
  functions; other cells a longer one), and the notebook as a whole has one. A cell over
  its limit is interrupted (``KeyboardInterrupt``) and grading goes on with the next cell;
  if the kernel does not answer within seconds after that, or the notebook's limit is
  reached, the kernel is killed and the parts not yet graded score 0.
* A cell writing more than the output limit has its kernel killed at once: the parts after
  it are not graded. (Interrupting it instead would let the result depend on how far the
  cell got before the interrupt landed; grading must give the same result every time.)
  Outputs are never kept: only the grader's records (and each cell's first error line) are.
* A kernel that dies (``os._exit``, a segfault, out of memory) ends the notebook.

The status of the run: ``ok``, ``timeout`` (a time limit was hit) or ``crashed`` (the
kernel died, or a cell's output went over the limit).

The kernel's own records (:data:`grading.serve.MIME`) are kept only as feedback (the
self-checks' ✓ and ✗, refused file accesses). At each hidden cell the grader runs the part's
hidden cases in its own process (``judge``, :mod:`grading.trusted`), sending requests through
this same client (:func:`_request`); their verdicts are the only records that give points.
"""

from __future__ import annotations

import asyncio
import json
import math
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

from .assemble import GradedNotebook
from .channel import Channel, Remote
from .serve import MIME, REPLY_MIME

#: Seconds the kernel has to answer a trivial request after a cell was interrupted.
RESPONSIVE_SECONDS = 15


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
    """A kernel of this very Python (the grader's environment), whatever kernelspecs the machine has."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._kernel_spec = KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name="HW 8 grading",
            language="python",
            env={},
        )


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
        if self.km is not None:
            await self.km.signal_kernel(signal.SIGKILL)

    async def _async_handle_timeout(self, timeout: int, cell: Any = None) -> None | dict[str, Any]:
        self.timed_out.add(self.current)
        return await super()._async_handle_timeout(timeout, cell)


async def _responsive(client: GradingClient) -> bool:
    """Whether the kernel answers a trivial request within seconds (after an interrupt)."""
    client.timeout = RESPONSIVE_SECONDS
    msg_id = client.kc.kernel_info()
    reply = await client.async_wait_for_reply(msg_id)
    return reply is not None


async def _exit_code(client: GradingClient) -> str:
    try:
        code = await client.km.provisioner.poll() if client.km and client.km.provisioner else None
    except Exception:  # noqa: BLE001 (only for the message)
        code = None
    return "" if code is None else f" (exit code {code})"


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
        return f"the kernel died{await _exit_code(client)}", []
    finally:
        cell.outputs = []
    replies = client.replies.pop(index, [])
    if client.flooded:
        return "the kernel wrote more output than allowed and was stopped", []
    if index in client.timed_out:
        if not await _responsive(client):
            return "the kernel did not stop after the interrupt", []
        return "timeout", []
    return None, replies


async def _hidden(client: GradingClient, channel: Channel, judge: Any, part: str) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, judge, part, Remote(channel))


async def _run(
    graded: GradedNotebook, client: GradingClient, limits: Limits, start: dict[str, Any], judge: Any = None
) -> Execution:
    execution = Execution()
    began = time.perf_counter()
    async with client.async_setup_kernel(**start):
        execution.kernel_seconds = time.perf_counter() - began
        channel = Channel(asyncio.get_running_loop(), lambda source, seconds: _request(client, source, seconds))
        if judge is not None:
            channel.lock = judge.lock
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
            if planned.kind == "hidden":
                if judge is None:
                    continue
                record = await _hidden(client, channel, judge, planned.part)
                execution.verdicts.append(record)
                seconds = time.perf_counter() - cell_began
                execution.cells.append(CellRun(planned.kind, planned.part, planned.label, seconds))
                gone = record.get("kernel_gone")
                if gone:
                    status = "timeout" if "did not stop" in gone else "crashed"
                    execution.worsen(status, f"{gone} during {planned.label}; the parts after it were not graded")
                    break
                continue
            try:
                await client.async_execute_cell(cell, index, execution_count=index + 1)
            except DeadKernelError:
                died = True
            seconds = time.perf_counter() - cell_began
            error = None if died else client.cell_errors.get(index)
            execution.cells.append(CellRun(planned.kind, planned.part, planned.label, seconds, error))
            if client.flooded:  # its kernel is being killed, whether or not the cell had finished
                flooded = graded.cells[min(client.flooded)].label
                execution.worsen(
                    "crashed",
                    f"{flooded} wrote more than {limits.output_bytes / 2**20:g} MB of output: "
                    "the kernel was stopped and the parts after it were not graded",
                )
                break
            if died:
                execution.worsen(
                    "crashed",
                    f"the kernel died while running {planned.label}{await _exit_code(client)}; "
                    "the parts after it were not graded",
                )
                break
            if index in client.timed_out:
                execution.worsen("timeout", f"{planned.label} ran over its {limit:.0f} s limit and was interrupted")
                if not await _responsive(client):
                    execution.worsen(
                        "timeout", "the kernel did not stop after the interrupt; the parts after it were not graded"
                    )
                    break
        execution.channel = {"requests": channel.requests, "seconds": channel.seconds, "bytes": channel.bytes}
    execution.records = client.records
    return execution


def execute(graded: GradedNotebook, limits: Limits, cwd: str, env: dict[str, str], judge: Any = None) -> Execution:
    """Run ``graded`` in a new kernel started in ``cwd`` with exactly the environment ``env``.

    ``judge(part, remote)``: runs ``part``'s hidden cases in this process (:class:`grading.trusted.Judge`).
    """
    client = GradingClient(
        graded.notebook(),
        output_limit=limits.output_bytes,
        kernel_manager_class=GradingKernelManager,
        allow_errors=True,
        interrupt_on_timeout=True,
        error_on_timeout={"ename": "TimeoutError", "evalue": "the cell ran over its time limit", "traceback": []},
        shutdown_kernel="immediate",
        startup_timeout=120,
        iopub_timeout=10,
        record_timing=False,
        store_widget_state=False,
    )
    start = {"cwd": cwd, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    return asyncio.run(_run(graded, client, limits, start, judge))
