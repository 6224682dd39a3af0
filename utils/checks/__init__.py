"""Self-checks the question notebooks call after each part: ``checks.check_<thing>(...)``.

Each check prints one line ``✓ <part> <what>`` when the answer is right, and raises
``AssertionError`` with a hint when it is not (``NotImplementedError`` naming the part
when the answer is still a stub). One module per question.
"""

from ._core import call_checked, call_student, expect, expect_close, first_line, passed  # noqa: F401
from .q01 import *
from .q02 import *
from .q03 import *
