"""Applicant receipts: one applicant's roster inclusion proof and result, checkable alone.

A receipt (``sunshine-receipt/v2``) carries the signed checkpoint, the log entry that
froze the roster with its inclusion proof in the log tree, the applicant's roster leaf
with its inclusion proof in the roster tree, optionally the salt and private fields
(so the applicant can see their own name/ID was committed), the ``run.execute`` entry
with the result-file hashes and the root of the result rows tree (:mod:`audit.result_rows`),
and the applicant's result rows (each a CSV header/row pair from a result file,
:func:`audit.results.rows_of`) with each row's leaf index and inclusion proof in that tree:
:func:`verify_receipt` checks every proof against the signed root and that each row's id
column is this applicant, so a receipt cannot show another school or another child's row.
A withdrawn applicant's receipt carries the signed ``roster.withdraw`` entry instead of rows
and says "withdrawn". A ``v1`` receipt, or one from a run whose ``run.execute`` signs no rows
root, cannot prove its rows and fails at the ``results`` step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from audit.canonical import canonical_bytes, record_hash
from audit.ceremony import run_origin
from audit.errors import NotInRun, ProofError, VerificationError
from audit.log import AuditLog, LogEntry
from audit.merkle import MerkleTree, leaf_hash, leaf_hashes, verify_inclusion
from audit.result_rows import ResultRows, leaf_hash_of
from audit.results import id_column
from audit.roster import private_commitment
from audit.signing import Verifier, open_note, parse_checkpoint
from audit.step_line import StepLine
from audit.verify import parse_json_lines
from engine.errors import SunshineError

__all__ = ["RECEIPT_FORMAT", "RECEIPT_STEPS", "ReceiptMaker", "make_receipt", "verify_receipt"]

RECEIPT_FORMAT = "sunshine-receipt/v2"
_OLD_FORMATS = ("sunshine-receipt/v1",)  # read, so that they fail at the step that cannot prove them
RECEIPT_STEPS = ("signatures", "log", "roster", "private", "results")


def _entry_proof(log: AuditLog, tree: MerkleTree, action: str, idx: int | None = None) -> dict[str, Any]:
    if idx is None:
        idx = next(i for i, e in enumerate(log.entries) if e.action == action)
    return {
        "index": idx,
        "entry": log.entries[idx].as_dict(),
        "payload": log.payloads[idx],
        "proof": [p.hex() for p in tree.inclusion_proof(idx)],
    }


class ReceiptMaker:
    """Receipts of one verified run, many at a time: the log and roster trees are built once.

    The HTTP lookup answers thousands of applicants from one run; building the roster tree
    per receipt would cost a whole tree each time. ``roster_jsonl`` is ``roster.jsonl`` exactly
    as published: the bundle verified that the tree of its lines is the frozen root, so they
    are the leaves' canonical bytes and are hashed as they are, in one batch. A leaf is parsed
    only when its receipt is made, so a million-line roster is held as its bytes, not as a
    million dicts. ``index_of`` maps an applicant id to its leaf. The result rows tree of
    ``results`` (the bundle's verified result files) is built once too, for every row's proof.
    """

    def __init__(self, *, manifest: dict[str, Any], checkpoint: str, log_keys: list[str], log: AuditLog,
                 roster_jsonl: bytes, results: Mapping[str, bytes]) -> None:
        self.manifest = manifest
        self.checkpoint = checkpoint
        self.log_keys = log_keys
        self.lines = roster_jsonl.split(b"\n")[:-1]
        ids = parse_json_lines(roster_jsonl)
        if ids is None or len(ids) != len(self.lines):
            raise ProofError("名单文件不是每行一个 JSON 值", "roster.jsonl is not one JSON value per line")
        self.index_of = {str(leaf["record"]["id"]): i for i, leaf in enumerate(ids)}
        log_tree = MerkleTree(log.leaf_hashes())
        self._freeze = _entry_proof(log, log_tree, "roster.freeze")
        self._execute = _entry_proof(log, log_tree, "run.execute")
        self._roster_tree = MerkleTree(leaf_hashes(self.lines))
        self._rows = ResultRows.of(results)
        self._log, self._log_tree = log, log_tree
        self._withdrawn = {str(p["id"]): i for i, (e, p) in enumerate(zip(log.entries, log.payloads, strict=True))
                           if e.action == "roster.withdraw" and isinstance(p, dict)}

    def _row(self, row: dict[str, Any]) -> dict[str, Any]:
        index, proof = self._rows.proof(row["file"], row["line"])
        return {**row, "index": index, "proof": proof}

    def receipt(self, applicant_id: str, result_rows: list[dict[str, Any]],
                private: dict[str, Any] | None) -> dict[str, Any]:
        """``applicant_id``'s receipt (raises :class:`NotInRun` when the roster does not hold them)."""
        index = self.index_of.get(applicant_id)
        if index is None:
            raise NotInRun(applicant_id)
        return {
            "format": RECEIPT_FORMAT,
            "applicant_id": applicant_id,
            "kind": self.manifest["kind"],
            "run_id": self.manifest["run_id"],
            "practice": self.manifest["practice"],
            "checkpoint": self.checkpoint,
            "log_keys": self.log_keys,
            "roster_freeze": self._freeze,
            "execute": self._execute,
            "roster": {
                "index": index,
                "size": len(self.lines),
                "leaf": json.loads(self.lines[index]),
                "proof": [p.hex() for p in self._roster_tree.inclusion_proof(index)],
            },
            "salt": private["salt"] if private else None,
            "private": private["private"] if private else None,
            "withdrawn": (_entry_proof(self._log, self._log_tree, "roster.withdraw", self._withdrawn[applicant_id])
                          if applicant_id in self._withdrawn else None),
            "results": [self._row(row) for row in result_rows],
        }


def make_receipt(
    *,
    applicant_id: str,
    manifest: dict[str, Any],
    checkpoint: str,
    log_keys: list[str],
    log: AuditLog,
    roster_jsonl: bytes,
    results: Mapping[str, bytes],
    result_rows: list[dict[str, Any]],
    private: dict[str, Any] | None,
) -> dict[str, Any]:
    """One receipt (:class:`ReceiptMaker` for many from the same run)."""
    maker = ReceiptMaker(manifest=manifest, checkpoint=checkpoint, log_keys=log_keys, log=log,
                         roster_jsonl=roster_jsonl, results=results)
    return maker.receipt(applicant_id, result_rows, private)


def verify_receipt(receipt: dict[str, Any], trusted_keys: list[Verifier] | None) -> Iterator[StepLine]:
    """Yield one line per step that holds; raise :class:`VerificationError` at the first failure.

    After a ``format`` check, the steps of :data:`RECEIPT_STEPS`:
    (1) ``signatures``: the checkpoint is signed by a trusted key, and its origin is the log
    origin of the receipt's run id, kind and practice flag;
    (2) ``log``: the ``roster.freeze`` and ``run.execute`` entries (with those actions) are in
    the checkpointed log tree, and their payloads hash to the entries;
    (3) ``roster``: the applicant's leaf is in the frozen roster tree;
    (4) ``private``: salt + private fields recompute the leaf's private commitment (if present);
    (5) ``results``: every result row is leaf ``index`` of the result rows tree whose root is
    signed in ``run.execute`` (inclusion proof; the index is the row's file and line), and its
    id column names this applicant; or, with no rows, the applicant's ``roster.withdraw`` entry
    is in the signed log. A v1 receipt or a run without a rows root fails here.
    A malformed receipt (missing field, wrong type) fails at the step that reads it, never
    with a raw crash.
    """
    held = 0
    try:
        for line in _receipt_steps(receipt, trusted_keys):
            yield line
            held += 1
    except VerificationError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, SunshineError) as exc:
        step = RECEIPT_STEPS[held]
        raise VerificationError(step, "receipt", f"回执格式错误（{exc!r}）", f"malformed receipt ({exc!r})") from exc


def _receipt_steps(receipt: dict[str, Any], trusted_keys: list[Verifier] | None) -> Iterator[StepLine]:
    if not isinstance(receipt, dict) or receipt.get("format") not in (RECEIPT_FORMAT, *_OLD_FORMATS):
        raise VerificationError("format", "receipt", "不是回执文件", "not a Sunshine receipt")
    applicant_id = receipt["applicant_id"]
    keys = trusted_keys if trusted_keys is not None else [Verifier.from_vkey(k) for k in receipt["log_keys"]]
    # (1)
    text, signers = open_note(receipt["checkpoint"], keys, step="signatures")
    cp = parse_checkpoint(text, step="signatures")
    origin = run_origin(str(receipt["kind"]), str(receipt["run_id"]), bool(receipt["practice"]))
    if cp.origin != origin or not isinstance(receipt["practice"], bool):
        raise VerificationError("signatures", "checkpoint",
                                f"签名检查点属于 {cp.origin}，不是回执所写的运行 {origin}",
                                f"the signed checkpoint is of {cp.origin!r}, not of the receipt's run "
                                f"(run id, kind and practice flag say {origin!r})")
    pinned = "pinned key" if trusted_keys is not None else "key shipped in the receipt (NOT pinned)"
    pinned_zh = "已固定的公钥" if trusted_keys is not None else "回执自带的公钥（未固定）"
    yield StepLine(f"signatures: checkpoint size {cp.size} signed by {', '.join(signers)} ({pinned})",
                   f"签名：检查点（{cp.size} 条）由 {'、'.join(signers)} 签名（{pinned_zh}）")
    # (2)
    for name, action in (("roster_freeze", "roster.freeze"), ("execute", "run.execute")):
        _check_entry("log", name, receipt[name], action, cp.size, cp.root)
    index = receipt["roster_freeze"]["index"]
    yield StepLine(f"log: roster.freeze (entry {index}) and run.execute are in the signed log",
                   f"日志：名单冻结（第 {index} 条）和运行记录都在签名的日志中")
    # (3)
    frozen = receipt["roster_freeze"]["payload"]
    r = receipt["roster"]
    if r["size"] != frozen["roster_size"]:
        raise VerificationError("roster", "size", "名单大小不符", "roster size differs from the frozen size")
    if r["leaf"]["record"]["id"] != applicant_id:
        raise VerificationError("roster", "leaf", "叶子不是本人", "the leaf is not this applicant's")
    try:
        verify_inclusion(r["index"], r["size"], leaf_hash(canonical_bytes(r["leaf"])),
                         [bytes.fromhex(p) for p in r["proof"]], bytes.fromhex(frozen["roster_root"]))
    except (VerificationError, ProofError) as exc:
        raise VerificationError("roster", f"leaf {r['index']}", "不在冻结名单中", exc.message_en) from exc
    yield StepLine(f"roster: leaf {r['index']} of {r['size']} is in the frozen roster {frozen['roster_root'][:16]}…",
                   f"名单：第 {r['index']} 条（共 {r['size']} 条）在冻结的名单 {frozen['roster_root'][:16]}… 中")
    # (4)
    if receipt.get("salt") is not None:
        if private_commitment(bytes.fromhex(receipt["salt"]), receipt["private"] or {}) != r["leaf"]["private"]:
            raise VerificationError("private", "salt", "个人信息承诺不符",
                                    "salt + private fields do not match the commitment")
        yield StepLine("private: salt and private fields match the committed leaf",
                       "个人信息：盐值和个人信息与承诺一致")
    else:
        yield StepLine("private: no salt in this receipt (private fields not checked)",
                       "个人信息：回执中没有盐值（未核对个人信息）")
    # (5)
    step = "results"
    payload = receipt["execute"]["payload"]
    rows = payload.get("rows")
    if receipt["format"] != RECEIPT_FORMAT or not isinstance(rows, dict):
        raise VerificationError(step, "receipt",
                                "这张回执（或其运行）没有结果行的包含证明，不能证明结果行属于本次运行的签名结果："
                                "请向教育局索取新版回执（sunshine-receipt/v2）",
                                "this receipt (or its run) has no inclusion proofs of its result rows, so nothing "
                                "signed proves the rows are the run's: ask for a new receipt (sunshine-receipt/v2)")
    if receipt.get("withdrawn") is not None:
        w = receipt["withdrawn"]
        _check_entry(step, "withdrawn", w, "roster.withdraw", cp.size, cp.root)
        if w["payload"].get("id") != applicant_id or receipt["results"]:
            raise VerificationError(step, "withdrawn", "退出记录不是本人的，或退出者不应有结果行",
                                    "the withdrawal is not this applicant's, or a withdrawn applicant has rows")
        yield StepLine(f"results: withdrawn — {applicant_id} withdrew before the draw (roster.withdraw, entry "
                       f"{w['index']} of the signed log) and holds no result",
                       f"结果：已退出——{applicant_id} 在派位前退出"
                       f"（签名日志第 {w['index']} 条 roster.withdraw），没有结果")
        return
    if not receipt["results"]:
        raise VerificationError(step, "results", "回执中没有本人的结果行，也没有退出记录",
                                "the receipt shows no result row for this applicant and no withdrawal")
    hashes, counts = payload["results"], rows["files"]
    root, size = bytes.fromhex(rows["root"]), int(rows["size"])
    offsets, at = {}, 0
    for name in sorted(counts):
        offsets[name] = at
        at += int(counts[name])
    files = set()
    for row in receipt["results"]:
        where = f"{row['file']} line {row['line']}"
        if row["file"] not in hashes or row["file"] not in offsets:
            raise VerificationError(step, where, "结果文件不在日志中", "result file not in the signed log")
        header, cells = row["header"], row["row"]
        col = id_column(header)
        if col is None or len(cells) != len(header):
            raise VerificationError(step, where, "结果行没有报名号列或列数不符",
                                    "the row has no applicant id column, or not as many cells as its header")
        if cells[col] != applicant_id:
            raise VerificationError(step, where, f"结果行属于 {cells[col]}，不是 {applicant_id}",
                                    f"the row names {cells[col]!r} in {header[col]}, not {applicant_id!r}")
        line = int(row["line"])
        if not 0 <= line - 2 < int(counts[row["file"]]) or row["index"] != offsets[row["file"]] + line - 2:
            raise VerificationError(step, where, "结果行的序号与文件和行号不符",
                                    f"leaf index {row['index']} is not {row['file']} line {line}")
        try:
            verify_inclusion(row["index"], size, leaf_hash_of(row["file"], header, cells),
                             [bytes.fromhex(p) for p in row["proof"]], root)
        except (VerificationError, ProofError) as exc:
            raise VerificationError(step, where, "结果行不在签名的结果行树中",
                                    f"the row is not in the signed result rows tree: {exc.message_en}") from exc
        files.add(row["file"])
    yield StepLine(f"results: {len(receipt['results'])} row(s) of {applicant_id} proven in the signed result rows "
                   f"tree {rows['root'][:16]}… ({', '.join(sorted(files))})",
                   f"结果：{len(receipt['results'])} 行 {applicant_id} 的结果在签名的结果行树 {rows['root'][:16]}… 中"
                   f"得到证明（{'、'.join(sorted(files))}）")


def _check_entry(step: str, name: str, ep: Mapping[str, Any], action: str, size: int, root: bytes) -> None:
    """Entry ``ep`` (index, entry, payload, proof) is an ``action`` entry of the checkpointed log."""
    e = ep["entry"]
    entry = LogEntry(e["actor"], e["action"], e["time"], e["payload_hash"], e["prev"])
    if entry.action != action:
        raise VerificationError(step, name, f"日志条目不是 {action}", f"the entry is {entry.action!r}, not {action}")
    if record_hash(ep["payload"]) != entry.payload_hash:
        raise VerificationError(step, name, "日志内容哈希不符", "payload does not match the entry")
    try:
        proof = [bytes.fromhex(p) for p in ep["proof"]]
        verify_inclusion(ep["index"], size, leaf_hash(entry.leaf), proof, root)
    except (VerificationError, ProofError) as exc:
        raise VerificationError(step, name, "日志条目不在检查点中",
                                f"entry not in the checkpointed log: {exc.message_en}") from exc
