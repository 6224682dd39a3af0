"""Time budgets in calibrated units: a slow machine never fails a test, a real regression does.

Every budget in ``pyproject.toml`` (``[tool.hw08.notebook-budgets]``, ``browser-budgets``,
``site-budgets``) is in seconds *on the reference machine* that ``[tool.hw08.reference-machine]``
describes by two calibration rates:

* ``gemm-gflops``: single-threaded float32 matrix products of the question 2 MLP's shapes
  (the notebooks' training is such products), in GFLOP/s;
* ``python-mops``: a fixed pure-Python loop (the rest of the notebooks, the kernels, the
  browser and Quarto are interpreter-bound), in million loop steps per second.

:func:`calibrate` measures both on this machine, in this run. The machine's *slowdown* is the
larger of the two reference/measured ratios (at least the ratio that hurts most), and a
budget here is ``budget x slowdown``. A time is then read as a **ratio** to that scaled
budget, which holds from machine to machine:

* ratio <= 1: within budget;
* 1 < ratio <= ``fail-ratio`` (3): over budget, reported (worth a look, not a failure);
* ratio > ``fail-ratio``: a regression that holds on any machine: the test fails.

The machine is measured at the start of a run, after each notebook, and every minute in
between (in a separate process): the slowest measurement counts, so a
machine that gets busy during the run is judged as the slower machine it became.

``HW08_CALIBRATION="gemm=G,python=P"`` replaces the measurement (the tests of this module
use it to play a machine of a known speed).
"""

from __future__ import annotations

import contextlib
import functools
import os
import statistics
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The (m, k, n) of one batch of question 2's MLP 784-256-128-10 (batch 256): forward, weight and input gradients.
GEMM_SHAPES = (
    (256, 784, 256),
    (256, 256, 128),
    (256, 128, 10),
    (256, 256, 784),
    (128, 256, 256),
    (10, 256, 128),
    (256, 128, 256),
    (256, 10, 128),
)
PYTHON_STEPS = 200_000


@dataclass(frozen=True)
class Calibration:
    """This machine's speed: single-thread GEMM GFLOP/s and pure-Python million steps per second."""

    gemm_gflops: float
    python_mops: float
    measured: bool = True

    def describe(self) -> str:
        how = "measured in this run" if self.measured else "from HW08_CALIBRATION"
        return f"GEMM {self.gemm_gflops:.1f} GFLOP/s (1 thread), Python {self.python_mops:.1f} Mstep/s, {how}"


@dataclass(frozen=True)
class Reference:
    """The machine the budgets are written for, and the ratio past which a time fails."""

    gemm_gflops: float
    python_mops: float
    fail_ratio: float
    description: str

    def slowdown(self, here: Calibration) -> float:
        """How many times slower than the reference this machine is (below 1: faster)."""
        return max(self.gemm_gflops / here.gemm_gflops, self.python_mops / here.python_mops)


@dataclass(frozen=True)
class Verdict:
    """One timed thing against its budget, in calibrated units."""

    name: str
    seconds: float
    budget: float  # reference seconds
    slowdown: float
    fail_ratio: float

    @property
    def scaled_budget(self) -> float:
        """The budget in seconds on this machine."""
        return self.budget * self.slowdown

    @property
    def ratio(self) -> float:
        return self.seconds / self.scaled_budget

    @property
    def failed(self) -> bool:
        return self.ratio > self.fail_ratio

    @property
    def flag(self) -> str:
        if self.failed:
            return f"FAILED (over {self.fail_ratio:g}x)"
        return "over budget" if self.ratio > 1 else "ok"

    def line(self) -> str:
        return (
            f"{self.name:<36} {self.seconds:7.1f} s   budget {self.budget:5g} ref-s x {self.slowdown:.2f} "
            f"= {self.scaled_budget:6.1f} s here   ratio {self.ratio:5.2f}   {self.flag}"
        )

    def failure(self) -> str:
        return (
            f"{self.name} took {self.seconds:.1f} s: {self.ratio:.2f} times its budget of {self.budget:g} s on the "
            f"reference machine, scaled to {self.scaled_budget:.1f} s on this one (slowdown {self.slowdown:.2f}), "
            f"past the {self.fail_ratio:g}x that only a real regression reaches. Make the code faster; "
            "do not do less under test."
        )


@functools.cache
def pyproject(root: Path = ROOT) -> dict:
    """``[tool.hw08]`` of ``root``'s pyproject.toml, read once per process (nbval asks for it every cell)."""
    with open(root / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["tool"]["hw08"]


def reference(root: Path = ROOT) -> Reference:
    table = pyproject(root)["reference-machine"]
    return Reference(
        gemm_gflops=float(table["gemm-gflops"]),
        python_mops=float(table["python-mops"]),
        fail_ratio=float(table["fail-ratio"]),
        description=str(table["description"]),
    )


def budgets(kind: str, root: Path = ROOT) -> dict[str, float]:
    """``kind``: ``notebook``, ``browser`` or ``site``; name -> reference seconds."""
    return {name: float(value) for name, value in pyproject(root)[f"{kind}-budgets"].items()}


def _gemm_gflops() -> float:
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        generator = torch.Generator().manual_seed(0)
        operands = [
            (torch.randn(m, k, generator=generator), torch.randn(k, n, generator=generator)) for m, k, n in GEMM_SHAPES
        ]
        flops = 2 * sum(m * k * n for m, k, n in GEMM_SHAPES) * 10

        def run() -> float:
            start = time.perf_counter()
            for _ in range(10):
                for a, b in operands:
                    torch.mm(a, b)
            return time.perf_counter() - start

        run()
        return flops / statistics.median(run() for _ in range(7)) / 1e9
    finally:
        torch.set_num_threads(threads)


def _python_mops() -> float:
    def run() -> float:
        start = time.perf_counter()
        table: dict[int, int] = {}
        total = 0
        for i in range(PYTHON_STEPS):
            table[i & 1023] = i
            total += table.get((i * 7) & 1023, 0)
        return time.perf_counter() - start

    run()
    return PYTHON_STEPS / statistics.median(run() for _ in range(5)) / 1e6


def parse_override(text: str) -> Calibration:
    """``"gemm=G,python=P"`` (HW08_CALIBRATION) as a :class:`Calibration`."""
    try:
        values = dict(item.split("=", 1) for item in text.replace(" ", "").split(","))
        return Calibration(float(values["gemm"]), float(values["python"]), measured=False)
    except (KeyError, ValueError) as error:
        raise ValueError(
            f"HW08_CALIBRATION={text!r} is not 'gemm=GFLOPS,python=MSTEPS' (e.g. 'gemm=60,python=25')"
        ) from error


def calibrate() -> Calibration:
    """This machine's speed now (about half a second), or ``HW08_CALIBRATION``'s."""
    override = os.environ.get("HW08_CALIBRATION")
    if override:
        return parse_override(override)
    return Calibration(_gemm_gflops(), _python_mops())


class Run:
    """The calibrations of one test run; the slowest one counts (the machine may get busier).

    :meth:`watch` measures again every ``interval`` seconds in a background thread, so a machine
    that gets busy while a notebook runs is seen as the slower machine it has become.
    """

    def __init__(self, root: Path = ROOT) -> None:
        self.reference = reference(root)
        self.calibrations: list[Calibration] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._probe: Probe | None = None

    def measure(self) -> Calibration:
        calibration = self._probe.measure() if self._probe is not None else calibrate()
        with self._lock:
            self.calibrations.append(calibration)
        return calibration

    def watch(self, interval: float = 60.0) -> None:
        """Measure every ``interval`` seconds until :meth:`stop` (a daemon thread: it never holds up the run).

        The measurements run in a separate process (:class:`Probe`): one that sets torch to one
        thread cannot change the threads of the tests running in this one.
        """
        if self._watcher is not None:
            return
        if not os.environ.get("HW08_CALIBRATION"):
            self._probe = Probe()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.measure()
                except RuntimeError:  # the probe is gone (the run is ending): nothing left to measure
                    return

        self._watcher = threading.Thread(target=loop, name="hw08-calibration", daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._probe is not None:
            self._probe.close()

    @property
    def slowdown(self) -> float:
        if not self.calibrations:
            self.measure()
        with self._lock:
            return max(self.reference.slowdown(c) for c in self.calibrations)

    def verdict(self, name: str, seconds: float, budget: float) -> Verdict:
        return Verdict(name, seconds, budget, self.slowdown, self.reference.fail_ratio)

    def header(self) -> str:
        with self._lock:
            worst = max(self.calibrations, key=self.reference.slowdown)
        return (
            f"calibration: {worst.describe()} (slowest of {len(self.calibrations)}); reference machine: "
            f"{self.reference.description} (GEMM {self.reference.gemm_gflops:g} GFLOP/s, Python "
            f"{self.reference.python_mops:g} Mstep/s): slowdown {self.slowdown:.2f}. Budgets are reference seconds; "
            f"ratio = seconds / (budget x slowdown); a ratio over {self.reference.fail_ratio:g} fails."
        )


class Probe:
    """A process that measures :func:`calibrate` each time it is asked (``python tests/budgets.py --serve``)."""

    def __init__(self) -> None:
        environment = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=environment,
        )
        self._lock = threading.Lock()

    def measure(self) -> Calibration:
        with self._lock:
            try:
                self.process.stdin.write("measure\n")
                self.process.stdin.flush()
                gemm, python = (float(value) for value in self.process.stdout.readline().split())
            except (OSError, ValueError) as error:
                raise RuntimeError(f"the calibration process stopped answering ({error})") from error
        return Calibration(gemm, python)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _serve() -> None:
    for _ in sys.stdin:
        calibration = Calibration(_gemm_gflops(), _python_mops())
        print(calibration.gemm_gflops, calibration.python_mops, flush=True)


#: The run of this pytest session (one per process).
SESSION: Run | None = None


def session() -> Run:
    global SESSION
    if SESSION is None:
        SESSION = Run()
    return SESSION


if __name__ == "__main__" and sys.argv[1:] == ["--serve"]:
    _serve()
