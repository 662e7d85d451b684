"""The witness page's cryptography (api/pages/site/witness-crypto.js) against the Python it must match.

Ed25519 signatures are deterministic, so the browser's signed statement and cosignature line must be
byte-identical to audit.witness's for the same key, text and time; the key files, verifier key and
commitment likewise. Run in Chromium on the served page (its own origin and CSP).
"""

from __future__ import annotations

from typing import Any

from audit.ceremony import witness_commitment
from audit.signing import Checkpoint, Signer, format_checkpoint, sign_note
from audit.witness import cosign, statement_text

SEED = bytes([0xFB] * 32)  # its key file's base64 holds '+', the separator of the key file's other parts
CHECKPOINT = Checkpoint("sunshine/lottery/0123456789abcdef", 7, bytes(range(100, 132)))
CASES = [("739182", "notary-salt-7f3a"), ("七三九一八二", "盐 \"quoted\" \\ back"), ("a\u00e9b", "tab-free")]


def test_browser_matches_python(service: Any, new_page: Any) -> None:
    signer = Signer("公证处", SEED)
    assert "+" in signer.skey.split("+", 4)[4]
    page, errors = new_page()
    page.goto(service.url + "/witness")
    fields = [["commitment", witness_commitment(*CASES[0])]]
    got = page.evaluate("""async ([skey, cases, origin, size, rootHex, body, fields]) => {
        const wc = await import("/static/witness-crypto.js");
        const key = await wc.readPrivateKeyFile(skey);
        const text = wc.statementText(origin, "commit", key.name, {size, root_hex: rootHex}, fields);
        return {
          skey: await wc.privateKeyFile(key),
          vkey: await wc.verifierKey(key),
          commitments: await Promise.all(cases.map(([v, s]) => wc.commitment(v, s))),
          text,
          note: await wc.signNote(key, text),
          cosignature: await wc.cosign(key, body, 1694761200),
          generated: (await wc.verifierKey(await wc.generateKey("家长代表"))).split("+")[0],
        };
    }""", [signer.skey, CASES, CHECKPOINT.origin, CHECKPOINT.size, CHECKPOINT.root.hex(),
           format_checkpoint(CHECKPOINT), fields])
    text = statement_text(CHECKPOINT.origin, "commit", signer.name, CHECKPOINT, dict(fields))
    assert got["skey"] == signer.skey
    assert got["vkey"] == signer.verifier.vkey
    assert got["commitments"] == [witness_commitment(v, s) for v, s in CASES]
    assert got["text"] == text
    assert got["note"] == sign_note(text, [signer])
    assert got["cosignature"] == cosign(signer, CHECKPOINT, 1694761200)
    assert got["generated"] == "家长代表"
    assert errors.messages == []
