"""The shared machinery of the self-checks (utils/checks/_core.py)."""

from __future__ import annotations

import pytest
import torch

from utils import checks


def test_passed_prints_one_line(capsys):
    checks.passed("1.4", "cross_entropy_loss matches F.cross_entropy")
    assert capsys.readouterr().out == "✓ 1.4 cross_entropy_loss matches F.cross_entropy\n"


def test_expect_raises_with_part_and_hint():
    checks.expect(True, "2.1", "never shown")
    with pytest.raises(AssertionError, match=r"^✗ 2\.1: use the training set's mean$"):
        checks.expect(False, "2.1", "use the training set's mean")


def test_expect_close_reports_shape_and_size_of_error():
    reference = torch.zeros(2, 3)
    checks.expect_close(reference + 1e-7, reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match=r"returned shape \(3, 2\), expected \(2, 3\)"):
        checks.expect_close(torch.zeros(3, 2), reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match="differs from the reference by up to 0.5"):
        checks.expect_close(reference + 0.5, reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match="should return a torch.Tensor"):
        checks.expect_close([0.0], reference, "1.4", "linear_forward")
    with pytest.raises(AssertionError, match="differs"):
        checks.expect_close(torch.full((2, 3), float("nan")), reference, "1.4", "linear_forward")


def test_call_student_names_the_unfinished_part():
    def linear_forward(x):
        raise NotImplementedError("Q1.4: your code here")

    assert checks.call_student("1.4", lambda x: x + 1, 1) == 2
    with pytest.raises(NotImplementedError, match=r"Q1\.4 is not finished: linear_forward\(\)"):
        checks.call_student("1.4", linear_forward, 1)


def test_call_checked_turns_a_crash_into_a_hint():
    def flatten_images(x):
        return x.view(-1)

    with pytest.raises(AssertionError, match=r"^✗ 1\.1: flatten_images\(\) raised AttributeError: .*\. Use reshape$"):
        checks.call_checked("1.1", flatten_images, [1, 2], hint="Use reshape")
    with pytest.raises(NotImplementedError, match=r"Q1\.1 is not finished"):
        checks.call_checked("1.1", lambda: (_ for _ in ()).throw(NotImplementedError("stub")))
