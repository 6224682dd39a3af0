"""The student's side of the grading channel: a small request server that runs in the grading kernel.

This module holds no secret: no solution code, no hidden case, no expected value, no verdict.
The grader never imports it into a kernel from the instructor's repository; the first cell of
the graded notebook executes its source into a fresh module (:mod:`grading.channel` sends
it), so nothing of the grader's files needs to be reachable from the kernel.

* :func:`start`: limit torch's threads, check that ``utils`` is the handout's copy, install
  the file-access guard (when given).
* :func:`visible`: run a handout self-check cell and record ✓ or ✗ (feedback only: these
  records never give points, whatever the kernel makes of them).
* :func:`request`: one request of the grader: a procedure (instructor code, no answers),
  its inputs (tensors, plain values, objects the grader built, handles to objects made by
  earlier requests) and its options. The reply is *data*: ``torch.save`` of tensors, plain
  Python values, lists, tuples and dicts, with non-data objects (models, optimizers,
  callables) replaced by handles. The grader reads it with ``torch.load(weights_only=True)``
  and checks every value; a reply is never trusted, so nothing here needs to be.
* :func:`finish`: record the end of the notebook and the refused file accesses.
"""

from __future__ import annotations

import base64
import contextlib
import io
import os
import pathlib
import random
import sys
import time
from typing import Any

MIME = "application/vnd.hw08.grading+json"
REPLY_MIME = "application/vnd.hw08.reply+json"
MESSAGE_LIMIT = 400

_state: dict[str, Any] = {"refusals": [], "handles": {}, "next": 0, "checks": None, "namespace": None}


def _display(mime: str, record: dict[str, Any]) -> None:
    from IPython.display import display

    display({mime: record}, raw=True)


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def start(config: dict[str, Any], namespace: dict[str, Any], guard: Any = None) -> None:
    """Set up the kernel: threads, the handout's ``utils``, the file-access guard (``guard``: its module)."""
    import torch

    _state["namespace"] = namespace
    torch.set_num_threads(int(config["threads"]))
    with contextlib.suppress(RuntimeError):  # only possible before any parallel work
        torch.set_num_interop_threads(1)
    import utils
    import utils.checks

    sandbox = os.path.realpath(config["sandbox"])
    if not os.path.realpath(utils.__file__).startswith(sandbox + os.sep):
        raise RuntimeError(f"grading kernel imported utils from {utils.__file__}, not from its sandbox")
    _state["checks"] = utils.checks
    if guard is not None:
        policy = guard.Policy(
            sandbox=sandbox,
            read_roots=(*config["read_roots"], *guard.python_roots()),
            protected=tuple(config["protected"]),
        )
        sys.path[:] = [p for p in sys.path if not p or policy.may_read(os.path.realpath(p))]
        sys.path_importer_cache.clear()
        guard.install(policy, _refused)


def _refused(what: str) -> None:
    refusals = _state["refusals"]
    if what not in refusals and len(refusals) < 50:
        refusals.append(what)


def describe_failure(error: BaseException) -> tuple[str, str]:
    """(kind, message) of an exception raised by student code."""
    if isinstance(error, NameError) and getattr(error, "name", None):
        return "missing", str(error.name)
    if isinstance(error, _Missing):
        return "missing", error.args[0]
    if isinstance(error, NotImplementedError):
        return "unanswered", _first_line(error)
    if isinstance(error, AssertionError):
        return "assertion", _first_line(error)
    if isinstance(error, SystemExit):
        return "exit", ""
    return "error", f"{type(error).__name__}: {_first_line(error)}".rstrip(": ")


def _message(kind: str, text: str) -> str:
    if kind == "missing":
        return f"{text} is not defined: keep the notebook's names (was it renamed or deleted?)"
    if kind == "unanswered":
        return f"not answered yet ({text or 'NotImplementedError'})"
    if kind == "assertion":
        return text or "an assert failed"
    if kind == "exit":
        return "the code called exit()"
    return text


def visible(part: str, source: str, namespace: dict[str, Any]) -> None:
    """Run the handout's self-check cell ``source`` for ``part`` in the notebook's globals; record ✓ or ✗."""
    missing = object()
    bound = namespace.get("checks", missing)
    namespace["checks"] = _state["checks"]
    began = time.perf_counter()
    try:
        exec(compile(source, f"<self-check {part}>", "exec"), namespace)  # noqa: S102 (the handout's own cell)
    except (Exception, SystemExit) as error:  # noqa: BLE001 (every failure becomes the part's message)
        passed, message = False, _message(*describe_failure(error))
    else:
        passed, message = True, ""
    finally:
        if bound is missing:
            namespace.pop("checks", None)
        else:
            namespace["checks"] = bound
    record = {"kind": "visible", "part": part, "passed": passed, "message": _short(message)}
    _display(MIME, {**record, "seconds": time.perf_counter() - began, "refusals": list(_state["refusals"])})


def finish(namespace: dict[str, Any]) -> None:
    """Record the end of the notebook and the file accesses the guard refused."""
    _display(MIME, {"kind": "finish", "refusals": list(_state["refusals"])})


class _Missing(AttributeError):
    pass


class Student:
    """``student.NAME``: the notebook's function or class ``NAME`` (looked up when used)."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> Any:
        try:
            return self._namespace[name]
        except KeyError:
            raise _Missing(name) from None


@contextlib.contextmanager
def _isolated(seed: int | None) -> Any:
    """Own random state, default dtype and grad mode for one request; the notebook's are restored afterwards."""
    import numpy as np
    import torch

    python_state, numpy_state = random.getstate(), np.random.get_state()
    dtype, grad = torch.get_default_dtype(), torch.is_grad_enabled()
    try:
        with torch.random.fork_rng():
            if seed is not None:
                torch.manual_seed(seed)
                random.seed(seed)
                np.random.seed(seed)
            yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)


def _decode(value: Any) -> Any:
    """The grader's inputs, handles replaced by the objects they name."""
    if isinstance(value, dict) and set(value) == {"__handle__"}:
        try:
            return _state["handles"][value["__handle__"]]
        except KeyError:
            raise LookupError("the grader named an object this kernel no longer has") from None
    if type(value) is dict:
        return {k: _decode(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_decode(v) for v in value)
    return value


def _handle(value: Any) -> dict[str, Any]:
    import torch

    _state["next"] += 1
    number = _state["next"]
    _state["handles"][number] = value
    kind = type(value)
    return {
        "__tag__": "handle",
        "id": number,
        "type": f"{kind.__module__}.{kind.__qualname__}",
        "module": isinstance(value, torch.nn.Module),
        "callable": callable(value),
    }


def encode(value: Any, depth: int = 0) -> Any:
    """``value`` as data for ``torch.save``: tensors, plain values and containers; handles for everything else."""
    import numpy as np
    import torch

    if depth > 20:
        return {"__tag__": "refused", "what": "a structure nested too deeply"}
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if kind is torch.nn.Parameter or kind is torch.Tensor:
        tensor = value.detach()
        if tensor.device.type != "cpu":
            tensor = tensor.cpu()
        if kind is torch.Tensor and tensor.layout is not torch.strided:
            return {"__tag__": "refused", "what": f"a {tensor.layout} tensor"}
        return tensor.clone() if tensor.data_ptr() == value.data_ptr() else tensor
    if isinstance(value, torch.Tensor):
        return {"__tag__": "refused", "what": f"a {kind.__name__} (a subclass of torch.Tensor)"}
    if kind is np.ndarray:
        if value.dtype.kind not in "biuf" or value.dtype.byteorder == ">":
            return {"__tag__": "refused", "what": f"a NumPy array of dtype {value.dtype}"}
        return {"__tag__": "ndarray", "dtype": str(value.dtype), "data": torch.from_numpy(value.copy())}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        return {"__tag__": "numpy-scalar", "dtype": str(value.dtype), "value": value.item()}
    if kind in (torch.dtype, torch.device, torch.Size):
        return {"__tag__": kind.__name__, "value": str(value) if kind is not torch.Size else list(value)}
    if isinstance(value, pathlib.PurePath):
        return {"__tag__": "path", "value": str(value)}
    if kind is list or isinstance(value, tuple) and kind.__module__ in ("builtins", "torch.return_types"):
        items = [encode(v, depth + 1) for v in value]
        return items if kind is list else tuple(items)
    if isinstance(value, dict) and kind.__module__ in ("builtins", "collections"):
        if not all(type(k) in (str, int) for k in value):
            return {"__tag__": "refused", "what": "a dict with keys other than strings and integers"}
        return {k: encode(v, depth + 1) for k, v in value.items()}
    return _handle(value)


def request(payload: str) -> None:
    """Answer one request of the grader (base64 of ``torch.save``), as one ``REPLY_MIME`` output."""
    import torch

    message = torch.load(io.BytesIO(base64.b64decode(payload)), weights_only=False)  # the grader's own bytes
    number = message["id"]
    try:
        inputs = _decode(message["inputs"])
        scope: dict[str, Any] = {"student": Student(_state["namespace"]), "__name__": "hw08_request"}
        exec(compile(message["code"], "<grader request>", "exec"), scope)  # noqa: S102 (the grader's procedure)
        procedure = scope["procedure"]
        with _isolated(message.get("seed")), contextlib.redirect_stdout(io.StringIO()):
            value = procedure(**inputs)
        reply = {"ok": True, "value": encode(value)}
    except (Exception, SystemExit) as error:  # noqa: BLE001 (every failure becomes the reply)
        kind, text = describe_failure(error)
        reply = {"ok": False, "kind": kind, "message": _short(text)}
    buffer = io.BytesIO()
    try:
        torch.save(reply, buffer)
    except Exception as error:  # noqa: BLE001 (a value torch cannot save)
        buffer = io.BytesIO()
        torch.save({"ok": False, "kind": "error", "message": _short(f"the result cannot be saved: {error}")}, buffer)
    _display(REPLY_MIME, {"id": number, "payload": base64.b64encode(buffer.getvalue()).decode("ascii")})


def release(numbers: list[int]) -> None:
    """Forget the objects behind these handles."""
    for number in numbers:
        _state["handles"].pop(number, None)
