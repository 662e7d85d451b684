"""Compare a run's ``--out`` folder with its bundle: the copies a clerk posts must be the bundle's bytes.

``sunshine verify OUT_DIR`` proves the bundle in ``OUT_DIR/bundle/`` (steps 1–10 of
:mod:`audit.verify`); :func:`verify_out_folder` is step 11, ``out-folder``, which extends
that proof to every other file of the folder, classified by this rule (paths relative to
the folder, ``/``-separated):

* ``bundle/…``      the bundle itself (proven by steps 1–10);
* ``bundle.zip``    must hold exactly the files of ``bundle/``, each with the same bytes;
* ``private/…`` and ``audit-private/…``  never public, never in the bundle: listed as not
  checked (they may also be absent — a clerk should not post them);
* ``PRACTICE.txt``  must be byte-identical to the bundle's ``PRACTICE.txt``;
* ``.sunshine-result``  the folder's own label (:data:`RESULT_MARKER`: which run wrote it), not a result: skipped;
* any other file    ``NAME`` is checked against the bundle's ``results/NAME``: it must be
  byte-identical; every public file of the bundle must be in the folder. A file the bundle
  has no copy of (e.g. a list with names rendered for posting, like the classes kind's
  ``placement.csv``, or anything added by hand) is proven by nothing: it is listed by name
  as NOT proven, so a reader sees it, and the verdict does not cover it.

Pure: both sides come in as name → bytes; the caller reads the folder.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from audit.bundle import read_zip
from audit.errors import BundleError, VerificationError
from audit.step_line import StepLine
from audit.verify import first_difference

__all__ = ["OUT_FOLDER_STEP", "PRIVATE_PREFIXES", "RESULT_MARKER", "public_counterpart", "verify_out_folder"]

#: The marker file every result folder carries (written by api.store.result_folder), so that a later run
#: replaces only folders of ours.
RESULT_MARKER = ".sunshine-result"

OUT_FOLDER_STEP = "out-folder"
PRIVATE_PREFIXES = ("private/", "audit-private/")
_BUNDLE_DIR = "bundle/"
_ZIP = "bundle.zip"
_TOP_LEVEL_BUNDLE_FILES = ("PRACTICE.txt",)  # bundle files also written at the top of --out


def public_counterpart(name: str) -> str | None:
    """The bundle file that folder file ``name`` must equal; ``None`` for the bundle, the zip and private files."""
    if name.startswith((_BUNDLE_DIR, *PRIVATE_PREFIXES)) or name in (_ZIP, RESULT_MARKER):
        return None
    return name if name in _TOP_LEVEL_BUNDLE_FILES else f"results/{name}"


def _fail(item: str, zh: str, en: str) -> VerificationError:
    return VerificationError(OUT_FOLDER_STEP, item, zh, en)


def verify_out_folder(bundle_files: Mapping[str, bytes], folder_files: Mapping[str, bytes]) -> Iterator[StepLine]:
    """Yield one line if every public file of the folder is the bundle's copy; else raise VerificationError.

    ``bundle_files``: the verified bundle (``bundle/`` of the folder), name → bytes.
    ``folder_files``: every file of the folder outside ``bundle/``, by relative path.
    """
    expected = {n: n if n in _TOP_LEVEL_BUNDLE_FILES else n[len("results/"):]
                for n in bundle_files if n.startswith("results/") or n in _TOP_LEVEL_BUNDLE_FILES}
    wanted = {folder_name: bundle_name for bundle_name, folder_name in expected.items()}
    compared: list[str] = []
    unproven: list[str] = []
    for name in sorted(set(folder_files) | set(wanted)):
        counterpart = public_counterpart(name)
        if counterpart is None:
            continue
        if name not in folder_files:
            raise _fail(name, "公开文件缺失（数据包中有）",
                        f"public file missing from the folder (the bundle has {counterpart})")
        if counterpart not in bundle_files:
            unproven.append(name)
            continue
        if folder_files[name] != bundle_files[counterpart]:
            detail = first_difference(name, bundle_files[counterpart], folder_files[name])
            raise _fail(name, f"与数据包中的 {counterpart} 不一致（文件被改动）：{detail}",
                        f"differs from the bundle's {counterpart} (the posted copy was changed): {detail}")
        compared.append(name)
    if _ZIP not in folder_files:
        raise _fail(_ZIP, "缺少 bundle.zip", "bundle.zip missing from the folder")
    try:
        zipped = read_zip(folder_files[_ZIP])
    except BundleError as exc:
        raise _fail(_ZIP, exc.message_zh, exc.message_en) from exc
    for member in sorted(set(zipped) | set(bundle_files)):
        if zipped.get(member) != bundle_files.get(member):
            what = "missing from" if member not in zipped else "not in bundle/ but in" if member not in bundle_files \
                else "differs between bundle/ and"
            raise _fail(f"{_ZIP}:{member}", "bundle.zip 与 bundle/ 不一致", f"{member} {what} bundle.zip")
    unchecked = sorted(n for n in folder_files if n.startswith(PRIVATE_PREFIXES))
    private = f"; not public, not checked: {', '.join(unchecked)}" if unchecked else ""
    private_zh = f"；非公开文件，未核对：{'、'.join(unchecked)}" if unchecked else ""
    extra = f"; NOT proven (the bundle has no copy): {', '.join(unproven)}" if unproven else ""
    extra_zh = f"；未能证明（数据包中没有副本）：{'、'.join(unproven)}" if unproven else ""
    yield StepLine(f"{OUT_FOLDER_STEP}: {len(compared)} public file(s) identical to the bundle's "
                   f"({', '.join(compared)}); bundle.zip holds bundle/'s {len(zipped)} file(s) byte for byte"
                   f"{private}{extra}",
                   f"结果文件夹：{len(compared)} 个公开文件与数据包中的逐字节相同（{'、'.join(compared)}）；"
                   f"bundle.zip 与 bundle/ 的 {len(zipped)} 个文件逐字节相同{private_zh}{extra_zh}")
