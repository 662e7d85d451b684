"""Arrow arrays built from and read as buffers (api.csv_grid) against pyarrow's own conversions.

The ingest builds its arrays with ``text_array``/``text_scalar`` and reads boolean and
integer results with ``numpy_values``, because pyarrow's Python conversions import pandas
(issue 12). They must be the very arrays and values pyarrow's conversions give.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from api.csv_grid import numpy_values, text_array, text_scalar

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)


@settings(deadline=None)  # the first pa.array call imports pandas
@given(st.lists(TEXT, max_size=30))
def test_text_array_is_pa_array(values: list[str]) -> None:
    built = text_array(values)
    assert built.equals(pa.array(values, type=pa.string()))
    assert built.to_pylist() == values


@settings(deadline=None)  # the first pa.array call imports pandas
@given(TEXT)
def test_text_scalar_is_pa_scalar(value: str) -> None:
    assert text_scalar(value).equals(pa.scalar(value, pa.string()))


INT_TYPES = st.sampled_from([pa.int8(), pa.int32(), pa.int64(), pa.uint16(), pa.uint32()])


@settings(deadline=None)  # the first pa.array call imports pandas
@given(st.lists(st.none() | st.integers(0, 100), max_size=40), INT_TYPES, st.integers(0, 5), st.integers(-1, 3))
def test_numpy_values_of_integers(values: list[int | None], kind: pa.DataType, start: int, fill: int) -> None:
    assume(fill >= 0 or pa.types.is_signed_integer(kind))
    array = pa.array(values, type=kind).slice(start)
    expected = [fill if v is None else v for v in array.to_pylist()]
    out = numpy_values(array, fill=fill)
    assert out.tolist() == expected
    assert out.dtype == np.dtype(kind.to_pandas_dtype())


@settings(deadline=None)  # the first pa.array call imports pandas
@given(st.lists(st.none() | st.booleans(), max_size=40), st.integers(0, 9))
def test_numpy_values_of_booleans(values: list[bool | None], start: int) -> None:
    array = pa.array(values, type=pa.bool_()).slice(start)
    out = numpy_values(array)
    assert out.dtype == np.bool_
    assert out.tolist() == [bool(v) for v in array.to_pylist()]


@settings(deadline=None)  # the first pa.array call imports pandas
@given(st.lists(TEXT, min_size=1, max_size=20), st.lists(TEXT, max_size=5))
def test_numpy_values_of_compute_results(values: list[str], known: list[str]) -> None:
    items = text_array(values)
    index = pc.index_in(items, value_set=pa.array(known, type=pa.string()))
    expected = [-1 if v is None else v for v in index.to_pylist()]
    assert numpy_values(index, fill=-1).tolist() == expected
    assert numpy_values(pc.equal(items, text_scalar(""))).tolist() == [v == "" for v in values]


def test_reading_an_applicants_table_imports_no_pandas() -> None:
    code = ("import sys; from api.inputs import InputFile; from api.runs.lottery import prepare_lottery; "
            "prepare_lottery(InputFile('s.csv', '学校代码,招生计划\\nS1,2\\n'.encode()), "
            "InputFile('a.csv', '报名号,志愿,优先\\nA1,S1,S1:0\\nA2,S1,\\n'.encode())); "
            "print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
