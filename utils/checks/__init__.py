"""Self-checks the question notebooks call after each part: ``checks.check_<thing>(...)``.

Each check prints one line ``✓ <part> <what>`` when the answer is right, and raises
``AssertionError("✗ <part>: <hint>")`` when it is not (``NotImplementedError`` naming the
part while the answer is still a stub). It runs the student's code under a time limit,
leaves the notebook's random streams, default dtype and grad mode as they were, and never
holds the answer. One module per question; the shared machinery is in ``_core``.
"""

from ._core import as_number, call_student, expect, expect_close, passed, self_check  # noqa: F401
from .q01 import *
from .q02 import *
from .q03 import *
