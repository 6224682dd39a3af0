"""The two halves of grading, in this process: the data channel's checks, the request server, the trusted cases.

* ``grading.channel.decode``: only plain data comes back (no pickle, no tensor subclass, ...);
* ``grading.serve``: the self-check records and the request server's encoding;
* ``grading.trusted.run_part``: hidden cases against the reference, their isolation, and the
  dependency rule of 2.6 (trained when the student's loop trains).
"""

from __future__ import annotations

import collections
import io
import pickle
import random
import types

import numpy as np
import pytest
import torch

from grading import channel, hidden, serve, trusted
from grading.hidden import q02
from grading_local import LocalRemote


def saved(value: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


class Sneaky(torch.Tensor):
    pass


class Reduces:
    def __reduce__(self):
        return (print, ("unpickled!",))


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (pickle.dumps({"ok": True, "value": Reduces()}), "not plain data"),
        (saved({"ok": True, "value": Reduces()}), "not plain data"),
        (saved({"ok": True, "value": torch.zeros(2).as_subclass(Sneaky)}), "not plain data"),
        (saved({"ok": True, "value": collections.OrderedDict(a=1)}), "OrderedDict, not data"),
        (saved({"ok": True, "value": {"__tag__": "ndarray", "dtype": "object", "data": torch.zeros(1)}}), "dtype"),
        (saved({"ok": True, "value": {"__tag__": "mystery"}}), "unknown tag"),
        (saved({"ok": True, "value": torch.nn.Parameter(torch.zeros(2))}), "Parameter"),
        (saved([1, 2]), "malformed"),
        (b"not a file at all", "not plain data"),
    ],
    ids=[
        "pickle",
        "object",
        "subclass",
        "ordereddict",
        "object-array",
        "unknown-tag",
        "parameter",
        "not-a-dict",
        "junk",
    ],
)
def test_a_reply_that_is_not_plain_data_is_refused(payload: bytes, message: str) -> None:
    with pytest.raises(channel.Refused, match=message):
        channel.decode(payload)


def test_plain_data_comes_back_checked_and_rebuilt_by_the_grader() -> None:
    serve._state["handles"].clear()
    value = serve.encode(
        {
            "t": torch.arange(3),
            "a": np.arange(4, dtype=np.int32),
            "n": [1, 2.5, "x", None, (True,)],
            "m": torch.nn.Linear(2, 1),
        }
    )
    back = channel.decode(saved({"ok": True, "value": value}))
    assert type(back["t"]) is torch.Tensor and torch.equal(back["t"], torch.arange(3))
    assert type(back["a"]) is np.ndarray and back["a"].dtype == np.int32 and back["a"].tolist() == [0, 1, 2, 3]
    assert back["n"] == [1, 2.5, "x", None, (True,)]
    assert isinstance(back["m"], channel.Handle) and back["m"].module and back["m"].type_name == "Linear"
    refused = channel.decode(saved({"ok": True, "value": serve.encode(torch.zeros(2).as_subclass(Sneaky))}))
    assert isinstance(refused, channel.NotData) and "subclass of torch.Tensor" in refused.what


def test_a_failure_in_the_kernel_comes_back_as_its_kind_and_first_line() -> None:
    with pytest.raises(channel.StudentFailure) as raised:
        channel.decode(saved({"ok": False, "kind": "unanswered", "message": "Q9.9: write it"}))
    assert trusted.describe_failure(raised.value) == "not answered yet (Q9.9: write it)"


@pytest.fixture
def records(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    emitted: list[dict] = []
    monkeypatch.setattr(serve, "_display", lambda mime, record: emitted.append(record))
    checks = types.SimpleNamespace(check_double=lambda f: None if f(2) == 4 else (_ for _ in ()).throw(
        AssertionError("✗ 9.9: double(2) should be 4")))  # fmt: skip
    monkeypatch.setitem(serve._state, "checks", checks)
    return emitted


def test_a_self_check_runs_with_the_handouts_checks_whatever_the_notebook_calls_checks(records: list[dict]) -> None:
    namespace = {"double": lambda x: 2 * x, "checks": "the student's own object"}
    serve.visible("9.9", "checks.check_double(double)\nseen = True", namespace)
    assert records[-1]["passed"] and records[-1]["part"] == "9.9" and records[-1]["kind"] == "visible"
    assert namespace["checks"] == "the student's own object" and namespace["seen"] is True
    serve.visible("9.9", "checks.check_double(lambda x: x + 1)", namespace)
    assert records[-1]["passed"] is False and records[-1]["message"] == "✗ 9.9: double(2) should be 4"


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
    serve.visible("9.9", source, {})
    assert records[-1]["passed"] is False and records[-1]["message"] == message


@pytest.fixture
def part(monkeypatch: pytest.MonkeyPatch):
    reference = {"double": lambda x: 2 * x}
    monkeypatch.setattr(trusted, "references", lambda notebook: reference)

    def run(cases: list, namespace: dict, verdicts: dict | None = None, done: dict | None = None) -> dict:
        monkeypatch.setitem(hidden.CASES, "9.9", cases)
        return trusted.run_part(
            "9.9", LocalRemote(namespace), None, {}, verdicts or {}, done if done is not None else {}
        )

    return run


def test_hidden_cases_compare_with_the_reference_and_report_the_first_failure(part) -> None:
    def same_as_reference(ctx: hidden.Context) -> None:
        mine = ctx.student.double(torch.tensor(5.0))
        assert type(mine) is torch.Tensor and mine == ctx.reference.double(torch.tensor(5.0)), "double(5) differs"

    def draws(ctx: hidden.Context) -> None:
        torch.rand(5)  # the case's own random stream: the grader's is left as it was
        random.random()

    cases = [hidden.Case("9.9", "double of 5", same_as_reference), hidden.Case("9.9", "draws", draws)]
    state = (torch.get_rng_state(), random.getstate())
    done: dict = {}
    record = part(cases, {"double": lambda x: x + x}, done=done)
    assert record["passed"] and record["cases"] == 2 and done == {"9.9 double of 5": True, "9.9 draws": True}
    assert torch.equal(torch.get_rng_state(), state[0]) and random.getstate() == state[1]
    assert part(cases, {"double": lambda x: x + 3})["message"] == "double of 5: double(5) differs"
    assert (
        part(cases, {})["message"]
        == "double of 5: double is not defined: keep the notebook's names (was it renamed or deleted?)"
    )
    rigged = part(cases, {"double": lambda x: types.SimpleNamespace(__eq__=lambda *a: True)})
    assert not rigged["passed"] and "double of 5: double(5) differs" == rigged["message"]


def test_a_request_past_the_cases_time_and_a_dead_kernel_end_the_case(part, monkeypatch: pytest.MonkeyPatch) -> None:
    def times_out(ctx: hidden.Context) -> None:
        raise channel.RequestTimeout

    def dies(ctx: hidden.Context) -> None:
        raise channel.KernelGone("the kernel died (exit code 3)")

    record = part([hidden.Case("9.9", "an endless loop", times_out, seconds=0.5)], {})
    assert record["message"] == "an endless loop: ran over its 0.5 s limit (an endless loop?)"
    record = part([hidden.Case("9.9", "first", dies), hidden.Case("9.9", "second", times_out)], {})
    assert record["kernel_gone"] == "the kernel died (exit code 3)" and record["failed"] == 2


class Recorder:
    """A stand-in for ``ctx.student`` that answers the final model's procedure with a prepared reply."""

    def __init__(self, reply: dict) -> None:
        self.reply, self.inputs = reply, None

    def run(self, code: str, seed: int | None = None, **inputs) -> dict:
        self.inputs = inputs
        return self.reply


def final_context(student, cases: dict) -> hidden.Context:
    reference = {}
    exec(  # noqa: S102 (the reference's MLP, as the instructor's utils/models.py defines it)
        q02_mlp_source(), reference
    )
    return hidden.Context(student, hidden.Names(reference), {"accuracy_threshold": 0.0}, cases=cases)


def q02_mlp_source() -> str:
    from grading.synthetic import utils_files

    return utils_files()["utils/models.py"].decode()


(FINAL,) = [c for c in hidden.CASES["2.6"] if c.seconds == 900]


def test_the_final_model_trains_when_the_loop_trains_whatever_evaluate_does() -> None:
    with pytest.raises(AssertionError, match=r"not trained: train_one_epoch \(2.4\)"):
        FINAL.run(final_context(Recorder({}), {q02.TRAINS: False}))
    student = Recorder({"built": False})
    with pytest.raises(AssertionError, match="build_final_model should return"):
        FINAL.run(final_context(student, {q02.TRAINS: True, q02.EVALUATES: False}))
    assert student.inputs["own_evaluate"] is False  # trained with the grader's evaluation, the student's loop


def test_the_final_accuracy_comes_from_the_weights_not_from_the_kernels_forward() -> None:
    ctx = final_context(Recorder({}), {})
    torch.manual_seed(0)
    model = ctx.reference.MLP(784, [16], 10).eval()
    images, labels = q02._test_set()
    order = torch.randperm(len(labels), generator=q02.generator(262))
    with torch.no_grad():
        probe = model(images[order[:512]])
    lookup = {"built": True, "state": dict(model.state_dict()), "probe": torch.eye(10)[labels[order[:512]]] * 50,
              "predictions": labels[order]}  # fmt: skip
    with pytest.raises(AssertionError, match="not what its weights compute"):
        FINAL.run(final_context(Recorder(lookup), {}))
    honest = final_context(Recorder({**lookup, "probe": probe}), {})
    FINAL.run(honest)
    assert honest.report["test_accuracy"] < 0.5  # an untrained model's accuracy, whatever its predictions said


def test_a_reply_that_unpacks_to_more_than_the_limit_is_refused() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data/0", bytes(2 * channel.REPLY_LIMIT + 1))
    assert len(buffer.getvalue()) < channel.REPLY_LIMIT // 100
    with pytest.raises(channel.Refused, match="unpacks to more than"):
        channel.decode(buffer.getvalue())
