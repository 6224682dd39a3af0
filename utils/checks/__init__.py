"""Self-checks the question notebooks call after each part: ``checks.check_<thing>(...)``.

Each check prints one line ``✓ <part> <what>`` when the answer is right, and raises
``AssertionError`` with a hint when it is not (``NotImplementedError`` naming the part
when the answer is still a stub). One module per question.
"""

from ._core import call_student, expect, expect_close, passed
from .q01 import *  # noqa: F401,F403
from .q02 import *  # noqa: F401,F403
from .q03 import *  # noqa: F401,F403
