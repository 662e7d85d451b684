"""Ed25519 signed notes and checkpoints: known answers and mutation-named negatives."""

from __future__ import annotations

import pytest

from audit.errors import KeyFileError, SignatureInvalid, VerificationError
from audit.signing import (
    Checkpoint,
    Signer,
    Verifier,
    format_checkpoint,
    key_id,
    open_note,
    parse_checkpoint,
    sign_note,
)

# golang.org/x/mod/sumdb/note test vector (Go's reference signed-note implementation)
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIG = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="

# RFC 8032 §7.1 TEST 1
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_SIG_EMPTY = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def test_rfc8032_test1() -> None:
    s = Signer("rfc8032", RFC8032_SECRET)
    assert s.verifier.public_key == RFC8032_PUBLIC
    assert s.sign(b"") == RFC8032_SIG_EMPTY


# A checkpoint of the RFC 6962 8-leaf reference tree, signed with the RFC 8032 TEST 1 key
# (Ed25519 is deterministic, so this pins key ID, note layout and signature bytes).
KAT_CHECKPOINT = "sunshine/lottery/example\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
KAT_NOTE = (
    KAT_CHECKPOINT
    + "\n— rfc8032-test1 6y/PUHiIBEzv3r6FyVMLBw64FaXvHN0AwPPsmnAZXQ5zl5KDg1XJDJHhgXTejIkRNEHQuF/eZjTP+x1jtWMvBRwrUQw=\n"
)


def test_rfc8032_key_signed_checkpoint_known_answer() -> None:
    s = Signer("rfc8032-test1", RFC8032_SECRET)
    assert sign_note(KAT_CHECKPOINT, [s]) == KAT_NOTE
    text, names = open_note(KAT_NOTE, [s.verifier])
    assert names == ["rfc8032-test1"]
    cp = parse_checkpoint(text)
    assert cp.size == 8 and cp.root.hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def test_go_note_vector() -> None:
    signer = Signer.from_skey(GO_SKEY)
    verifier = Verifier.from_vkey(GO_VKEY)
    assert signer.verifier == verifier
    note = sign_note(GO_TEXT, [signer])
    assert note == f"{GO_TEXT}\n— PeterNeumann {GO_SIG}\n"
    assert open_note(note, [verifier]) == (GO_TEXT, ["PeterNeumann"])
    assert key_id("PeterNeumann", verifier.public_key).hex() == "c74f20a3"


def _note() -> tuple[str, Verifier]:
    return f"{GO_TEXT}\n— PeterNeumann {GO_SIG}\n", Verifier.from_vkey(GO_VKEY)


def test_sig_truncated() -> None:
    note, v = _note()
    with pytest.raises(SignatureInvalid, match="signature by PeterNeumann is invalid for this note"):
        open_note(note.replace(GO_SIG, GO_SIG[:-8] + "="), [v])


def test_text_modified() -> None:
    note, v = _note()
    with pytest.raises(SignatureInvalid, match="is invalid for this note"):
        open_note(note.replace("answer", "Answer"), [v])


def test_unknown_key_only() -> None:
    note, _ = _note()
    other = Signer("PeterNeumann", bytes(32)).verifier
    with pytest.raises(SignatureInvalid, match="no trusted key"):
        open_note(note, [other])


def test_unknown_signatures_are_ignored() -> None:
    note, v = _note()
    extra = sign_note(GO_TEXT, [Signer("witness", bytes(range(32)))]).split("\n\n")[1]
    opened = open_note(note + extra, [v])
    assert opened[1] == ["PeterNeumann"]


def test_no_blank_line() -> None:
    _, v = _note()
    with pytest.raises(VerificationError, match="no blank line"):
        open_note(GO_TEXT, [v])


def test_checkpoint_roundtrip() -> None:
    cp = Checkpoint("sunshine/lottery/x", 8, bytes(32))
    assert parse_checkpoint(format_checkpoint(cp)) == cp
    with pytest.raises(VerificationError, match="bad tree size '08'"):
        parse_checkpoint("origin\n08\nAAAA\n")


def test_bad_key_names() -> None:
    with pytest.raises(KeyFileError, match="invalid key name 'has space'"):
        Signer("has space", bytes(32))
    with pytest.raises(KeyFileError, match="does not match the key"):
        Verifier.from_vkey(GO_VKEY.replace("c74f20a3", "00000000"))


def test_rotation_needs_both_keys() -> None:
    from audit.signing import Checkpoint, sign_rotation, verify_rotation

    old, new, evil = Signer("op", bytes(32)), Signer("op", bytes([1]) * 32), Signer("op", bytes([2]) * 32)
    note = sign_rotation("sunshine/x", old, new, Checkpoint("sunshine/x", 3, bytes(32)))
    assert "\nafter 3 " in note
    assert verify_rotation(note, [old.verifier]) == new.verifier
    with pytest.raises(SignatureInvalid, match="no trusted key signed this note"):
        verify_rotation(note, [evil.verifier])  # old key not trusted
    only_old = note.split("\n\n")[0] + "\n\n" + note.split("\n\n")[1].split("\n")[0] + "\n"
    with pytest.raises(SignatureInvalid, match="no trusted key signed this note"):
        verify_rotation(only_old, [old.verifier])  # new key did not sign
