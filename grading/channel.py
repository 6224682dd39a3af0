"""The grader's side of the channel to a student's kernel: requests out as code and data, replies in as data only.

**Why this channel.** The grader already drives each kernel through nbclient's kernel client
(Jupyter's messaging, whatever transport and sandbox the kernel was started with). A request
is one more cell executed on that client: a call of :func:`grading.serve.request` with the
request as base64 of ``torch.save`` (the procedure's source, its inputs, a seed). The reply
comes back as one display output of MIME type :data:`grading.serve.REPLY_MIME`: base64 of
``torch.save`` again, read here with ``torch.load(weights_only=True)`` (no pickled object is
ever rebuilt in the grader's process) and then checked value by value (:func:`decode`):
exactly ``torch.Tensor`` (no subclass, strided, on the CPU), ``bool``/``int``/``float``/
``str``/``None``, ``list``/``tuple``/``dict``, and tagged values that this module rebuilds
itself (NumPy arrays from a checked tensor, paths, dtypes, handles). Nothing of the grader's
process is reachable from the kernel: unlike rpyc or execnet, no object of the grader's is
ever exposed, no callback exists, and the kernel cannot start a conversation: it can only
write outputs, which the grader reads as data for the one request it is waiting on.

Objects the grader builds (models, optimizers, loaders, schedulers of the hidden cases) are
sent *into* the kernel pickled (the kernel can run anything anyway); what the kernel makes
of them stays there, named by a :class:`Handle` the grader passes back in later requests.

A reply is refused when it is missing, doubled (student code printing reply outputs of its
own), too large, or holds anything but the data above: the case fails with a message saying
so, and the part scores 0.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import io
import math
import sys
import textwrap
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from . import guard, serve

#: The most a reply may hold (bytes, after base64 decoding).
REPLY_LIMIT = 64 * 2**20
SERVER = "_hw08_serve"
GUARD = "_hw08_guard"


class Refused(AssertionError):
    """The kernel's reply is not plain data (or is missing): the case fails."""


class KernelGone(BaseException):
    """The kernel died, went over its output limit or stopped answering: no further request can run."""


class RequestTimeout(BaseException):
    """A request ran past the time left to its case (the kernel was interrupted)."""


class StudentFailure(Exception):
    """The student's code raised ``kind`` (missing, unanswered, assertion, exit, error) in the kernel."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


@dataclass(frozen=True)
class Handle:
    """An object that lives in the kernel (a model, an optimizer, a returned callable)."""

    id: int
    type: str
    module: bool
    callable: bool

    @property
    def type_name(self) -> str:
        return self.type.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class NotData:
    """A value the kernel could not send as data (a tensor subclass, an object array, ...)."""

    what: str


def start_source(config: dict[str, Any], namespace_name: str = "globals()") -> str:
    """The graded notebook's first cell: the request server and the guard as fresh modules, then ``start``."""
    lines = ["import sys as _hw08_sys, types as _hw08_types"]
    for name, module in ((SERVER, serve), (GUARD, guard)):
        source = Path(inspect.getfile(module)).read_text(encoding="utf-8")
        title = name.lstrip("_")
        lines += [
            f"{name} = _hw08_sys.modules[{title!r}] = _hw08_types.ModuleType({title!r})",
            f"exec(compile({source!r}, {title!r}, 'exec'), {name}.__dict__)",
        ]
    lines += ["del _hw08_sys, _hw08_types", f"{SERVER}.start({config!r}, {namespace_name}, {GUARD})"]
    return "\n".join(lines)


def visible_source(part: str, source: str) -> str:
    return f"{SERVER}.visible({part!r}, {source!r}, globals())"


def finish_source() -> str:
    return f"{SERVER}.finish(globals())"


# ------------------------------------------------------------------------------------ decoding
_PLAIN = (bool, int, float, str, type(None))
_DTYPES = {
    str(d): d for d in (np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64)
}
_DTYPES = {np.dtype(d).name: np.dtype(d) for d in _DTYPES.values()}
_TORCH_DTYPES = {str(d): d for d in vars(torch).values() if isinstance(d, torch.dtype)}


def _check(value: Any, depth: int = 0) -> Any:
    if depth > 25:
        raise Refused("the reply is nested too deeply")
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is torch.Tensor:
        if value.layout is not torch.strided or value.device.type != "cpu" or value.is_quantized:
            raise Refused(f"the reply holds a {value.layout} tensor on {value.device}")
        return value
    if kind is list:
        return [_check(v, depth + 1) for v in value]
    if kind is tuple:
        return tuple(_check(v, depth + 1) for v in value)
    if kind is not dict:
        raise Refused(f"the reply holds a {kind.__name__}, not data")
    if not all(type(k) in (str, int) for k in value):
        raise Refused("the reply holds a dict with keys other than strings and integers")
    tag = value.get("__tag__")
    if tag is None:
        return {k: _check(v, depth + 1) for k, v in value.items()}
    if type(tag) is not str:
        raise Refused("the reply holds a malformed tag")
    return _tagged(tag, value)


def _tagged(tag: str, value: dict) -> Any:
    def field(name: str, kind: type | tuple[type, ...]) -> Any:
        item = value.get(name)
        if not isinstance(kind, tuple):
            kind = (kind,)
        if type(item) not in kind:
            raise Refused(f"the reply holds a malformed {tag}")
        return item

    if tag == "handle":
        return Handle(field("id", int), field("type", str)[:200], field("module", bool), field("callable", bool))
    if tag == "refused":
        return NotData(field("what", str)[:200])
    if tag == "ndarray":
        data, dtype = _check(field("data", torch.Tensor)), field("dtype", str)
        if dtype not in _DTYPES:
            raise Refused(f"the reply holds a NumPy array of dtype {dtype[:40]}")
        array = data.numpy().copy()
        if array.dtype != _DTYPES[dtype]:
            raise Refused("the reply holds a NumPy array whose data does not match its dtype")
        return array
    if tag == "numpy-scalar":
        number = field("value", (bool, int, float))
        dtype = field("dtype", str)
        if dtype not in _DTYPES:
            raise Refused(f"the reply holds a NumPy scalar of dtype {dtype[:40]}")
        return _DTYPES[dtype].type(number)
    if tag == "path":
        return Path(field("value", str))
    if tag == "dtype":
        name = field("value", str)
        if name not in _TORCH_DTYPES:
            raise Refused("the reply holds an unknown dtype")
        return _TORCH_DTYPES[name]
    if tag == "device":
        return torch.device(field("value", str)[:40])
    if tag == "Size":
        sizes = field("value", list)
        if not all(type(s) is int for s in sizes):
            raise Refused("the reply holds a malformed torch.Size")
        return torch.Size(sizes)
    raise Refused(f"the reply holds an unknown tag {tag[:40]!r}")


def decode(payload: bytes) -> Any:
    """The reply ``payload`` (``torch.save`` bytes) as checked data; :class:`Refused` otherwise."""
    if len(payload) > REPLY_LIMIT:
        raise Refused(f"the reply is larger than {REPLY_LIMIT // 2**20} MB")
    if payload[:4] == b"PK\x03\x04":  # torch.save's zip: what it unpacks to is bounded too (no zip bomb)
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except (zipfile.BadZipFile, ValueError):
            raise Refused("the reply is not plain data (a damaged archive)") from None
        if unpacked > 2 * REPLY_LIMIT:
            raise Refused(f"the reply unpacks to more than {2 * REPLY_LIMIT // 2**20} MB")
    try:
        reply = torch.load(io.BytesIO(payload), weights_only=True, map_location="cpu")
    except Exception as error:  # noqa: BLE001 (anything that is not plain data)
        first = str(error).strip().splitlines()[0][:160] if str(error).strip() else type(error).__name__
        raise Refused(f"the reply is not plain data ({first})") from None
    if type(reply) is not dict or type(reply.get("ok")) is not bool:
        raise Refused("the reply is malformed")
    if not reply["ok"]:
        kind, message = reply.get("kind"), reply.get("message")
        if type(kind) is not str or type(message) is not str:
            raise Refused("the reply is malformed")
        raise StudentFailure(kind[:20], message[:400])
    return _check(reply.get("value"))


def _encode_inputs(value: Any) -> Any:
    if isinstance(value, Handle):
        return {"__handle__": value.id}
    if type(value) is dict:
        return {k: _encode_inputs(v) for k, v in value.items()}
    if type(value) in (list, tuple):
        return type(value)(_encode_inputs(v) for v in value)
    return value


# ------------------------------------------------------------------------------------ the channel
class Channel:
    """Requests to one kernel through the executor's nbclient client (called from a worker thread)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, execute: Any, lock: TrustedLock | None = None) -> None:
        self.loop = loop
        self._execute = execute  # coroutine function (source, seconds) -> (problem or None, replies)
        self.lock = lock
        self.number = 0
        self.deadline = math.inf
        self.requests = 0
        self.seconds = 0.0
        self.bytes = 0

    def request(self, code: str, inputs: dict[str, Any], seed: int | None = None) -> Any:
        self.number += 1
        message = {"id": self.number, "code": code, "inputs": _encode_inputs(inputs), "seed": seed}
        buffer = io.BytesIO()
        torch.save(message, buffer)
        source = f"{SERVER}.request({base64.b64encode(buffer.getvalue()).decode('ascii')!r})"
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RequestTimeout
        began = time.perf_counter()
        future = asyncio.run_coroutine_threadsafe(self._execute(source, left), self.loop)
        if self.lock is not None:
            with self.lock.waiting():
                problem, replies = future.result()
        else:
            problem, replies = future.result()
        if problem == "timeout":
            raise RequestTimeout
        if problem:
            raise KernelGone(problem)
        self.requests += 1
        self.seconds += time.perf_counter() - began
        mine = [r for r in replies if isinstance(r, dict) and r.get("id") == self.number]
        if not mine:
            raise Refused("the kernel gave no reply (was the grader's request code replaced?)")
        if len(mine) > 1:
            raise Refused("the kernel gave more than one reply to one request")
        payload = mine[0].get("payload")
        if not isinstance(payload, str) or len(payload) > REPLY_LIMIT * 4 // 3 + 8:
            raise Refused("the reply is malformed or too large")
        try:
            raw = base64.b64decode(payload, validate=True)
        except ValueError:
            raise Refused("the reply is not base64") from None
        self.bytes += len(raw)
        return decode(raw)


_CALL = """
def procedure(name, args, kwargs):
    return getattr(student, name)(*args, **kwargs)
"""
_CALL_HANDLE = """
def procedure(target, args, kwargs):
    return target(*args, **kwargs)
"""


class Remote:
    """``ctx.student``: the student's functions and classes, called in the kernel through :class:`Channel`.

    ``ctx.student.NAME(*args, **kwargs)`` calls the notebook's ``NAME`` with the arguments
    (tensors and plain values as data, :class:`Handle` for kernel objects, other objects
    pickled into the kernel) and returns the result as checked data or a :class:`Handle`.
    ``ctx.student.run(code, **inputs)`` runs a grader procedure ``procedure(**inputs)`` in
    the kernel, where ``student.NAME`` is the notebook's ``NAME``.
    """

    def __init__(self, channel: Channel) -> None:
        self._channel = channel

    def run(self, code: str, seed: int | None = None, **inputs: Any) -> Any:
        return self._channel.request(textwrap.dedent(code), inputs, seed)

    def call(self, target: Handle, *args: Any, **kwargs: Any) -> Any:
        """Call a kernel object (a returned transform, callback or module)."""
        return self.run(_CALL_HANDLE, target=target, args=list(args), kwargs=kwargs)

    def put(self, *objects: Any) -> list[Handle]:
        """Copies of grader-built objects in the kernel (one pickle: shared parameters stay shared); their handles."""
        handles = self.run("def procedure(objects):\n    return list(objects)\n", objects=list(objects))
        if not all(isinstance(h, Handle) for h in handles):
            raise Refused("the kernel did not keep the objects it was given")
        return handles

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, seed: int | None = None, **kwargs: Any) -> Any:
            return self.run(_CALL, seed=seed, name=name, args=list(args), kwargs=kwargs)

        return call


class TrustedLock:
    """One hidden case at a time computes in the grader's process (torch's and NumPy's random state are global).

    The lock is let go while a case waits for its kernel, and the case's own random state is
    put back when it resumes, so cases of other students run meanwhile without changing it.
    Whatever the reference prints while the lock is held is dropped (``sys.stdout`` is the
    process's: only the holder of the lock replaces it, and puts it back before letting go).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._outer: Any = None

    def hold(self) -> None:
        self._lock.acquire()
        self._outer, sys.stdout = sys.stdout, io.StringIO()

    def let_go(self) -> None:
        sys.stdout = self._outer
        self._lock.release()

    def __enter__(self) -> None:
        self.hold()

    def __exit__(self, *exc: object) -> None:
        self.let_go()

    def waiting(self) -> _Waiting:
        return _Waiting(self)


class _Waiting:
    def __init__(self, lock: TrustedLock) -> None:
        self._lock = lock

    def __enter__(self) -> None:
        import random

        self._state = (torch.get_rng_state(), random.getstate(), np.random.get_state(), torch.get_default_dtype())
        self._grad = torch.is_grad_enabled()
        self._lock.let_go()

    def __exit__(self, *exc: object) -> None:
        import random

        self._lock.hold()
        torch.set_rng_state(self._state[0])
        random.setstate(self._state[1])
        np.random.set_state(self._state[2])
        torch.set_default_dtype(self._state[3])
        torch.set_grad_enabled(self._grad)
