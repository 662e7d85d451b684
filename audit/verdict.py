"""The verdict after every verification step held: what was proven, and what was only claimed.

Passing every step of :func:`audit.verify.verify_bundle` is not enough to call an official
run VERIFIED: signatures prove something only against keys the verifier trusts for reasons
outside the bundle. So the verdict (docs/bundle.md § Verdict) is VERIFIED only when

* the operator key was pinned (``--key``), for an official run (a practice run's key proves
  nothing and the verdict says PRACTICE);
* every witness key declared in the log was pinned too (``--witness-key``): otherwise a
  forger could declare witnesses of their own;
* the public value is a verified drand beacon; a run seeded from its declared fallback is
  "public value claimed, not proven" and is refused unless the caller explicitly accepts that.

Pure: the verified state and the pins in, the verdict out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from audit.ceremony import CeremonyState
from audit.signing import Verifier

__all__ = ["Verdict", "verdict"]


@dataclass(frozen=True)
class Verdict:
    """``ok`` decides the exit status; ``line`` is the last line printed; ``reasons`` say what is missing."""

    ok: bool
    line: str
    reasons: tuple[str, ...] = ()

    @property
    def line_zh(self) -> str:
        """The verdict in Chinese, printed under the English line."""
        if not self.ok:
            return "未通过：各步骤均成立，但" + "；".join(_ZH.get(r.split(" ")[0], r) for r in self.reasons)
        if "practice run" in self.line:
            return "已验证：每一步都成立（练习运行，不是正式结果）"
        claimed = "；公开随机值为备用来源，仅为声称，未经证明" if "fallback" in self.line else ""
        sealed = self.line.partition("published checkpoint cosigned by ")[2]
        return "已验证：每一步都成立（密钥已固定）" + claimed + (f"；发布的检查点已由 {sealed} 联署" if sealed else "")


_ZH = {"the": "未固定操作员公钥（请用 --key 传入教育局公布的公钥）",
       "witness": "有见证人公钥未固定（请为每位见证人传入 --witness-key）",
       "public": "公开随机值来自备用来源，仅为声称，未经证明（如接受请加 --allow-fallback）"}


def _fingerprints(keys: Sequence[Verifier]) -> str:
    return ", ".join(f"{k.name} SHA256:{k.fingerprint[:16]}…" for k in keys)


def verdict(state: CeremonyState, *, signers: Sequence[Verifier], operator_pinned: bool,
            witness_keys: Sequence[Verifier], allow_fallback: bool = False, cosigners: Sequence[str] = ()) -> Verdict:
    """The verdict for a bundle whose every step held (see module docstring)."""
    signed = f"signed by {_fingerprints(signers)}" if signers else "signed by an unknown key"
    if state.practice:
        return Verdict(True, f"VERIFIED: every step holds (practice run: not an official result; {signed})")
    reasons: list[str] = []
    if not operator_pinned:
        reasons.append("the operator key was not pinned (pass --key with the key the bureau published)")
    declared = [w.key for w in state.witnesses]
    missing = [k for k in declared if k not in witness_keys]
    if missing:
        reasons.append("witness key(s) not pinned: " + _fingerprints(missing) + " (pass --witness-key for each)")
    pv = (state.seed_record or {}).get("inputs", {}).get("public_value", {})
    fallback = pv.get("source") == "fallback"
    if fallback and not allow_fallback:
        reasons.append(f"public value claimed, not proven: the declared fallback {pv.get('description')!r} "
                       "was used (pass --allow-fallback to accept it)")
    if reasons:
        return Verdict(False, f"NOT VERIFIED: every step holds, but {'; '.join(reasons)}; {signed}", tuple(reasons))
    note = " (public value claimed, not proven: fallback accepted by --allow-fallback)" if fallback else ""
    sealed = f"; published checkpoint cosigned by {', '.join(cosigners)}" if cosigners else ""
    return Verdict(True, f"VERIFIED: every step holds{note}; {signed}; "
                         f"witnesses {_fingerprints(declared) or 'none'}{sealed}")
