"""Self-checks for question 1 (`notebooks/hw08-q01.ipynb`)."""

from __future__ import annotations

__all__: list[str] = []
