"""The tamper cases of a bundle, shared by the verify tests and the browser verifier's cross-check.

Each case maps a name to the step that must fail and a function from the clean bundle's files to the
tampered ones: ``MUTATIONS`` (altered fields), ``MALFORMED`` (unparseable files) and ``RESIGNED`` (a
dishonest operator's log edits, re-chained and re-signed with :func:`resigned`). A plain helper module
(like ``fake_kind``), so both test packages use one list and neither imports the other's tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from audit.bundle import Bundle
from audit.signing import Signer

__all__ = ["INHERITED", "MALFORMED", "MUTATIONS", "RESIGNED", "Files", "FilesAndLog", "relogged", "resigned"]

Files = dict[str, bytes]


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def _json_edit(files: Files, name: str, fn: Callable[[Any], None]) -> Files:
    obj = json.loads(files[name])
    fn(obj)
    return {**files, name: json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()}


def _edit(name: str, fn: Callable[[bytes], bytes]) -> Callable[[Files], Files]:
    return lambda f: {**f, name: fn(f[name])}


def _jedit(name: str, fn: Callable[[Any], None]) -> Callable[[Files], Files]:
    return lambda f: _json_edit(f, name, fn)


def _set(name: str, data: bytes) -> Callable[[Files], Files]:
    return lambda f: {**f, name: data}


OTHER_KEY = Signer("test-operator", bytes(32)).verifier.vkey

MUTATIONS: dict[str, tuple[str, Callable[[Files], Files]]] = {
    "results-byte-flipped": ("results", _edit("results/results.csv", lambda d: _flip(d, 40))),
    "results-row-reordered": ("results", _edit("results/results.csv", lambda d: _swap_lines(d, 1, 2))),
    "results-file-added": ("results", lambda f: {**f, "results/extra.csv": b"x\n"}),
    "log-entry-deleted": ("log", _edit("log.jsonl", lambda d: _drop_line(d, 3))),
    "log-entry-inserted": ("log", _edit("log.jsonl", lambda d: _dup_line(d, 3))),
    "log-reveal-modified": ("log", _edit("log.jsonl", lambda d: d.replace(b"alice-value", b"alice-valuX", 1))),
    "key-swapped": ("signatures", _jedit("keys.json", lambda k: k.update(log_keys=[OTHER_KEY]))),
    "sig-truncated": ("signatures", _edit("checkpoint", lambda d: d[:-20] + b"\n")),
    "checkpoint-size-changed": ("signatures", _edit("checkpoint", lambda d: b"\n".join(
        [d.split(b"\n")[0], str(int(d.split(b"\n")[1]) - 1).encode(), *d.split(b"\n")[2:]]))),
    "earlier-checkpoint-proof-modified": (
        "log", _jedit("checkpoints.json", lambda h: h[3].update(proof=["00" * 32, *h[3]["proof"][1:]]))),
    "config-changed": ("config", _jedit("config.json", lambda c: c.update(seats=6))),
    "roster-record-changed": ("roster", _edit("roster.jsonl", lambda d: d.replace(b'"Z1"', b'"Z2"', 1))),
    "roster-rows-swapped": ("roster", _edit("roster.jsonl", lambda d: _swap_lines(d, 0, 1))),
    "roster-leaf-dropped": ("roster", _edit("roster.jsonl", lambda d: _drop_line(d, 11))),
    "seed-changed": ("seed", _jedit("seed.json", lambda s: s.update(seed="00" * 32))),
    "seed-source-changed": (
        "seed", _jedit("seed.json", lambda s: s["inputs"]["public_value"].update(source="fallback"))),
    "witness-reveal-changed": (
        "seed", _jedit("seed.json", lambda s: s["inputs"]["contributions"][0].update(value="other"))),
    "manifest-hash-changed": ("manifest", _jedit("manifest.json", lambda m: m["files"].update({"config.json": "0"}))),
    "manifest-practice-flag-flipped": ("ceremony", _jedit("manifest.json", lambda m: m.update(practice=True))),
}


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _swap_lines(data: bytes, i: int, j: int) -> bytes:
    ls = _lines(data)
    ls[i], ls[j] = ls[j], ls[i]
    return b"\n".join(ls)


def _drop_line(data: bytes, i: int) -> bytes:
    ls = _lines(data)
    del ls[i]
    return b"\n".join(ls)


def _dup_line(data: bytes, i: int) -> bytes:
    ls = _lines(data)
    ls.insert(i, ls[i])
    return b"\n".join(ls)



# Malformed (not merely altered) bundle files, one or more per step: each must fail as a VerificationError
# naming that step, never as a raw exception (KeyError, UnicodeDecodeError, …) from the verifier.
MALFORMED: dict[str, tuple[str, Callable[[Files], Files]]] = {
    "keys-not-an-object": ("signatures", _set("keys.json", b"[1, 2]")),
    "keys-not-strings": ("signatures", _set("keys.json", b'{"log_keys": [7], "practice": false}')),
    "key-garbage": ("signatures", _set("keys.json", b'{"log_keys": ["not a key"], "practice": false}')),
    "checkpoint-not-utf8": ("signatures", _set("checkpoint", b"\xff\xfe\n\n")),
    "checkpoints-json-garbage": ("signatures", _set("checkpoints.json", b"{")),
    "checkpoints-json-wrong-shape": ("signatures", _set("checkpoints.json", b'[{"note": 5}]')),
    "log-line-garbage": ("log", _edit("log.jsonl", lambda d: d.replace(b"\n", b"\n{garbage\n", 1))),
    "log-not-utf8": ("log", _edit("log.jsonl", lambda d: b"\xff" + d)),
    "config-not-json": ("config", _set("config.json", b"{not json")),
    "config-not-utf8": ("config", _set("config.json", b"\xff\xfe")),
    "config-float": ("config", _set("config.json", b'{"seats": 1.5}')),
    "roster-not-json": ("roster", _edit("roster.jsonl", lambda d: b"{oops\n" + d)),
    "roster-no-newline": ("roster", _edit("roster.jsonl", lambda d: d[:-1])),
    "roster-leaf-not-object": ("roster", _edit("roster.jsonl", lambda d: b"[1]\n" + d)),
    "seed-not-json": ("seed", _set("seed.json", b"seed")),
    "seed-not-hex": ("seed", _jedit("seed.json", lambda s: s.update(seed="zz"))),
    "seed-not-object": ("seed", _set("seed.json", b"[]")),
    "manifest-files-not-object": ("manifest", _jedit("manifest.json", lambda m: m.update(files=[1]))),
}


class FilesAndLog:
    """A re-signed case that edits bundle files too: ``files(bundle files)``, then ``log(edited files)`` is
    the payload edit (so it can sign the edited files' hashes, as an operator covering an edit would)."""

    def __init__(self, files: Callable[[Files], Files], log: Callable[[Files], Callable[[str, Any], Any]]) -> None:
        self.files, self.log = files, log

    def __call__(self, action: str, payload: Any) -> Any:  # unused: resigned() binds the log edit first
        raise TypeError("resigned() applies FilesAndLog cases")


def resigned(files: Files, operator: Signer, edit: Callable[[str, Any], Any]) -> Files:
    """The bundle with each log payload replaced by ``edit(action, payload)``, re-chained and re-signed.

    What a dishonest operator (who holds the key) could publish: steps 1 and 2 hold (the whole
    checkpoint history is re-signed too), so the later steps must catch it. A :class:`FilesAndLog`
    case edits files first and then the log to match.
    """
    if isinstance(edit, FilesAndLog):
        files = edit.files(files)
        edit = edit.log(files)
    from audit.log import AuditLog

    old = AuditLog.from_bytes(files["log.jsonl"])
    return relogged(files, operator, [(e.actor, e.action, e.time, edit(e.action, p))
                                      for e, p in zip(old.entries, old.payloads, strict=True)])


def relogged(files: Files, operator: Signer, entries: Iterable[tuple[str, str, str | None, Any]]) -> Files:
    """The bundle with its log made of ``entries`` (actor, action, time, payload), chained and signed by
    ``operator``, with the whole checkpoint history (as :func:`resigned`, for edits that add or drop entries)."""
    from audit.log import AuditLog
    from audit.merkle import MerkleTree
    from audit.signing import format_checkpoint, sign_note

    new = AuditLog()
    for actor, action, time, payload in entries:
        new.append(actor, action, time, payload)
    origin = Bundle.from_files(files).manifest["origin"]
    tree = MerkleTree(new.leaf_hashes())
    history = [{"note": sign_note(format_checkpoint(new.checkpoint(origin, size)), [operator]),
                "proof": [h.hex() for h in tree.consistency_proof(size)]} for size in range(1, new.size)]
    return {**files, "log.jsonl": new.to_bytes(), "checkpoint": new.signed_checkpoint(origin, [operator]).encode(),
            "checkpoints.json": (json.dumps(history, indent=2) + "\n").encode()}


def _edit_a_row(files: Files) -> Files:
    """One row of results.csv given a seat by hand (its rank and every other byte unchanged)."""
    lines = files["results/results.csv"].split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.endswith(b",no"))
    lines[at] = lines[at][: -len(b"no")] + b"yes"
    return {**files, "results/results.csv": b"\n".join(lines)}


def _sign_the_results(files: Files) -> Callable[[str, Any], Any]:
    """Sign the edited results' hashes in run.execute and run.publish (the rows tree is left as it was)."""
    from audit.canonical import record_hash, sha256_hex

    hashes: dict[str, str] = {}

    def edit(action: str, payload: Any) -> Any:
        if action == "run.execute":
            hashes.update({**payload["results"], "results.csv": sha256_hex(files["results/results.csv"])})
            return {**payload, "results": dict(hashes)}
        if action == "run.publish":
            return {"results_hash": record_hash(hashes)}
        return payload

    return edit


def _replace(action: str, payload: Any) -> Callable[[str, Any], Any]:
    return lambda a, p: payload if a == action else p


RESIGNED: dict[str, tuple[str, str, Callable[[str, Any], Any]]] = {
    "publish-results-hash-wrong": ("results", "run.publish", _replace("run.publish", {"results_hash": "00" * 32})),
    "execute-hash-not-a-string": ("results", "results.csv", lambda a, p: {**p, "results": {
        **p["results"], "results.csv": 5}} if a == "run.execute" else p),
    "freeze-payload-missing-field": ("ceremony", "log", _replace("roster.freeze", {"roster_root": "00"})),
    "execute-results-not-an-object": ("ceremony", "log", lambda a, p: {**p, "results": "x"}
                                      if a == "run.execute" else p),
    "execute-missing": ("ceremony", "log", lambda a, p: p if a != "run.execute" else {"engine": {}}),
    # issue 13: the result rows are committed by their own signed tree, not only by the files' hashes
    "row-edited-hash-resigned": ("results", "results.csv", FilesAndLog(_edit_a_row, _sign_the_results)),
    "rows-root-wrong": ("results", "results.csv", lambda a, p: {**p, "rows": {**p["rows"], "root": "00" * 32}}
                        if a == "run.execute" else p),
    "rows-count-wrong": ("results", "results.csv", lambda a, p: {**p, "rows": {
        **p["rows"], "files": {**p["rows"]["files"], "results.csv": p["rows"]["files"]["results.csv"] + 1}}}
                        if a == "run.execute" else p),
    "rows-missing": ("results", "run.execute", lambda a, p: {k: v for k, v in p.items() if k != "rows"}
                     if a == "run.execute" else p),
}


def _inherit_edit(fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[Files, Signer], Files]:
    """A re-signed review bundle whose ``seed.inherit`` payload is ``fn(payload)`` (``seed.json`` made to match)."""
    from audit.canonical import canonical_bytes

    def tampered(files: Files, operator: Signer) -> Files:
        edited = fn(json.loads(files["seed.json"]))
        out = resigned(files, operator, lambda a, p: edited if a == "seed.inherit" else p)
        return {**out, "seed.json": canonical_bytes(edited)}

    return tampered


def _forged_checkpoint(p: dict[str, Any]) -> dict[str, Any]:
    """The parent's checkpoint text as it was, signed by a key of the same name that nobody trusts."""
    from audit.inherit import note_body
    from audit.signing import sign_note

    return {**p, "checkpoint": sign_note(note_body(p["checkpoint"]), [Signer("test-operator", bytes(32))])}


def _other_root(p: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint naming another tree (its signature no longer holds either, but the proof fails first)."""
    lines = p["checkpoint"].split("\n")
    lines[2] = "A" * 43 + "="
    return {**p, "checkpoint": "\n".join(lines)}


def _wrong_proof(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "proof": ["00" * 32, *p["proof"][1:]]}


def _another_seed(p: dict[str, Any]) -> dict[str, Any]:
    return {**p, "seed": "11" * 32}


def _other_roster(action: str, payload: Any) -> Any:
    """The review froze a roster that is not the original's (its public root differs)."""
    return {**payload, "public_root": "22" * 32} if action == "roster.freeze" else payload


def _other_config(files: Files, operator: Signer) -> Files:
    """The review changed the config beyond its corrections, consistently in config.json and in the log."""
    config = json.loads(files["config.json"])
    config["mechanism"] = "boston" if config["mechanism"] != "boston" else "da"
    from audit.canonical import canonical_bytes, record_hash

    digest = record_hash(config)

    def edit(action: str, p: Any) -> Any:
        return {**p, "config_hash": digest} if action in ("ceremony.init", "roster.freeze", "inputs.update") else p

    return {**resigned(files, operator, edit), "config.json": canonical_bytes(config)}


#: Tampered 复核 bundles (a run that inherited its seed by ``seed.inherit``): name → (step that must
#: fail, function of the clean review bundle's files and the operator key giving the re-signed bundle).
INHERITED: dict[str, tuple[str, Callable[[Files, Signer], Files]]] = {
    "parent-checkpoint-forged": ("seed", _inherit_edit(_forged_checkpoint)),
    "parent-checkpoint-other-root": ("ceremony", _inherit_edit(_other_root)),
    "inclusion-proof-wrong": ("ceremony", _inherit_edit(_wrong_proof)),
    "another-seed": ("ceremony", _inherit_edit(_another_seed)),
    "review-roster-root-differs": ("ceremony", lambda files, operator: resigned(files, operator, _other_roster)),
    "review-config-differs": ("seed", _other_config),
}
