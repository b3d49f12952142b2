"""Small helpers for the archive's SQL: work in batches, and the ``?`` marks of an IN list."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Values bound per IN (...) list: SQLite before 3.32 binds at most 999 in one statement, and a
# query may bind a few more values beside the list.
SQL_BATCH = 500


def batched(values: Sequence[T], size: int = SQL_BATCH) -> Iterator[Sequence[T]]:
    """Yield consecutive slices of ``values`` holding at most ``size`` each.

    >>> list(batched([1, 2, 3, 4, 5], 2))
    [[1, 2], [3, 4], [5]]
    """
    for start in range(0, len(values), size):
        yield values[start:start + size]


def placeholders(values: Sequence) -> str:
    """Return the ``?, ?, ...`` that bind ``values`` in an IN list."""
    return ", ".join("?" * len(values))
