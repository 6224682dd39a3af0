"""Self-checks for question 2 (`notebooks/hw08-q02.ipynb`)."""

from __future__ import annotations

__all__: list[str] = []
