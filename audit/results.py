"""What the verifier knows about result files: which are data, which are renderings, and which row is whose.

One place for the rules that verify, replay and receipts share:

* a result table names its applicant in the first of :data:`ID_COLUMNS` its header has;
* a result file whose name ends in ``.png`` is a *rendering* (``chart.png``): a picture drawn
  from data files that are published beside it. Its hash is signed like every result file's
  (verify step 7), but replay (step 9) does not compare its bytes, because another matplotlib,
  FreeType or zlib draws the same data into different bytes while nothing was tampered with.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from typing import Any

__all__ = ["ID_COLUMNS", "RENDERING_SUFFIXES", "csv_table", "id_column", "is_rendering", "rows_index", "rows_of"]

ID_COLUMNS = ("application_number", "applicant_id", "student_id", "id")
RENDERING_SUFFIXES = (".png",)


def is_rendering(name: str) -> bool:
    """Whether result file ``name`` is an image rendered from the data files (not compared by replay)."""
    return name.lower().endswith(RENDERING_SUFFIXES)


def id_column(header: Sequence[str]) -> int | None:
    """Index of the applicant id column of a result table (first of :data:`ID_COLUMNS` present), or None."""
    return next((header.index(c) for c in ID_COLUMNS if c in header), None)


def csv_table(text: str, wanted: tuple[str, ...] = (), chunk: int = 1 << 22
              ) -> tuple[list[str], Iterator[list[list[str]]]]:
    """The header and the data rows of a CSV file, as ``csv.reader`` reads them, a few megabytes at a time.

    Without quotes, carriage returns, NULs or blank lines, a CSV line is its fields joined by ","
    and the file is its lines each ended by "\\n" (the last one possibly not), so the rows come by
    plain splitting; anything else goes through the csv module. Given ``wanted`` column names, data
    rows are split only as far as the last of those columns in the header (later fields may come
    back unsplit; the header is whole). Rows come in chunks so that a million-row file never has
    all its row objects alive at once (fresh memory is a large part of the cost).
    """
    if '"' in text or "\r" in text or "\x00" in text or "\n\n" in text or text.startswith("\n"):
        reader = csv.reader(io.StringIO(text))
        rows_per_chunk = 1 << 16
        return next(reader, []), iter(lambda: list(islice(reader, rows_per_chunk)), [])
    end = text.find("\n")
    if end < 0:
        end = len(text)
    header = text[:end].split(",") if text else []
    upto = max((header.index(c) for c in wanted if c in header), default=-1) + 1

    last = len(text) - 1 if text.endswith("\n") else len(text)  # where the last line ends

    def chunks() -> Iterator[list[list[str]]]:
        start = end + 1
        while start < last:
            stop = text.find("\n", start + chunk, last)
            if stop < 0:
                stop = last
            lines = text[start:stop].split("\n")
            yield [line.split(",", upto) for line in lines] if upto else [line.split(",") for line in lines]
            start = stop + 1

    return header, chunks()


def rows_index(results: Mapping[str, bytes]) -> dict[str, list[dict[str, Any]]]:
    """Every applicant's rows of the result CSVs, by the id column (:func:`id_column`) value.

    Each row as ``{"file", "line" (1-based, the header is line 1), "header", "row"}``, files in
    name order: what a receipt carries. Files that are not UTF-8 CSV tables with an id column
    are skipped (they name nobody). Built once per run by the HTTP lookup; :func:`rows_of` for one.
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for name, data in sorted(results.items()):
        if not name.endswith(".csv"):
            continue
        try:
            table = list(csv.reader(io.StringIO(data.decode("utf-8"))))
        except (UnicodeDecodeError, csv.Error):
            continue
        col = id_column(table[0]) if table else None
        if col is None:
            continue
        for i, row in enumerate(table[1:]):
            if len(row) > col:
                out.setdefault(row[col], []).append({"file": name, "line": i + 2, "header": table[0], "row": row})
    return out


def rows_of(results: Mapping[str, bytes], applicant_id: str) -> list[dict[str, Any]]:
    """Every row of a result CSV that names ``applicant_id`` (see :func:`rows_index`)."""
    return rows_index(results).get(applicant_id, [])
