"""The shared machinery of the self-checks (utils/checks/_core.py): verdict lines, comparisons, the check wrapper."""

from __future__ import annotations

import random
import traceback

import numpy as np
import pytest
import torch

from utils import checks
from utils.checks import self_check


def test_passed_prints_one_line(capsys):
    checks.passed("1.4", "cross_entropy_loss matches F.cross_entropy")
    assert capsys.readouterr().out == "✓ 1.4 cross_entropy_loss matches F.cross_entropy\n"


def test_expect_raises_with_part_and_hint():
    checks.expect(True, "2.1", "never shown")
    with pytest.raises(AssertionError, match=r"^✗ 2\.1: use the training set's mean$"):
        checks.expect(False, "2.1", "use the training set's mean")


def test_expect_close_says_how_a_tensor_differs():
    reference = torch.zeros(2, 3)
    checks.expect_close(reference + 1e-7, reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match=r"has shape \(3, 2\), expected \(2, 3\)"):
        checks.expect_close(torch.zeros(3, 2), reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match=r"is torch.float64, expected torch.float32"):
        checks.expect_close(reference.double(), reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match=r"differs from the reference by up to 0.5 at index \(1, 2\) \(1 of 6"):
        checks.expect_close(
            reference.index_put((torch.tensor(1), torch.tensor(2)), torch.tensor(0.5)),
            reference,
            "1.4",
            "linear_forward",
        )
    with pytest.raises(AssertionError, match="should be a torch.Tensor, got list"):
        checks.expect_close([0.0], reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match="differs"):
        checks.expect_close(torch.full((2, 3), float("nan")), reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match=r"differs .*\. Add the bias$"):
        checks.expect_close(reference + 1, reference, "1.4", "linear_forward", hint="Add the bias")


def test_as_number_accepts_numbers_and_explains_the_rest():
    assert checks.as_number(0.5, "2.4", "the loss") == 0.5
    assert checks.as_number(np.float32(0.25), "2.4", "the loss") == 0.25
    assert checks.as_number(torch.tensor(2.0), "2.4", "the loss") == 2.0
    with pytest.raises(AssertionError, match=r"Python float, got a tensor .*\.item\(\)"):
        checks.as_number(torch.tensor(2.0), "2.1", "the mean", allow_tensor=False)
    with pytest.raises(AssertionError, match="still part of the autograd graph"):
        checks.as_number(torch.tensor(2.0, requires_grad=True) * 1, "2.4", "the loss")
    with pytest.raises(AssertionError, match="should be a number, got str"):
        checks.as_number("0.5", "2.4", "the loss")


def test_a_wrapped_check_fails_with_one_line_whatever_goes_wrong():
    @self_check("9.9")
    def broken(kind):
        if kind == "key":
            return {}["missing"]
        if kind == "assert":
            assert kind == "never"
        raise AssertionError("✗ 9.9: a hint")

    with pytest.raises(AssertionError, match=r"^✗ 9\.9: the check could not use what your code returned: KeyError"):
        broken("key")
    with pytest.raises(AssertionError, match=r"^✗ 9\.9: AssertionError"):
        broken("assert")
    with pytest.raises(AssertionError) as caught:
        broken("hint")
    assert str(caught.value) == "✗ 9.9: a hint"
    frames = traceback.extract_tb(caught.value.__traceback__)
    assert [frame.name for frame in frames][-1] == "run" and len(frames) <= 2, "no traceback from inside the check"
    assert caught.value.__suppress_context__


def test_a_wrapped_check_runs_isolated():
    """Float32, gradients on and forked random streams inside; the notebook's settings and streams after."""
    seen = {}

    @self_check("9.9")
    def check():
        seen["state"] = torch.get_default_dtype(), torch.is_grad_enabled()
        torch.rand(3), np.random.rand(3), random.random()

    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    expected = torch.rand(2), np.random.rand(2), random.random()
    torch.manual_seed(7)
    np.random.seed(7)
    random.seed(7)
    torch.set_default_dtype(torch.float64)
    try:
        with torch.no_grad():
            check()
            assert torch.get_default_dtype() == torch.float64 and not torch.is_grad_enabled()
    finally:
        torch.set_default_dtype(torch.float32)
    assert seen["state"] == (torch.float32, True)
    assert torch.equal(torch.rand(2), expected[0].double().float())
    assert np.array_equal(np.random.rand(2), expected[1]) and random.random() == expected[2]


def test_each_reports_every_mistake_and_names_unfinished_functions():
    from utils.checks._core import each, expect, unfinished

    def wrong(name: str):
        return lambda: expect(False, "1.3", f"{name} is wrong.")

    def stub(name: str):
        def run():
            raise unfinished("1.3", name)

        return run

    each("1.3", lambda: None, lambda: None)  # nothing to report
    with pytest.raises(AssertionError) as caught:
        each("1.3", wrong("sgd_step"), stub("zero_grad"), wrong("to_numpy"))
    assert str(caught.value) == (
        "✗ 1.3: sgd_step is wrong. Also: to_numpy is wrong; and zero_grad() is not finished yet"
    )
    with pytest.raises(NotImplementedError, match=r"^Q1\.3 is not finished: zero_grad\(\)"):
        each("1.3", lambda: None, stub("zero_grad"))
