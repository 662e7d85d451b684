"""Audit errors: everything the verifier, the log and the ceremony raise on purpose.

All subclass :class:`engine.errors.SunshineError`, so the command line prints their
bilingual :meth:`diagnostics` and exits with status 2.
"""

from __future__ import annotations

from engine.errors import SunshineError

__all__ = [
    "BeaconError",
    "BundleError",
    "CanonicalError",
    "CeremonyError",
    "KeyFileError",
    "NotInRun",
    "ProofError",
    "RootMismatch",
    "SignatureInvalid",
    "SpellingError",
    "VerificationError",
]


class CanonicalError(SunshineError):
    """A value that has no canonical (RFC 8785) encoding in Sunshine's JSON subset (e.g. a float)."""


class VerificationError(SunshineError):
    """A check failed. ``step`` names the verification step, ``item`` the first bad item."""

    def __init__(self, step: str, item: str, message_zh: str, message_en: str) -> None:
        self.step = step
        self.item = item
        super().__init__(
            f"核验步骤「{step}」失败（{item}）：{message_zh}",
            f"Verification step '{step}' failed at {item}: {message_en}",
        )

    def diagnostics(self) -> str:
        return super().diagnostics() + "\nThe bundle may have been modified, or produced by a different engine."


class RootMismatch(VerificationError):
    """A recomputed Merkle root differs from the expected (committed) one."""

    def __init__(self, step: str, item: str, expected: bytes, calculated: bytes) -> None:
        self.expected = expected
        self.calculated = calculated
        super().__init__(
            step,
            item,
            f"默克尔根不一致：期望 {expected.hex()}，计算得到 {calculated.hex()}",
            f"Merkle root mismatch: expected {expected.hex()}, calculated {calculated.hex()}",
        )


class SignatureInvalid(VerificationError):
    """No trusted key produced a valid signature."""


class BeaconError(VerificationError):
    """A drand beacon or chain that cannot be proven: bad signature, wrong round, unknown scheme, bad spelling.

    ``item`` names what failed (e.g. ``"round 72785 signature"``); the step is ``"drand beacon"``.
    """

    def __init__(self, item: str, message_zh: str, message_en: str) -> None:
        super().__init__("drand beacon", item, message_zh, message_en)


class SpellingError(SunshineError):
    """A hashed value not in its one canonical spelling (audit.spelling). ``field`` names the value."""

    def __init__(self, field: str, message_zh: str, message_en: str) -> None:
        self.field = field
        super().__init__(
            f"「{field}」的写法不规范：{message_zh}", f"'{field}' is not in its canonical spelling: {message_en}"
        )


class ProofError(SunshineError):
    """A malformed inclusion/consistency proof request (bad index or size)."""


class BundleError(SunshineError):
    """A bundle that cannot be read at all (missing file, not JSON, not a zip)."""


class CeremonyError(SunshineError):
    """A ceremony step attempted out of order or with bad inputs."""


class KeyFileError(SunshineError):
    """An operator key file that is missing, unreadable or malformed."""


class NotInRun(SunshineError):
    """A receipt was asked for an application number that is not in the run's committed roster.

    Not a :class:`VerificationError`: nothing is wrong with the bundle (usually a typing
    mistake, or the applicant registered in another zone's run).
    """

    def __init__(self, applicant_id: str) -> None:
        self.applicant_id = applicant_id
        super().__init__(
            f"报名号 {applicant_id} 不在本次运行中（冻结名单里没有此报名号；请核对报名号和所在片区）",
            f"applicant {applicant_id} is not in this run (no such id in the committed roster; "
            "check the number and the zone)",
        )
