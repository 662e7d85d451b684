"""Lists of strings held as codes into their distinct values (a city's choice lists: 10M cells, 1,000 codes).

Why (issue 12): reading a million choice lists, committing them and laying out the market each
went through the 10 million strings again (type checks, UTF-8 joins, a dict look-up per cell).
The readers (the applicants file's ingest, verify's roster parser) already hold every cell as a
code into a small list of distinct values; a :class:`CodedLists` hands those codes on, and each
consumer works on the distinct values once and on the codes as arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.arrays import Int64Array

__all__ = ["CodedLists"]


@dataclass(frozen=True)
class CodedLists:
    """List ``i`` is ``[values[c] for c in codes[offsets[i]:offsets[i + 1]]]`` (``offsets`` has one entry more)."""

    offsets: Int64Array
    codes: Int64Array
    values: Sequence[str]

    def __len__(self) -> int:
        return int(self.offsets.shape[0]) - 1

    def take(self, order: Sequence[int] | Int64Array) -> CodedLists:
        """The lists in ``order`` (``order[j]`` is the list that comes ``j``-th)."""
        at = np.asarray(order, dtype=np.int64)
        lens = np.diff(self.offsets)[at]
        offsets = np.zeros(at.shape[0] + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        gather = np.repeat(self.offsets[:-1][at] - offsets[:-1], lens) + np.arange(int(offsets[-1]), dtype=np.int64)
        return CodedLists(offsets, self.codes[gather], self.values)

    def indices(self, index: Mapping[str, int]) -> tuple[Int64Array, Int64Array]:
        """CSR arrays ``(offsets, index[value] of every cell)``; ``KeyError`` for the first cell not in ``index``."""
        remap = np.array([index.get(v, -1) for v in self.values], dtype=np.int64)
        flat = remap[self.codes]
        missing = np.flatnonzero(flat < 0)
        if missing.size:
            raise KeyError(self.values[int(self.codes[missing[0]])])
        return self.offsets.astype(np.int64, copy=False), flat
