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
from torch import nn

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


def kernel_reply(model: nn.Module, probe_outputs: torch.Tensor | None = None, **changes) -> dict:
    """What the final model's procedure sends back for ``model`` (its layers listed by the procedure's own code)."""
    namespace: dict = {}
    exec(q02.FINAL, namespace)  # noqa: S102 (the procedure's source: only its helpers are used here)
    images, labels = q02._test_set()
    order = torch.randperm(len(labels), generator=q02.generator(262))
    model.eval()
    with torch.no_grad():
        probe = model(images[order[:512]]) if probe_outputs is None else probe_outputs
    reply = {"built": True, "state": dict(model.state_dict()), "layers": namespace["_layers"](model, q02.SETTINGS),
             "probe": probe}  # fmt: skip
    return {**reply, **changes}


def graded(reply: dict) -> hidden.Context:
    ctx = final_context(Recorder(reply), {})
    FINAL.run(ctx)
    return ctx


def own_accuracy(model: nn.Module, split: str = "test") -> float:
    images, labels = q02._sets()[split]
    with torch.no_grad():
        return (model.eval()(images).argmax(dim=1) == labels).double().mean().item()


class FunctionalReLU(nn.Module):
    """2.2's MLP with its own names, the ReLUs applied in forward."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([nn.Linear(784, 32), nn.BatchNorm1d(32), nn.Linear(32, 16), nn.Linear(16, 10)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(self.blocks[1](self.blocks[0](x.flatten(1))))
        return self.blocks[3](torch.relu(self.blocks[2](x)))


class SharedActivation(nn.Module):
    """One GELU module, used after every hidden layer; a LayerNorm after the first."""

    def __init__(self) -> None:
        super().__init__()
        self.first, self.norm, self.second = nn.Linear(784, 24), nn.LayerNorm(24), nn.Linear(24, 12)
        self.out = nn.Linear(12, 10)
        self.act = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.norm(self.first(x.flatten(1))))
        return self.out(self.act(self.second(x)))


class Lookup(nn.Module):
    """A "model" whose forward finds each image in a stored copy of the test set and answers its label."""

    def __init__(self) -> None:
        super().__init__()
        images, labels = q02._test_set()
        self.head = nn.Linear(784, 10)
        self.register_buffer("images", images.flatten(1).clone())
        self.register_buffer("labels", labels.clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        keys = x.flatten(1)
        found = torch.cdist(keys, self.images).argmin(dim=1)
        return torch.eye(10)[self.labels[found]] * 50 + 0 * self.head(x.flatten(1))


class Scaled(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(784, 10)
        self.scale = nn.Parameter(torch.tensor(3.0))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x.flatten(1)) * self.scale


def trained(images: torch.Tensor, labels: torch.Tensor, epochs: int) -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in range(epochs):
        for batch in torch.randperm(len(labels)).split(128):
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(images[batch]), labels[batch]).backward()
            optimizer.step()
    return model.eval()


def test_the_final_accuracy_is_measured_by_the_grader_on_a_network_it_rebuilt() -> None:
    torch.manual_seed(1)
    for model in (
        nn.Sequential(nn.Flatten(), nn.Linear(784, 24), nn.LayerNorm(24), nn.GELU(approximate="tanh"),
                      nn.Dropout(0.3), nn.Linear(24, 10)),
        FunctionalReLU(),
        SharedActivation(),
    ):  # fmt: skip
        ctx = graded(kernel_reply(model))
        assert ctx.report["test_accuracy"] == round(own_accuracy(model), 4)
        assert ctx.report["val_accuracy"] == round(own_accuracy(model, "val"), 4)


def test_a_final_model_whose_forward_is_not_its_layers_is_refused() -> None:
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10))
    _, labels = q02._test_set()
    order = torch.randperm(len(labels), generator=q02.generator(262))
    answers = torch.eye(10)[labels[order[:512]]] * 50
    for reply in (
        kernel_reply(mlp, probe_outputs=answers),  # standard layers, a forward that looks the answers up
        kernel_reply(Lookup()),  # a layer of its own holding the test set
        kernel_reply(Scaled()),  # a weight outside any layer, used in forward
    ):
        with pytest.raises(AssertionError, match="could not rebuild the final model from its layers"):
            graded(reply)
    assert own_accuracy(Lookup()) == 1.0


def test_a_final_model_trained_on_the_test_set_is_not_graded() -> None:
    sets = q02._sets()
    (train_images, train_labels), (test_images, test_labels) = sets["train"], sets["test"]
    honest = graded(kernel_reply(trained(train_images[:8000], train_labels[:8000], 4)))
    assert abs(honest.report["test_accuracy"] - honest.report["val_accuracy"]) < q02.TEST_SET_MARGIN
    for images, labels in (
        (test_images, test_labels),  # the test set instead of the training set
        (torch.cat([train_images[:8000], test_images]), torch.cat([train_labels[:8000], test_labels])),  # and both
    ):
        with pytest.raises(AssertionError, match=r"better on the test set \(0\.\d+\) than on the validation set"):
            graded(kernel_reply(trained(images, labels, 8)))


def test_a_reply_that_unpacks_to_more_than_the_limit_is_refused() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data/0", bytes(2 * channel.REPLY_LIMIT + 1))
    assert len(buffer.getvalue()) < channel.REPLY_LIMIT // 100
    with pytest.raises(channel.Refused, match="unpacks to more than"):
        channel.decode(buffer.getvalue())
