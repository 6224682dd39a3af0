"""Each notebook's wall time beside its compute floor and its budget (`make bench-notebooks`).

Runs every notebook once headless (the executor of `make run`, into a temporary folder) and prints,
per notebook: the seconds it took; its GEMM floor, the matrix-product FLOPs of the training it
does divided by the GEMM throughput measured here, with the same threads, on exactly those
shapes (question 2 only: questions 1 and 3 train nothing that matters); the ratio of the two;
and the time against its budget in calibrated units (tests/budgets.py), as `make test` reads it.

Question 2's floor counts every epoch of its experiments as the statement defines them, also
the ones the notebook does not train again (StepLR's first epochs, taken from the baseline):
that is the work the experiments stand for.
"""

from __future__ import annotations

import argparse
import itertools
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

import utils

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "tests")]
from run_notebooks import run_notebook

import budgets

TRAIN, VAL, TEST, BATCH, EVAL_BATCH = 54_000, 6_000, 10_000, 256, 1024
BASELINE = (784, 256, 128, 10)
FINAL = (784, 512, 256, 10)
#: Question 2's training: (network sizes, training epochs) of each run, as the notebook defines them.
Q02_PLAN = [
    (BASELINE, 2),  # 2.4: two epochs of your loop
    *[(BASELINE, 8)] * 3,  # 2.5: Adam, seeds 0, 1, 2
    *[(BASELINE, 8)] * 3,  # SGD with momentum
    *[(BASELINE, 8)] * 3,  # Adam with StepLR
    (FINAL, 15),  # 2.6: the final model
]


def training_flops(sizes: tuple[int, ...], samples: int) -> int:
    """Matrix-product FLOPs of one training pass: forward, weight gradients, input gradients (not the images')."""
    flops = 0
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        flops += 2 * samples * n_in * n_out * (3 if layer else 2)
    return flops


def forward_flops(sizes: tuple[int, ...], samples: int) -> int:
    return sum(2 * samples * n_in * n_out for n_in, n_out in itertools.pairwise(sizes))


def gemm_rate(sizes: tuple[int, ...], batch: int = BATCH, repeat: int = 5) -> float:
    """FLOP/s of one training batch's GEMMs of ``sizes`` on the CPU, with torch's default threads."""
    shapes = []
    for layer, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        shapes += [(batch, n_in, n_out), (n_out, batch, n_in)] + ([(batch, n_out, n_in)] if layer else [])
    operands = [(torch.randn(m, k), torch.randn(k, n)) for m, k, n in shapes]

    def run() -> None:
        for _ in range(20):
            for a, b in operands:
                torch.mm(a, b)

    return 20 * sum(2 * m * k * n for m, k, n in shapes) / utils.median_seconds(run, "cpu", repeat=repeat, warmup=2)


def q02_floor() -> tuple[float, float]:
    """(TFLOP, seconds): question 2's matrix products and the time they take at this machine's GEMM rate."""
    rates = {sizes: gemm_rate(sizes) for sizes in {BASELINE, FINAL}}
    flops = seconds = 0.0
    for sizes, epochs in Q02_PLAN:
        run = epochs * (training_flops(sizes, TRAIN) + forward_flops(sizes, VAL))
        flops, seconds = flops + run, seconds + run / rates[sizes]
    final_test = forward_flops(FINAL, TEST) * 2  # test accuracy, then the predictions for the confusion matrix
    return (flops + final_test) / 1e12, seconds + final_test / rates[FINAL]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/hw08-q*.ipynb")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("hw08-q*.ipynb"))
    run = budgets.Run()
    run.measure()
    tflop, floor = q02_floor()
    print(
        f"machine: {platform.node()} | {utils.device_summary(utils.get_device())} | torch threads {torch.get_num_threads()}"
    )
    print(f"question 2 trains {tflop:.2f} TFLOP of matrix products: {floor:.1f} s at this machine's GEMM rate")
    table = budgets.budgets("notebook")
    rows, failed = [], False
    with tempfile.TemporaryDirectory() as folder:
        for path in paths:
            started = time.perf_counter()
            status, seconds, error = run_notebook(path, Path(folder) / path.name, timeout=900)
            seconds = time.perf_counter() - started if status == "unreadable" else seconds
            run.measure()
            failed |= status != "ok"
            rows.append((path.name, status, error, seconds))
    print(run.header())
    print(f"{'notebook':<16} {'seconds':>8} {'floor':>7} {'x floor':>8}   budget (calibrated)")
    for name, status, error, seconds in rows:
        has_floor = name == "hw08-q02.ipynb"
        floor_text = f"{floor:7.1f} {seconds / floor:7.2f}x" if has_floor else f"{'-':>7} {'-':>8}"
        verdict = run.verdict(name, seconds, table[name]) if name in table else None
        budget_text = (
            f"ratio {verdict.ratio:.2f} of {verdict.scaled_budget:.0f} s here ({verdict.flag})" if verdict else ""
        )
        print(
            f"{name:<16} {seconds:8.1f} {floor_text}   {budget_text}"
            + ("" if status == "ok" else f"  {status}: {error}")
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
