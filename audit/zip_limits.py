"""Size limits for the zip files Sunshine opens (bundle.zip, .xlsx workbooks), checked before inflating.

A zip bomb is a small zip whose members inflate to gigabytes (or, with overlapping members, to
far more than the archive could hold). :mod:`zipfile` never inflates a member past the size its
central directory declares (``ZipExtFile`` stops there and a short member fails its CRC-32), so
checking the *declared* sizes up front bounds what reading can ever allocate: the count of
members, the size of each, the total, and the ratio of a large member's size to its compressed
size. The limits are far above any real file (docs/input.md § Limits, docs/bundle.md) and a file
beyond them is refused with a message naming the member, before anything is inflated.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

__all__ = ["BUNDLE_ZIP_LIMITS", "XLSX_ZIP_LIMITS", "ZipLimits", "zip_size_problem"]


@dataclass(frozen=True)
class ZipLimits:
    """What a zip may declare: ``members`` entries, each at most ``member_bytes`` and all together at most
    ``total_bytes`` inflated; a member larger than ``ratio_from`` bytes at most ``max_ratio`` times its
    compressed size."""

    members: int
    member_bytes: int
    total_bytes: int
    max_ratio: int
    ratio_from: int = 1 << 20


MiB = 1 << 20

#: A bundle of a 1,000,000-applicant run is ~100 MB zipped and ~450 MB inflated (roster.jsonl and
#: results; benchmarks/RESULTS.md), compressed 3–6×; a bundle has ~15 files plus the result files.
BUNDLE_ZIP_LIMITS = ZipLimits(members=1_000, member_bytes=2048 * MiB, total_bytes=4096 * MiB, max_ratio=200)

#: A workbook of the largest district's 200,000 applicants × 40 columns inflates to ~300 MB of sheet
#: XML (sheet XML compresses 5–20×; a sheet of blank styled cells up to ~100×).
XLSX_ZIP_LIMITS = ZipLimits(members=10_000, member_bytes=1024 * MiB, total_bytes=1536 * MiB, max_ratio=400)


def zip_size_problem(zf: zipfile.ZipFile, limits: ZipLimits) -> tuple[str, str] | None:
    """``(zh, en)`` naming the first declared size beyond ``limits``, or ``None`` when every size is within them."""
    infos = zf.infolist()
    if len(infos) > limits.members:
        return (f"压缩包有 {len(infos)} 个文件，超过上限 {limits.members}",
                f"the zip holds {len(infos)} members, more than the limit of {limits.members}")
    total = 0
    for info in infos:
        size = info.file_size
        if size > limits.member_bytes:
            return (f"{info.filename} 解压后 {size} 字节，超过单个文件上限 {limits.member_bytes}",
                    f"{info.filename} inflates to {size} bytes, more than the limit of {limits.member_bytes} a member")
        if size > limits.ratio_from and size > limits.max_ratio * max(info.compress_size, 1):
            return (f"{info.filename} 压缩比 {size // max(info.compress_size, 1)}:1 超过上限 {limits.max_ratio}:1"
                    "（疑似压缩炸弹）",
                    f"{info.filename} inflates {size // max(info.compress_size, 1)}:1, more than the limit of "
                    f"{limits.max_ratio}:1 (a zip bomb?)")
        total += size
        if total > limits.total_bytes:
            return (f"压缩包解压后超过 {limits.total_bytes} 字节的上限",
                    f"the zip inflates to more than the limit of {limits.total_bytes} bytes")
    return None
