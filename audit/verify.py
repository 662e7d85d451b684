"""Verify a bundle end to end: pure, trust material passed in, engine passed in.

:func:`verify_bundle` yields one line per step that held and raises
:class:`~audit.errors.VerificationError` (with ``step`` and the first bad ``item``)
at the first that does not (a crash on malformed input is wrapped in one too, naming the step it
happened in). The steps, in order:

(1)  ``signatures``  the latest checkpoint (and every earlier one) is signed by a trusted key;
(2)  ``log``         every entry parses, payload hashes match, the hash chain holds, the RFC 6962
                     root of the entries equals the checkpoint, earlier checkpoints are consistent;
(3)  ``ceremony``    the logged actions follow the ceremony state machine up to PUBLISHED;
(4)  ``config``      ``config.json`` hashes to the config hash frozen in the log;
(5)  ``roster``      ``roster.jsonl`` is sorted, unique, and its Merkle root is the frozen root;
(6)  ``seed``        ``seed.json`` is the logged seed record (ceremony: derivation recomputed; a 复核
                     run's ``seed.inherit``: the parent's checkpoint is signed by a trusted key and the
                     config without its corrections hashes to the parent's, see :mod:`audit.inherit`);
(7)  ``results``     every result file hashes to the value in the signed ``run.execute`` entry,
                     ``run.publish``'s ``results_hash`` is the hash of those values, and the result
                     rows tree of the CSVs (:mod:`audit.result_rows`) is the signed ``rows``;
(8)  ``lottery-numbers``  every published lottery number recomputes from the randomness spec;
(9)  ``replay``      ``execute(config, roster − withdrawals, seed, facts)`` reproduces every data result file byte
                     for byte and the same file names; renderings (``*.png``, :mod:`audit.results`) are
                     not compared (their signed hashes were checked in step 7);
(10) ``manifest``    the manifest lists exactly the bundle's files with their hashes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import struct
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import compress, count, islice, repeat
from operator import itemgetter
from typing import Any, overload

from audit.background import Background
from audit.bundle import COSIGNATURES_FILE, Bundle
from audit.canonical import record_hash, sha256_hex
from audit.ceremony import CeremonyState, State, replay_log
from audit.errors import CanonicalError, CeremonyError, KeyFileError, ProofError, RootMismatch, VerificationError
from audit.inherit import matches_original_config
from audit.log import AuditLog
from audit.merkle import leaf_hashes, root_of, verify_consistency
from audit.result_rows import rows_commitment
from audit.results import ID_COLUMNS, csv_table, id_column, is_rendering
from audit.roster import public_root_of
from audit.roster_columns import ColumnRoster, column_of
from audit.roster_lines import lottery_leaves
from audit.run_facts import RunFacts, execute_time, facts_from_log, frozen_groups
from audit.signing import Checkpoint, Verifier, open_note, parse_checkpoint, verify_rotation
from audit.step_line import StepLine
from audit.witness import verify_cosignature

__all__ = [
    "STEPS",
    "Execute",
    "VerifiedBundle",
    "first_difference",
    "parse_json_lines",
    "published_cosigners",
    "spec_lottery_numbers",
    "verify_bundle",
]

#: A kind's engine: (config, active roster, seed, the run's facts for its title rows) → public files.
Execute = Callable[[Mapping[str, Any], Sequence[dict[str, Any]], bytes, RunFacts], dict[str, bytes]]
STEPS = (
    "signatures",
    "log",
    "ceremony",
    "config",
    "roster",
    "seed",
    "results",
    "lottery-numbers",
    "replay",
    "manifest",
    "cosignatures",
)
_STEP_FILES = {  # the item named when a step crashes on malformed input
    "signatures": "checkpoint",
    "log": "log.jsonl",
    "ceremony": "log.jsonl",
    "config": "config.json",
    "roster": "roster.jsonl",
    "seed": "seed.json",
    "results": "results/",
    "lottery-numbers": "results/",
    "replay": "execute",
    "manifest": "manifest.json",
    "cosignatures": "cosignatures.json",
}
_ONE_KEY = struct.Struct(">II")  # key count 1, then the length of the one key


class VerifiedBundle:
    """What verification established (filled in as steps pass)."""

    def __init__(self) -> None:
        self.checkpoint: Checkpoint | None = None
        self.log: AuditLog | None = None
        self.state: CeremonyState | None = None
        self.config: dict[str, Any] = {}
        self.leaves: Sequence[Mapping[str, Any]] = []
        self.seed: bytes = b""
        self.active_roster: Sequence[dict[str, Any]] = []
        self.frozen_roster: Sequence[dict[str, Any]] = []  # every committed record, withdrawn ones included
        self.cosigners: list[str] = []
        self.facts: RunFacts | None = None  # the run's facts as its log records them (set at step 6)


def spec_lottery_numbers(seed: bytes, kind: str, keys: Sequence[Sequence[str]]) -> list[str]:
    """Published lottery numbers recomputed straight from ``docs/randomness.md`` §2–§3.

    An implementation independent of ``engine.randomness`` on purpose (the verifier should
    not trust the engine's own code); the tests check it against the spec's vectors:
    ``HMAC-SHA256(seed, enc("sunshine/v1/item") ‖ enc(kind) ‖ enc("lottery-number") ‖ key)``,
    first 8 bytes, 16 lowercase hex digits. Requires a 32-byte seed.
    """

    def enc(text: str) -> bytes:
        raw = text.encode("utf-8")
        return len(raw).to_bytes(4, "big") + raw

    block = seed.ljust(64, b"\x00")  # HMAC key schedule once (seed is 32 bytes < block size)
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
    inner.update(enc("sunshine/v1/item") + enc(kind) + enc("lottery-number"))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
    icopy, ocopy, one = inner.copy, outer.copy, _ONE_KEY.pack
    out: list[str] = []
    append = out.append
    for parts in keys:
        h = icopy()
        if len(parts) == 1:  # enc(1) ‖ enc(id), the usual single-applicant key, in one pack
            raw = parts[0].encode("utf-8")
            h.update(one(1, len(raw)) + raw)
        else:
            h.update(len(parts).to_bytes(4, "big") + b"".join(enc(p) for p in parts))
        o = ocopy()
        o.update(h.digest())
        append(o.digest()[:8].hex())
    return out


def parse_json_lines(lines: bytes, chunk: int = 1 << 24) -> list[Any] | None:
    """The JSON values of newline-terminated ``lines``, parsed a few megabytes of whole lines at a time.

    Each piece is parsed as ``"[" + its lines joined by "," + "]"`` (one parser call for thousands of
    lines). Working piece by piece keeps the temporary text small and reused: whole-file copies
    would be fresh pages, which at a million roster lines cost as much as a quarter of the parse.
    ``None`` when a piece is not valid JSON; a line holding several comma-separated values makes
    the result longer than the line count (the caller checks).
    """
    values: list[Any] = []
    start = 0
    while start < len(lines):
        stop = lines.find(b"\n", start + chunk) + 1 or len(lines)
        try:
            values += json.loads(b"".join((b"[", lines[start : stop - 1].replace(b"\n", b","), b"]")))
        except ValueError:
            return None
        start = stop
    return values


def _strictly_increasing(ids: list[Any]) -> bool:
    """Whether the ids, as UTF-8 bytes of ``str(id)``, strictly increase (sorted, no repeats).

    For ``str`` ids code point order is UTF-8 byte order, so they are compared as they are;
    anything else goes through the bytes of ``str(id)``.
    """
    if set(map(type, ids)) <= {str}:
        return all(map(str.__lt__, ids, islice(ids, 1, None)))
    keys = [str(i).encode("utf-8", "surrogatepass") for i in ids]
    return all(map(bytes.__lt__, keys, islice(keys, 1, None)))


def first_difference(name: str, expected: bytes, got: bytes) -> str:
    """Describe the first differing line of two files (1-based line numbers)."""
    a, b = expected.split(b"\n"), got.split(b"\n")
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return f"{name} line {i + 1}: expected {x[:120]!r}, got {y[:120]!r}"
    return f"{name}: expected {len(a)} lines, got {len(b)}"


def _fail(step: str, item: str, en: str, zh: str = "") -> VerificationError:
    return VerificationError(step, item, zh or en, en)


def published_cosigners(raw: bytes | None, state: CeremonyState, cp: Checkpoint) -> list[str]:
    """The witnesses whose cosignatures in ``cosignatures.json`` hold on the published checkpoint ``cp``.

    The file (docs/bundle.md § Cosignatures) is ``{"checkpoint_size": N, "cosignatures":
    {witness: cosignature line}}``; every line must be a valid C2SP cosignature by that declared
    witness's key on exactly ``cp``: one that is not fails the step (it is never just ignored).
    """
    step = "cosignatures"
    if raw is None:
        return []
    try:
        doc = json.loads(raw)
        size, lines = int(doc["checkpoint_size"]), dict(doc["cosignatures"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(step, COSIGNATURES_FILE, "unreadable", "无法读取") from exc
    if size != cp.size:
        raise _fail(step, COSIGNATURES_FILE, f"cosignatures are for checkpoint {size}, not the published {cp.size}",
                    f"联署针对检查点 {size}，不是发布的检查点 {cp.size}")
    for name, line in sorted(lines.items()):
        w = state.witness(str(name))
        if w is None:
            raise _fail(step, str(name), "not a declared witness", "不是已声明的见证人")
        verify_cosignature(str(line), w.key, cp, step=step)
    return sorted(str(n) for n in lines)


def _roster_root(raw: bytes) -> bytes:
    """RFC 6962 root over the roster's lines exactly as published (without their newlines)."""
    return root_of(leaf_hashes(raw.split(b"\n")[:-1]))


def _rows(results: Mapping[str, bytes]) -> dict[str, Any]:
    """Step 7's work: the result rows tree of the published files (:mod:`audit.result_rows`)."""
    return rows_commitment(results)


def _rows_item(signed: Mapping[str, Any], calculated: Mapping[str, Any]) -> str:
    """The file to name when the rows tree differs: the first CSV whose row count differs, else every CSV."""
    want, got = signed.get("files"), calculated["files"]
    if isinstance(want, dict):
        for name in sorted(set(want) | set(got)):
            if want.get(name) != got.get(name):
                return str(name)
    return ", ".join(got) or "results/"


def _check_numbers(results: Mapping[str, bytes], seed: bytes, kind: str, unit_key: Mapping[str, list[str]]
                   ) -> tuple[int, tuple[str, str] | None]:
    """Step 8's work: recompute every published lottery number from the randomness spec.

    ``unit_key`` maps each member of a multiples unit to the unit's sorted member ids (its
    key). Returns how many numbers were checked and, for the first bad row, (file and row,
    what is wrong).
    """
    checked = 0
    for name, data in sorted(results.items()):
        if not name.endswith(".csv"):
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return checked, (name, f"not UTF-8 text: {exc}")
        header, chunks = csv_table(text, (*ID_COLUMNS, "lottery_number"))
        if "lottery_number" not in header:
            continue
        id_col = id_column(header)
        if id_col is None:
            continue
        col = header.index("lottery_number")
        before = 1  # rows before this chunk, the header included
        width = max(id_col, col) + 1
        for rows in chunks:
            if min(map(len, rows), default=width) < width:
                short = next(i for i, r in enumerate(rows) if len(r) < width)
                return checked, (f"{name} row {before + short + 1}",
                                 f"row has {len(rows[short])} field(s); the header has {len(header)}")
            ids_published = [r[id_col] for r in rows]
            keys_list: list[Sequence[str]]
            if unit_key:
                get_unit = unit_key.get
                keys_list = [get_unit(x) or [x] for x in ids_published]
            else:
                keys_list = list(zip(ids_published))  # one-id keys, built in C
            expected_numbers = spec_lottery_numbers(seed, kind, keys_list)
            published = [r[col] for r in rows]
            if published != expected_numbers:  # rows without a number (e.g. withdrawn) publish an empty cell
                for i, (got, want) in enumerate(zip(published, expected_numbers, strict=True)):
                    if got and got != want:
                        return checked, (f"{name} row {before + i + 1} ({rows[i][id_col]})",
                                         f"lottery number {got} should be {want}")
            checked += len(published) - published.count("")
            before += len(rows)
    return checked, None


def verify_bundle(
    bundle: Bundle,
    *,
    trusted_keys: list[Verifier] | None,
    execute: Execute | None,
    out: VerifiedBundle | None = None,
    second_core: bool | None = None,
) -> Iterator[StepLine]:
    """Yield a description of each step that holds; raise VerificationError at the first that fails.

    ``trusted_keys``: pinned log keys; ``None`` trusts the keys shipped in ``keys.json`` (and
    says so). ``execute``: the engine of the bundle's kind; ``None`` skips replay (and says so).
    ``second_core``: hash in a forked helper (``None``: when the machine allows, see
    :mod:`audit.background`); the lines and failures are the same either way.

    Every failure is a :class:`VerificationError` naming the step: the steps raise it for what
    they check, and anything else a malformed bundle makes the code raise (a crash) is wrapped
    with the name of the step it happened in and that step's file (``raise … from`` the crash).
    """
    results = bundle.results
    roster = bundle.files.get("roster.jsonl", b"")
    background = Background([lambda _: _roster_root(roster), lambda _: _rows(results),
                             lambda request: _check_numbers(results, *request)], fork=second_core)
    background.submit(None)
    background.submit(None)
    held = 0
    try:
        for line in _steps(bundle, trusted_keys, execute, out or VerifiedBundle(), background):
            yield line
            held += 1
    except VerificationError:
        raise
    except Exception as exc:  # a crash on malformed input: name the step it happened in (the next one not yet held)
        step = STEPS[held]
        raise _fail(step, _STEP_FILES[step], f"malformed input ({type(exc).__name__}: {exc})",
                    f"输入格式错误（{type(exc).__name__}：{exc}）") from exc
    finally:
        background.close()


def _inherited(st: CeremonyState, config: Mapping[str, Any], keys: list[Verifier], trust: str) -> tuple[str, str]:
    """Step 6 for a 复核 run: what the state machine could not check without keys and the config."""
    inherited = st.inherited
    assert inherited is not None
    item = f"seed.inherit (run {inherited.parent_run_id})"
    try:
        _, signers = open_note(inherited.note, keys, step="seed")
    except VerificationError as exc:
        raise _fail("seed", item, f"the parent's checkpoint is not signed by a trusted key: {exc.message_en}",
                    f"原运行的检查点没有受信任密钥的有效签名：{exc.message_zh}") from exc
    if not matches_original_config(config, inherited.parent_config_hash):
        raise _fail("seed", item, "the config without its corrections differs from the parent's config",
                    "除更正外的配置与原运行的配置不同")
    cp = inherited.checkpoint
    return (f"inherited from run {inherited.parent_run_id} (复核): its seed.derive proven in its checkpoint size "
            f"{cp.size} root {cp.root.hex()[:16]}… (compare with its published bundle) signed by "
            f"{', '.join(signers)} ({trust}); same public roster root, same config but the corrections",
            f"沿用原运行 {inherited.parent_run_id} 的种子（复核）：其 seed.derive 已在其检查点（大小 {cp.size}，"
            f"树根 {cp.root.hex()[:16]}…，可与其发布的数据包比对）中证明，签名者 {', '.join(signers)}；"
            "公开名单树根相同，除更正外配置相同")


def _general_leaves(step: str, raw: bytes, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``n`` leaves of ``raw`` and their records, parsed as general JSON; the first bad line fails ``step``."""
    parsed = parse_json_lines(raw)
    if parsed is None or len(parsed) != n:  # name the first line that is not one JSON value by itself
        bad = 0
        for i, line in enumerate(raw.split(b"\n")[:-1]):
            try:
                json.loads(line)
            except ValueError:
                bad = i
                break
        raise _fail(step, f"line {bad + 1}", "malformed roster leaf")
    leaves: list[dict[str, Any]] = parsed
    # the shape and order checks in C-level passes; when one fails, the loop below names the first bad line
    records: list[dict[str, Any]] = []
    try:  # a leaf or record that is not an object (TypeError) or lacks "record" / "id" (KeyError) raises here
        records = list(map(itemgetter("record"), leaves))
        record_ids = list(map(itemgetter("id"), records))
    except (KeyError, TypeError):
        records = record_ids = []
    if not (set(map(len, leaves)) <= {2} and all(map(dict.__contains__, leaves, repeat("private")))
            and _strictly_increasing(record_ids)):  # exactly "private" and "record"; sorted by id bytes, no repeats
        records = []
    del record_ids
    if len(records) != n:
        prev: bytes | None = None
        for i, leaf in enumerate(leaves):
            if type(leaf) is not dict or len(leaf) != 2 or "private" not in leaf:
                raise _fail(step, f"line {i + 1}", "malformed roster leaf")
            rec = leaf.get("record")
            if type(rec) is not dict or "id" not in rec:
                raise _fail(step, f"line {i + 1}", "malformed roster leaf")
            key = str(rec["id"]).encode("utf-8", "surrogatepass")
            if prev is not None and key <= prev:
                raise _fail(step, f"line {i + 1}", "roster not sorted by id, or id repeated")
            prev = key
        raise AssertionError("roster checks disagree")  # unreachable: the fast checks failed, so the loop raises
    return leaves, records


class _Leaves(Sequence[dict[str, Any]]):
    """The leaves ``{"private": P, "record": R}`` of a roster read column-wise (made when one is asked for)."""

    def __init__(self, privates: list[str], records: ColumnRoster) -> None:
        self._privates, self._records = privates, records

    def __len__(self) -> int:
        return len(self._privates)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return {"private": self._privates[index], "record": self._records[index]}


def _steps(bundle: Bundle, trusted_keys: list[Verifier] | None, execute: Execute | None, v: VerifiedBundle,
           background: Background) -> Iterator[StepLine]:
    """The eleven steps of :func:`verify_bundle`; ``background`` computes the roster root, then the lottery numbers."""
    files = bundle.files

    # (1) signatures
    step = "signatures"
    shipped_keys = bundle.keys.get("log_keys", []) if isinstance(bundle.keys, dict) else None
    if not isinstance(shipped_keys, list) or not all(isinstance(k, str) for k in shipped_keys):
        raise _fail(step, "keys.json", "not an object with a list of verifier keys under \"log_keys\"")
    try:
        shipped = [Verifier.from_vkey(k) for k in shipped_keys]
    except KeyFileError as exc:
        raise _fail(step, "keys.json", f"unreadable key: {exc.message_en}", exc.message_zh) from exc
    keys = list(trusted_keys if trusted_keys is not None else shipped)
    # key rotations recorded in the log extend the trusted set (each signed by a trusted old key and the new key)
    for line in files["log.jsonl"].split(b"\n"):
        if b'"action":"key.rotate"' in line:
            try:
                note = json.loads(line)["payload"]["note"]
            except (ValueError, KeyError, TypeError) as exc:
                raise _fail(step, "key.rotate", "malformed key rotation entry") from exc
            new = verify_rotation(note, keys, step=step)
            if new not in keys:
                keys.append(new)
    try:
        text, signers = open_note(files["checkpoint"].decode("utf-8"), keys, step=step)
    except UnicodeDecodeError as exc:
        raise _fail(step, "checkpoint", f"not UTF-8 text: {exc}") from exc
    cp = parse_checkpoint(text, step=step)
    if cp.origin != bundle.manifest["origin"]:
        raise _fail(step, "checkpoint", f"origin {cp.origin!r} is not the bundle's {bundle.manifest['origin']!r}")
    try:
        history = json.loads(files.get("checkpoints.json", b"[]"))
        old = [(parse_checkpoint(open_note(h["note"], keys, step=step)[0], step=step), h["proof"]) for h in history]
    except VerificationError:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(step, "checkpoints.json", "earlier checkpoints unreadable") from exc
    v.checkpoint = cp
    pinned = trusted_keys is not None
    trust = "pinned key" if pinned else "key shipped in the bundle (NOT pinned: pass --key)"
    trust_zh = "已固定的公钥" if pinned else "数据包自带的公钥，未固定：请用 --key 指定"
    practice = bool(bundle.keys.get("practice"))
    yield StepLine(f"signatures: checkpoint size {cp.size} signed by {', '.join(signers)} ({trust})"
                   + (" — PRACTICE key: proves nothing about who ran it" if practice else ""),
                   f"签名：检查点（{cp.size} 条）由 {'、'.join(signers)} 签名（{trust_zh}）"
                   + ("——练习密钥：不能证明是谁运行的" if practice else ""))

    # (2) log: chain, payload hashes, tree root, consistency with earlier checkpoints
    step = "log"
    log = AuditLog.from_bytes(files["log.jsonl"], step=step)
    if log.size != cp.size:
        raise _fail(step, f"entry {min(log.size, cp.size)}", f"log has {log.size} entries, checkpoint says {cp.size}")
    calculated = log.root()
    if calculated != cp.root:
        raise RootMismatch(step, "log tree", cp.root, calculated)
    for i, (o, proof_hex) in enumerate(old):
        try:
            verify_consistency(o.size, cp.size, [bytes.fromhex(p) for p in proof_hex], o.root, cp.root)
        except (ProofError, RootMismatch, ValueError) as exc:
            raise _fail(step, f"checkpoint {i} (size {o.size})", f"not consistent with the latest: {exc}") from exc
    if not bundle.practice:  # the full history: one signed checkpoint per earlier size (no branch can be cut out)
        sizes = sorted(o.size for o, _ in old)
        if sizes != list(range(1, cp.size)):
            gap = next((s for s in range(1, cp.size) if s not in sizes), "extra")
            raise _fail(step, "checkpoints.json", f"the checkpoint history is incomplete (size {gap} missing): "
                                                  "every step's signed checkpoint must be in the bundle")
    v.log = log
    yield StepLine(f"log: {log.size} entries chained; tree root matches; {len(old)} earlier checkpoint(s) consistent",
                   f"日志：{log.size} 条记录哈希链完整，树根一致；{len(old)} 个较早的检查点与之一致")

    # (3) ceremony order
    step = "ceremony"
    try:
        st = replay_log(log)
    except CeremonyError as exc:
        raise _fail(step, "log", exc.message_en, exc.message_zh) from exc
    except (KeyError, TypeError) as exc:
        raise _fail(step, "log", f"malformed payload: {exc!r}") from exc
    if st.state is not State.PUBLISHED:
        raise _fail(step, "log", f"run ended in state {st.state.value}, not PUBLISHED")
    if st.kind != bundle.kind or st.practice != bundle.practice or st.run_id != bundle.manifest["run_id"]:
        raise _fail(step, "manifest", "kind / practice flag / run id differ from the signed log")
    if bool(bundle.keys.get("practice")) != st.practice:
        raise _fail(step, "keys.json", "practice flag of the keys differs from the signed log")
    v.state = st
    if st.practice:
        mode, mode_zh = "PRACTICE run (manual seed)", "练习运行（手动输入种子）"
    elif st.inherited is not None:
        mode, mode_zh = (f"复核 of run {st.review_of}, seed inherited",
                         f"复核运行（原运行 {st.review_of}），种子沿用原运行")
    else:
        mode, mode_zh = f"ceremony with {len(st.witnesses)} witness(es)", f"公开仪式，{len(st.witnesses)} 名见证人"
    yield StepLine(f"ceremony: {mode}; actions in order through PUBLISHED",
                   f"仪式：{mode_zh}；各步骤顺序正确，直至发布（PUBLISHED）")

    # (4) config
    step = "config"
    try:
        config = json.loads(files["config.json"])
        cfg_hash = record_hash(config)
    except (ValueError, TypeError, CanonicalError) as exc:  # not JSON (UnicodeDecodeError is a ValueError), or a float
        raise _fail(step, "config.json", f"unreadable: {exc}") from exc
    if cfg_hash != st.config_hash:
        raise _fail(step, "config.json", f"hash {cfg_hash} differs from the frozen {st.config_hash}")
    v.config = config
    yield StepLine(f"config: hash {cfg_hash[:16]}… matches the frozen config",
                   f"配置：哈希 {cfg_hash[:16]}… 与冻结时的配置一致")

    # (5) roster
    step = "roster"
    raw = files["roster.jsonl"]
    if raw and raw[-1:] != b"\n":
        raise _fail(step, "roster.jsonl", "file does not end with a newline")
    n = raw.count(b"\n")
    strict = lottery_leaves(raw)  # a lottery roster in its canonical form, read column-wise
    if strict is not None and _strictly_increasing(strict[1].columns["id"]):
        leaves: Sequence[Mapping[str, Any]] = _Leaves(*strict)
        records: Sequence[dict[str, Any]] = strict[1]
    else:  # any other roster, and any roster a check fails on: the general parser names the first bad line
        leaves, records = _general_leaves(step, raw, n)
    del strict
    # the tree is over the lines exactly as published (RFC 8785 form, by the producer); hashed meanwhile
    # on the second core (see _roster_root)
    calculated = background.result()
    if calculated.hex() != st.roster_root:
        raise RootMismatch(step, "roster.jsonl", bytes.fromhex(st.roster_root), calculated)
    if st.public_root:  # the seed is derived from the public root: it must be these records' root
        public = public_root_of(raw.split(b"\n")[:-1])
        if public.hex() != st.public_root:
            raise RootMismatch(step, "roster.jsonl (public records)", bytes.fromhex(st.public_root), public)
    if len(leaves) != st.roster_size:
        raise _fail(step, "roster.jsonl", f"{len(leaves)} records, frozen size {st.roster_size}")
    withdrawn = set(st.withdrawals)
    v.frozen_roster = records
    if withdrawn:
        ids = set(column_of(records, "id"))
        for w in st.withdrawals:
            if w not in ids:
                raise _fail(step, w, "withdrawn applicant is not in the committed roster")
        records = [rec for rec in records if rec["id"] not in withdrawn]
    v.leaves = leaves
    v.active_roster = records
    yield StepLine(f"roster: {len(leaves)} records, root {calculated.hex()[:16]}… matches; "
                   f"{len(withdrawn)} withdrawal(s)",
                   f"名单：{len(leaves)} 条记录，树根 {calculated.hex()[:16]}… 一致；{len(withdrawn)} 人退出")

    # (6) seed
    step = "seed"
    try:
        seed_record = json.loads(files["seed.json"])
        seed = bytes.fromhex(seed_record["seed"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _fail(step, "seed.json", f"unreadable seed record: {exc!r}") from exc
    if seed_record != st.seed_record:
        raise _fail(step, "seed.json", "differs from the seed record in the signed log")
    if st.practice:
        detail = "PRACTICE: seed typed in by the operator (no derivation to check)"
        detail_zh = "练习：操作员手动输入的种子（没有推导过程可核对）"
    elif st.inherited is not None:
        detail, detail_zh = _inherited(st, config, keys, trust)
    else:
        source = seed_record["inputs"]["public_value"]["source"]
        detail = f"derived from roster root, config, {len(st.reveals)} reveal(s) and {source!r}"
        detail_zh = f"由名单树根、配置、{len(st.reveals)} 个见证人揭示值和公开来源 {source} 推导，重算一致"
    v.seed = seed
    v.facts = facts = dataclasses.replace(
        facts_from_log(bundle.kind, str(bundle.manifest["run_id"]), st.practice, st.seed_record, execute_time(log)),
        frozen_groups=frozen_groups(v.frozen_roster, st.withdrawals))
    yield StepLine(f"seed: {seed.hex()[:16]}… {detail}", f"种子：{seed.hex()[:16]}… {detail_zh}")

    # (7) results against the signed execute entry
    step = "results"
    results = bundle.results
    expected = st.results or {}
    for name in sorted(set(expected) | set(results)):
        if name not in results:
            raise _fail(step, name, "result file missing")
        if name not in expected:
            raise _fail(step, name, "result file not in the signed log")
        if sha256_hex(results[name]) != expected[name]:
            raise _fail(step, name, "hash differs from the signed run.execute entry")
    published = log.find("run.publish")[-1][1]  # step 3 established that the log ends PUBLISHED
    if not isinstance(published, dict) or published.get("results_hash") != record_hash(expected):
        raise _fail(step, "run.publish", "results_hash is not SHA-256(JCS(run.execute results))")
    if st.rows is None:
        raise _fail(step, "run.execute", "the signed run.execute has no result rows root (rows): the rows receipts "
                    "show cannot be proven (made by an older version)",
                    "签名的 run.execute 中没有结果行树根（rows）：回执中的结果行无法证明（旧版本生成）")
    rows = background.result()
    if rows != st.rows:
        item = _rows_item(st.rows, rows)
        raise _fail(step, item, f"the result rows tree (root {str(rows['root'])[:16]}…, {rows['size']} rows) differs "
                    f"from the rows signed in run.execute (root {str(st.rows.get('root'))[:16]}…, "
                    f"{st.rows.get('size')} rows)", f"结果行树（{rows['size']} 行）与 run.execute 中签名的不符")
    yield StepLine(f"results: {len(results)} file(s) match the signed hashes; {rows['size']} result row(s) "
                   f"in the signed rows tree {str(rows['root'])[:16]}…",
                   f"结果：{len(results)} 个文件与签名记录的哈希一致；{rows['size']} 个结果行在签名的结果行树 "
                   f"{str(rows['root'])[:16]}… 中")

    # (8) lottery numbers, computed on the second core while (9) replays here; reported in order
    step = "lottery-numbers"
    # a multiples unit (same non-empty "group" in the roster) draws once, keyed by the sorted ids of its
    # members in the FROZEN roster (a withdrawn twin stays in the key: docs/lottery.md §3)
    groups: dict[str, list[str]] = {}
    in_group, frozen_ids = column_of(v.frozen_roster, "group", None), column_of(v.frozen_roster, "id")
    for i in compress(count(), in_group):  # multiples are rare: one C-level pass finds them
        groups.setdefault(str(in_group[i]), []).append(str(frozen_ids[i]))
    unit_key = {m: sorted(ms, key=str.encode) for ms in groups.values() for m in ms}
    background.submit((seed, bundle.kind, unit_key))
    replayed: dict[str, bytes] = {}
    replay_error: VerificationError | None = None
    if execute is not None:
        # execute is pure (api.runs.RunKind): it reads the verified records and must not change them,
        # so they go in as they are (a defensive copy of a million dicts cost ≈ 0.4 s)
        try:
            replayed = execute(v.config, v.active_roster, seed, facts)
        except Exception as exc:  # any engine failure, wrapped with this step's name; raised after step 8
            replay_error = _fail("replay", "execute", f"the engine failed on the committed inputs: "
                                 f"{type(exc).__name__}: {exc}", f"引擎在已承诺的输入上运行失败：{exc}")
            replay_error.__cause__ = exc
    checked, bad = background.result()
    if bad is not None:
        raise _fail(step, *bad)
    yield (StepLine(f"lottery-numbers: {checked} recomputed", f"派位号：{checked} 个按随机数规范重算一致")
           if checked else StepLine("lottery-numbers: none published by this kind", "派位号：此类运行不公布派位号"))

    # (9) replay
    step = "replay"
    if execute is None:
        yield StepLine("replay: SKIPPED (no engine for this kind available)", "重算：已跳过（本机没有此类运行的引擎）")
    else:
        if replay_error is not None:
            raise replay_error
        images = []
        for name in sorted(set(replayed) | set(results)):
            if name not in replayed or name not in results:
                raise _fail(step, name, "replay did not produce this file" if name in results
                            else "replay produced a file the bundle does not have")
            if is_rendering(name):  # an image drawn from the data files: its hash was checked in step 7
                images.append(name)
            elif replayed[name] != results[name]:
                raise _fail(step, name, f"replay differs: {first_difference(name, replayed[name], results[name])}")
        data = len(replayed) - len(images)
        not_compared = (f"; image(s) not compared (renderings of the data; their signed hashes were checked in "
                        f"step 7): {', '.join(images)}") if images else ""
        not_compared_zh = (f"；图片未比较（由数据绘制，其签名哈希已在第 7 步核对）：{'、'.join(images)}"
                           if images else "")
        yield StepLine(f"replay: {data} data file(s) reproduced byte for byte{not_compared}",
                       f"重算：{data} 个数据文件逐字节重现{not_compared_zh}")

    # (10) manifest
    step = "manifest"
    listed = bundle.manifest["files"]
    if not isinstance(listed, dict):
        raise _fail(step, "manifest.json", "\"files\" is not an object")
    actual = {n: sha256_hex(d) for n, d in files.items() if n not in ("manifest.json", COSIGNATURES_FILE)}
    for name in sorted(set(listed) | set(actual)):
        if listed.get(name) != actual.get(name):
            raise _fail(step, name, "manifest entry differs from the file")
    yield StepLine(f"manifest: {len(actual)} file(s) listed with matching hashes",
                   f"清单：列出 {len(actual)} 个文件，哈希一致")

    # (11) cosignatures of the published checkpoint (added after publication, outside the manifest)
    step = "cosignatures"
    assert v.state is not None and v.checkpoint is not None
    v.cosigners = published_cosigners(files.get(COSIGNATURES_FILE), v.state, v.checkpoint)
    yield (StepLine(f"cosignatures: published checkpoint {v.checkpoint.size} cosigned by {', '.join(v.cosigners)}",
                    f"联署：发布的检查点（{v.checkpoint.size} 条）由 {'、'.join(v.cosigners)} 联署")
           if v.cosigners else StepLine("cosignatures: no witness has cosigned the published checkpoint",
                                        "联署：还没有见证人联署发布的检查点"))
