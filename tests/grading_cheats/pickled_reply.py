"""A reply that is a pickle of an object whose __reduce__ writes a file, if the grader ever unpickled it."""

# notebook: hw08-q01.ipynb
# answered: share_and_copy hwc_to_nchw flatten_images normalize_channels
# after: numerical_grad
# scores: 1.1
import base64 as _base64
import builtins as _builtins
import io as _io
import pickle as _pickle

import torch as _torch
from IPython.display import display as _display

MARKER = "/tmp/hw08-grading-cheat-marker"


class _Payload:
    def __reduce__(self):
        return (_builtins.open, (MARKER, "w"))  # IPython's own open() would not pickle


def _answer(payload):
    message = _torch.load(_io.BytesIO(_base64.b64decode(payload)), weights_only=False)
    value = {"ok": True, "value": _Payload()}
    data = _pickle.dumps(value) if message["id"] % 2 else _torch_save(value)  # a raw pickle, then torch.save's
    _display(
        {"application/vnd.hw08.reply+json": {"id": message["id"], "payload": _base64.b64encode(data).decode()}},
        raw=True,
    )


def _torch_save(value):
    buffer = _io.BytesIO()
    _torch.save(value, buffer)
    return buffer.getvalue()


globals()["_hw08_serve"].request = _answer
