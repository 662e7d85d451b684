"""Witness cosignatures of a published run's final checkpoint: the digital form of the notary's seal.

Once PUBLISHED the log is final, so these cosignatures are not log entries: they are kept
beside the run (table ``published_cosignatures``) and shipped in the served ``bundle.zip``
as ``cosignatures.json`` (docs/bundle.md § Cosignatures), which ``sunshine verify`` checks
against the keys the witnesses were declared with. Each is checked here before it is stored,
and a witness may cosign once (a second, different line is refused; the same line is a no-op).
"""

from __future__ import annotations

from sqlalchemy import insert, select

from api.service.lookup import bundle_files
from api.store.database import Cosignatures, DatabaseRunStore
from api.store.models import published_cosignatures
from audit.bundle import COSIGNATURES_FILE, zip_bytes
from audit.canonical import canonical_bytes
from audit.ceremony import State, replay_log
from audit.errors import CeremonyError
from audit.signing import Checkpoint
from audit.witness import verify_cosignature

__all__ = ["add_published_cosignature", "published_checkpoint", "served_bundle"]


def published_checkpoint(store: DatabaseRunStore) -> Checkpoint:
    """The final checkpoint of a published run (what witnesses cosign after publication)."""
    log = store.log()
    st = replay_log(log)
    if st.state is not State.PUBLISHED:
        raise CeremonyError(f"运行尚未发布（状态 {st.state.value}）",
                            f"the run is not published (state {st.state.value})")
    return log.checkpoint(st.origin, log.size)


def add_published_cosignature(store: DatabaseRunStore, witness: str, line: str) -> None:
    """Check ``line`` is ``witness``'s cosignature of the published checkpoint, then keep it."""
    cp = published_checkpoint(store)
    w = replay_log(store.log()).witness(witness)
    if w is None:
        raise CeremonyError(f"{witness} 不是本次运行声明的见证人", f"{witness} is not a declared witness of this run")
    verify_cosignature(line, w.key, cp, step="cosignatures")
    with store.db.writing() as conn:
        old = conn.execute(select(published_cosignatures.c.cosignature).where(
            published_cosignatures.c.run_id == store.run_id, published_cosignatures.c.witness == witness)
        ).scalar_one_or_none()
        if old == line:
            return
        if old is not None:
            raise CeremonyError(f"见证人 {witness} 已联署发布的检查点", f"witness {witness} already cosigned it")
        conn.execute(insert(published_cosignatures).values(run_id=store.run_id, witness=witness, size=cp.size,
                                                           cosignature=line))


def served_bundle(publication: dict[str, bytes], cosignatures: Cosignatures) -> bytes:
    """``bundle.zip`` as served: the published one, plus ``cosignatures.json`` once any witness cosigned."""
    if not cosignatures:
        return publication["bundle.zip"]
    files = bundle_files(publication)
    files[COSIGNATURES_FILE] = canonical_bytes({"checkpoint_size": cosignatures[0][1],
                                                "cosignatures": {w: line for w, _size, line in cosignatures}})
    return zip_bytes(files)
