"""``bundle.zip``'s own container writer gives the bytes :mod:`zipfile` gives, whatever thread deflated a member.

:mod:`zipfile` (``writestr`` of a ``ZipInfo`` with the bundle's fixed time, mode and system,
deflate at the level) stays the reference; members are generated (empty, text, binary,
repetitive, non-ASCII names) and zipped without a worker, with one, and with some members
started early, in any order.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.bundle import ZIP_LEVEL, read_zip, zip_bytes
from audit.zip_writer import deflater, zip_archive


def _zipfile(files: dict[str, bytes], level: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            zf.writestr(info, files[name], compresslevel=level)
    return buf.getvalue()


_names = st.text(st.sampled_from(list("abcz/._-0名单结果")), min_size=1, max_size=20).filter(
    lambda n: not n.endswith("/"))
_data = st.one_of(st.binary(max_size=3000), st.text(max_size=2000).map(str.encode),
                  st.tuples(st.binary(min_size=1, max_size=20), st.integers(1, 5000)).map(lambda t: t[0] * t[1]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_names, _data, max_size=8), st.sampled_from([1, 6, 9]), st.data())
def test_zip_equals_zipfile(files: dict[str, bytes], level: int, data: st.DataObject) -> None:
    expected = _zipfile(files, level)
    assert zip_bytes(files, level=level) == expected
    early = data.draw(st.lists(st.sampled_from(sorted(files)), unique=True) if files else st.just([]))
    with deflater(level) as members:
        for name in early:
            members.start(name, files[name])
        assert zip_bytes(files, level=level, members=members) == expected
    assert read_zip(expected) == files


def test_a_member_started_with_other_bytes_is_refused() -> None:
    files = {"roster.jsonl": b"a\n" * 100}
    with deflater(ZIP_LEVEL) as members:
        members.start("roster.jsonl", b"b\n" * 100)
        with pytest.raises(ValueError, match="not the member zipped"):
            zip_archive(files, members)


def test_members_deflated_at_another_level_are_refused() -> None:
    with deflater(6) as members, pytest.raises(ValueError, match="level 6"):
        zip_bytes({"a": b"x"}, level=1, members=members)
