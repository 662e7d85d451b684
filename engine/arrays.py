"""The numpy array types the engine passes around, named once.

Why: every module used to spell its own ``Int64Array = NDArray[np.int64]`` (nine copies);
one definition keeps the names and their meaning the same everywhere (engine, audit, api).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = ["BoolArray", "Float64Array", "Int64Array", "UInt8Array", "UInt32Array", "UInt64Array"]

Int64Array: TypeAlias = NDArray[np.int64]
Float64Array: TypeAlias = NDArray[np.float64]
BoolArray: TypeAlias = NDArray[np.bool_]
UInt8Array: TypeAlias = NDArray[np.uint8]
UInt32Array: TypeAlias = NDArray[np.uint32]
UInt64Array: TypeAlias = NDArray[np.uint64]
