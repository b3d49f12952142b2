"""A bounded cache of text work done per item (sentence splits and stems, story shingles).

The same items answer many questions, and splitting and stemming their text was most of the
time `ask` spent outside the model (docs/performance.md). Entries are keyed by the item's id and
a hash of the text they were made from, so an item re-imported with new text is worked again.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


class TextCache:
    """The ``size`` most recently used results of text work, by key.

    >>> cache = TextCache(2)
    >>> cache.get(("a", 1), lambda: "worked")
    'worked'
    """

    def __init__(self, size: int):
        self.size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The cached result for ``key``, made by ``make()`` on a miss."""
        try:
            self._entries.move_to_end(key)
            return self._entries[key]  # type: ignore[return-value]
        except KeyError:
            value = self._entries[key] = make()
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return value
