"""Ed25519 keys, C2SP signed notes and tlog checkpoints.

Formats (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint):

* A note is UTF-8 text ending in ``\\n``; the signed note is the text, one blank line,
  then one line per signature: ``— <key name> base64(key ID ‖ signature)``.
* Ed25519 key ID = ``SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4]`` (0x01 is the
  Ed25519 signature type); the signature covers exactly the note text.
* Verifier keys are written ``<name>+<key ID hex>+base64(0x01 ‖ public key)``
  (the Go ``note`` vkey form); private key files ``PRIVATE+KEY+<name>+<key ID hex>+base64(0x01 ‖ seed)``.
* A checkpoint body is ``<origin>\\n<tree size>\\n<base64 root>\\n``.

Verification ignores signatures by unknown keys (that is what enables rotation and
cosigning) and rejects a note that no trusted key verifies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from audit.errors import KeyFileError, SignatureInvalid, VerificationError

__all__ = [
    "Checkpoint",
    "Signer",
    "Verifier",
    "format_checkpoint",
    "key_id",
    "open_note",
    "parse_checkpoint",
    "sign_note",
    "sign_rotation",
    "verify_rotation",
]

_ED25519 = b"\x01"
_SIG_PREFIX = "\u2014 "
MAX_SIGNATURES = 100


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte C2SP key ID of an Ed25519 key."""
    return hashlib.sha256(name.encode() + b"\n" + _ED25519 + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise KeyFileError(f"密钥名称无效：{name!r}", f"invalid key name {name!r} (no spaces or '+')")


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.public_key) != 32:
            raise KeyFileError("公钥长度必须为 32 字节", "an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    @property
    def vkey(self) -> str:
        """``name+keyid+base64(0x01‖pub)``: the public key as printed and pinned."""
        b64 = base64.b64encode(_ED25519 + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{b64}"

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the raw public key, hex: for reading aloud / comparing out of band."""
        return hashlib.sha256(self.public_key).hexdigest()

    @classmethod
    def from_vkey(cls, vkey: str) -> Verifier:
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise KeyFileError(f"公钥格式错误：{vkey!r}", f"malformed verifier key {vkey!r}")
        name, kid, b64 = parts
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise KeyFileError("公钥 base64 错误", f"bad base64 in verifier key {vkey!r}") from exc
        if len(raw) != 33 or raw[:1] != _ED25519:
            raise KeyFileError("不是 Ed25519 公钥", f"not an Ed25519 verifier key: {vkey!r}")
        v = cls(name, raw[1:])
        if v.key_id.hex() != kid:
            raise KeyFileError("公钥编号不符", f"key ID in {vkey!r} does not match the key")
        return v

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key (32-byte seed)."""

    name: str
    seed: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        if len(self.seed) != 32:
            raise KeyFileError("私钥长度必须为 32 字节", "an Ed25519 private key seed is 32 bytes")

    @classmethod
    def generate(cls, name: str) -> Signer:
        key = Ed25519PrivateKey.generate()
        return cls(name, key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))

    @property
    def verifier(self) -> Verifier:
        pub = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return Verifier(self.name, pub.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    @property
    def skey(self) -> str:
        """Private key file content (keep secret, mode 0600)."""
        b64 = base64.b64encode(_ED25519 + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{b64}\n"

    @classmethod
    def from_skey(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise KeyFileError("私钥文件格式错误", "malformed private key file (expected PRIVATE+KEY+name+id+key)")
        try:
            raw = base64.b64decode(parts[4], validate=True)
        except binascii.Error as exc:
            raise KeyFileError("私钥 base64 错误", "bad base64 in private key file") from exc
        if len(raw) != 33 or raw[:1] != _ED25519:
            raise KeyFileError("不是 Ed25519 私钥", "not an Ed25519 private key")
        signer = cls(parts[2], raw[1:])
        if signer.verifier.key_id.hex() != parts[3]:
            raise KeyFileError("私钥编号不符", "key ID in the private key file does not match the key")
        return signer


def sign_note(text: str, signers: list[Signer]) -> str:
    """Sign ``text`` (must end in a newline) with every signer; returns the signed note."""
    if not text.endswith("\n"):
        raise ValueError("note text must end with a newline")
    lines = []
    for s in signers:
        sig = s.sign(text.encode())
        lines.append(f"{_SIG_PREFIX}{s.name} {base64.b64encode(s.verifier.key_id + sig).decode()}\n")
    return text + "\n" + "".join(lines)


def open_note(note: str, verifiers: list[Verifier], *, step: str = "signatures") -> tuple[str, list[str]]:
    """Verify a signed note; return its text and the names of the trusted keys that signed it.

    Steps: (1) split at the last blank line; (2) parse each signature line; (3) skip
    unknown key names/IDs; (4) a known key whose signature fails is an error; (5) at
    least one trusted signature is required.
    """
    # (1) the text is everything up to the last "\n\n"; signature lines follow
    cut = note.rfind("\n\n")
    if cut < 0 or not note.endswith("\n"):
        raise VerificationError(step, "note", "签名文本格式错误", "malformed signed note (no blank line)")
    text, sig_block = note[: cut + 1], note[cut + 2 :]
    sig_lines = sig_block.split("\n")[:-1]
    if not sig_lines or len(sig_lines) > MAX_SIGNATURES:
        raise VerificationError(step, "note", "签名行数错误", "signed note has no (or too many) signature lines")
    known = {(v.name, v.key_id): v for v in verifiers}
    good: list[str] = []
    for line in sig_lines:
        # (2) "— name base64"
        if not line.startswith(_SIG_PREFIX) or line.count(" ") != 2:
            raise VerificationError(step, "note", "签名行格式错误", f"malformed signature line {line!r}")
        name, b64 = line[len(_SIG_PREFIX) :].split(" ")
        try:
            raw = base64.b64decode(b64, validate=True)
        except binascii.Error as exc:
            raise VerificationError(step, name, "签名 base64 错误", "bad base64 in signature line") from exc
        if len(raw) < 5:
            raise VerificationError(step, name, "签名过短", "signature too short")
        # (3) unknown keys are ignored
        v = known.get((name, raw[:4]))
        if v is None:
            continue
        # (4) a trusted key with a bad signature is fatal
        if len(raw) != 68 or not v.verify(text.encode(), raw[4:]):
            raise SignatureInvalid(step, name, "签名无效", f"signature by {name} is invalid for this note")
        good.append(name)
    # (5) at least one trusted signature
    if not good:
        raise SignatureInvalid(step, "note", "没有受信任密钥的签名", "no trusted key signed this note")
    return text, good


@dataclass(frozen=True)
class Checkpoint:
    """A tlog checkpoint body: origin, tree size, root hash."""

    origin: str
    size: int
    root: bytes


def format_checkpoint(cp: Checkpoint) -> str:
    return f"{cp.origin}\n{cp.size}\n{base64.b64encode(cp.root).decode()}\n"


def parse_checkpoint(text: str, *, step: str = "checkpoint") -> Checkpoint:
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise VerificationError(step, "checkpoint", "检查点格式错误", "malformed checkpoint body")
    origin, size_s, root_b64 = lines[0], lines[1], lines[2]
    if not size_s.isdigit() or (size_s != "0" and size_s.startswith("0")):
        raise VerificationError(step, "checkpoint", "检查点大小错误", f"bad tree size {size_s!r}")
    try:
        root = base64.b64decode(root_b64, validate=True)
    except binascii.Error as exc:
        raise VerificationError(step, "checkpoint", "检查点根哈希错误", "bad base64 root") from exc
    if len(root) != 32:
        raise VerificationError(step, "checkpoint", "检查点根哈希长度错误", "root is not 32 bytes")
    return Checkpoint(origin, int(size_s), root)


_ROTATION_HEADER = "sunshine key rotation/v2"


def sign_rotation(origin: str, old: Signer, new: Signer, after: Checkpoint) -> str:
    """A rotation statement naming both keys, signed by the old *and* the new key (TUF-style).

    It is bound to its run (``origin``) and to its place in that run's log (``after``: the
    checkpoint of the log just before the rotation entry), so it cannot be replayed elsewhere::

        sunshine key rotation/v2
        <origin>
        after <size> <base64 root>
        old <vkey>
        new <vkey>
    """
    text = (f"{_ROTATION_HEADER}\n{origin}\nafter {after.size} {base64.b64encode(after.root).decode()}\n"
            f"old {old.verifier.vkey}\nnew {new.verifier.vkey}\n")
    return sign_note(text, [old, new])


def verify_rotation(note: str, trusted: list[Verifier], *, step: str = "signatures") -> Verifier:
    """Return the new key of a rotation statement signed by a trusted old key and by the new key itself.

    Two *distinct* keys must sign: the old one (already trusted) and the new one (proving possession).
    """
    text, _ = open_note(note, trusted, step=step)
    lines = text.split("\n")
    shape_ok = len(lines) == 6 and lines[0] == _ROTATION_HEADER and lines[2].startswith("after ")
    if not shape_ok or not lines[3].startswith("old ") or not lines[4].startswith("new "):
        raise VerificationError(step, "key.rotate", "密钥轮换声明格式错误", "malformed key rotation statement")
    old, new = Verifier.from_vkey(lines[3][4:]), Verifier.from_vkey(lines[4][4:])
    if old not in trusted or new == old:
        raise SignatureInvalid(step, "key.rotate", "旧密钥不受信任", "rotation is not from a trusted key")
    open_note(note, [old], step=step)
    open_note(note, [new], step=step)
    return new
