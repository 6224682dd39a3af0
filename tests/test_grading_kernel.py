"""grading.kernel, in this process: the records of self-checks and hidden cases, and their isolation."""

from __future__ import annotations

import random
import types

import pytest
import torch

from grading import hidden, kernel


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    emitted: list[dict] = []
    monkeypatch.setattr(kernel, "_emit", emitted.append)
    checks = types.SimpleNamespace(check_double=lambda f: None if f(2) == 4 else (_ for _ in ()).throw(
        AssertionError("✗ 9.9: double(2) should be 4")))  # fmt: skip
    monkeypatch.setitem(kernel._state, "checks", checks)
    return emitted


def test_a_self_check_runs_with_the_handouts_checks_whatever_the_notebook_calls_checks(records: list[dict]) -> None:
    namespace = {"double": lambda x: 2 * x, "checks": "the student's own object"}
    kernel.visible("9.9", "checks.check_double(double)\nseen = True", namespace)
    assert records[-1]["passed"] and records[-1]["part"] == "9.9"
    assert namespace["checks"] == "the student's own object" and namespace["seen"] is True
    kernel.visible("9.9", "checks.check_double(lambda x: x + 1)", namespace)
    assert records[-1] == {**records[-1], "passed": False, "message": "✗ 9.9: double(2) should be 4"}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            "checks.check_double(triple)",
            "triple is not defined: keep the notebook's names (was it renamed or deleted?)",
        ),
        ("raise NotImplementedError('Q9.9: write double() here')", "not answered yet (Q9.9: write double() here)"),
        ("raise SystemExit(0)", "the code called exit()"),
        ("1 / 0", "ZeroDivisionError: division by zero"),
    ],
)
def test_every_failure_of_a_self_check_becomes_one_message(records: list[dict], source: str, message: str) -> None:
    kernel.visible("9.9", source, {})
    assert records[-1]["passed"] is False and records[-1]["message"] == message


def test_hidden_cases_compare_with_the_reference_and_report_the_first_failure(
    records: list[dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    def same_as_reference(ctx: hidden.Context) -> None:
        assert ctx.student.double(5) == ctx.reference.double(5), "double(5) differs from the expected result"

    def draws(ctx: hidden.Context) -> None:
        torch.rand(5)  # the case's own random stream: the notebook's is left as it was
        random.random()

    monkeypatch.setitem(
        hidden.CASES, "9.9", [hidden.Case("9.9", "double of 5", same_as_reference), hidden.Case("9.9", "draws", draws)]
    )
    reference = ["def double(x):\n    return 2 * x"]
    state = (torch.get_rng_state(), random.getstate())
    kernel.hidden("9.9", reference, {"double": lambda x: x + x})
    assert records[-1]["passed"] and records[-1]["cases"] == 2
    assert torch.equal(torch.get_rng_state(), state[0]) and random.getstate() == state[1]
    kernel.hidden("9.9", reference, {"double": lambda x: x + 3})
    assert records[-1]["message"] == "double of 5: double(5) differs from the expected result"
    kernel.hidden("9.9", reference, {})
    assert (
        records[-1]["message"]
        == "double of 5: double is not defined: keep the notebook's names (was it renamed or deleted?)"
    )
    kernel.hidden("9.9", ["raise RuntimeError('broken reference')"], {"double": abs})
    assert (
        records[-1]["passed"] is False and "the reference solution of 9.9 does not run" in records[-1]["grader_error"]
    )


def test_a_hidden_case_over_its_time_limit_is_stopped(records: list[dict], monkeypatch: pytest.MonkeyPatch) -> None:
    def forever(ctx: hidden.Context) -> None:
        while True:
            pass

    monkeypatch.setitem(hidden.CASES, "9.9", [hidden.Case("9.9", "an endless loop", forever, seconds=0.5)])
    kernel.hidden("9.9", [], {})
    assert records[-1]["message"] == "an endless loop: ran over its 0.5 s limit (an endless loop?)"


def test_the_final_model_is_not_trained_when_the_loop_fails_its_checks() -> None:
    (final,) = [c for c in hidden.CASES["2.6"] if c.seconds == 900]
    ctx = hidden.Context(hidden.Names({}), hidden.Names({}), {}, verdicts={"2.4": False})
    with pytest.raises(AssertionError, match=r"not trained: train_one_epoch and evaluate \(2.4\)"):
        final.run(ctx)
