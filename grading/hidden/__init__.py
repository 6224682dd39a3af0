"""Hidden cases: every graded part run again on inputs, seeds and models the self-checks never use.

Instructor-only (never in the handout). ``CASES`` maps a part id to its cases; each
compares the student's functions with the solution notebook's (``ctx.reference``) or
checks their behaviour. See ``_registry`` for what a case is and receives.
"""

from . import q01, q02, q03  # noqa: F401 (registers the cases)
from ._registry import CASES, Case, Context, MissingName, Names, case, uses_by_part

__all__ = ["CASES", "Case", "Context", "MissingName", "Names", "case", "uses_by_part"]
