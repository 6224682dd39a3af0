"""Self-checks for question 3 (`notebooks/hw08-q03.ipynb`)."""

from __future__ import annotations

__all__: list[str] = []
