"""The whole ceremony through ``api.service.ceremony`` on each store: a folder, a SQLite file, PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_kind import make_fake_run as fake_run
from store_fixtures import OPERATOR, StoreFactory, drive, reference_bundle, step

from api.runs import get_kind
from api.service import ceremony as svc
from api.store.base import RunStore
from api.store.database import Database, DatabaseRunStore
from audit.bundle import Bundle, read_zip
from audit.ceremony import State, replay_log
from audit.errors import CeremonyError
from audit.verify import STEPS, verify_bundle


def _stored(store: RunStore) -> tuple[int, list[str], dict[str, bytes], dict[str, bytes]]:
    """Everything a refused step must leave as it was."""
    return store.log().size, store.checkpoints(), store.results(), store.publication()


def test_whole_ceremony_verifies_and_gives_the_same_bytes_on_every_store(stores: StoreFactory, tmp_path: Path
                                                                         ) -> None:
    store, pub = drive(stores)
    assert pub is not None
    bundle = Bundle.from_files(pub.bundle)
    lines = list(verify_bundle(bundle, trusted_keys=[OPERATOR.verifier], execute=get_kind("fake").execute))
    assert [line.split(":")[0] for line in lines] == list(STEPS)  # every step holds: VERIFIED
    assert read_zip(pub.bundle_zip) == pub.bundle

    again = stores.open(store.info().run_id)  # a new connection / a fresh look at the folder
    assert replay_log(again.log()).state is State.PUBLISHED
    assert again.publication() == pub.files()
    assert len(again.checkpoints()) == again.log().size == 15  # with a withdrawal, 2 + 2 cosignatures
    assert again.info().title == "测试运行"
    assert again.prepared().private["A0001"]["name"] == "学生1"
    assert pub.files() == reference_bundle(tmp_path)  # byte-identical to the directory store's


def test_catalog_lists_runs_with_the_state_their_log_establishes(db_url: str) -> None:
    db = Database(db_url)
    factory = StoreFactory.on(db)
    done, _ = drive(factory, until="execute")
    drafts = [svc.init_run(db.create_run, done.prepared(), step()) for _ in range(2)]
    listed = {r.info.run_id: r for r in db.list_runs()}
    assert {k: (r.state, r.log_size) for k, r in listed.items()} == {
        done.info().run_id: (State.EXECUTED, 14), **{d.info().run_id: (State.DRAFT, 1) for d in drafts}}
    assert listed[done.info().run_id].info == done.info()
    assert not any(r.publication_stored for r in listed.values())
    svc.publish(done, step())
    assert [r.publication_stored for r in db.list_runs() if r.info.run_id == done.info().run_id] == [True]
    assert db.open_run(done.info().run_id).results() == done.results() != {}
    with pytest.raises(Exception, match="there is no run 'nope'"):
        db.open_run("nope")
    db.close()


@pytest.mark.parametrize("until, action", [
    ("init", "execute"), ("init", "publish"), ("freeze", "seed"), ("seed", "publish"), ("execute", "execute"),
    ("publish", "freeze"),
])
def test_out_of_order_steps_are_refused_naming_the_state_and_store_nothing(stores: StoreFactory, until: str,
                                                                           action: str) -> None:
    store, _ = drive(stores, until=until)
    state = replay_log(store.log()).state
    before = _stored(store)
    calls = {"execute": lambda: svc.execute(store, step()), "publish": lambda: svc.publish(store, step()),
             "seed": lambda: svc.seed(store, step(), "ff"), "freeze": lambda: svc.freeze(store, step())}
    with pytest.raises(CeremonyError, match=f"in state {state.value}"):
        calls[action]()
    assert _stored(store) == before
    if isinstance(store, DatabaseRunStore):
        assert store.state() is state


def test_an_entry_the_state_machine_refuses_is_refused_by_the_database_store_too(db_url: str) -> None:
    """``append`` replays the new log itself: a caller that skips the service cannot store a bad step."""
    db = Database(db_url)
    store = svc.init_run(db.create_run, fake_run(), step())
    log = store.log()
    payload = {"results": {}, "engine": {}}
    entry = log.append("operator", "run.execute", None, payload)
    with pytest.raises(CeremonyError, match="DRAFT"):
        store.append(entry, payload, log.signed_checkpoint(store.info().origin, [OPERATOR]))
    assert store.log().size == 1
    assert db.list_runs()[0].state is State.DRAFT
    db.close()


def test_identical_files_are_stored_once(db_url: str) -> None:
    from sqlalchemy import func, select

    from api.store.models import blobs, run_files

    db = Database(db_url)
    factory = StoreFactory.on(db)
    first, pub = drive(factory)
    assert pub is not None
    first.save_publication(pub.files())  # idempotent
    with db.reading() as conn:
        blob_count = conn.execute(select(func.count()).select_from(blobs)).scalar_one()
        file_count = conn.execute(select(func.count()).select_from(run_files)).scalar_one()
    second = svc.init_run(db.create_run, first.prepared(), step())  # same inputs, new run
    with db.reading() as conn:
        assert conn.execute(select(func.count()).select_from(blobs)).scalar_one() == blob_count
        assert conn.execute(select(func.count()).select_from(run_files)).scalar_one() > file_count
    assert second.prepared() == first.prepared()
    db.close()


def test_inputs_change_only_while_draft_and_the_log_records_it(stores: StoreFactory) -> None:
    store, _ = drive(stores, until="init")
    bigger = fake_run(n=15)
    svc.update_inputs(store, bigger, step())
    again = stores.open(store.info().run_id)
    assert len(again.prepared().roster) == 15 and again.prepared().private == bigger.private
    assert [e.action for e in again.log().entries] == ["ceremony.init", "inputs.update"]
    svc.freeze(again, step())
    with pytest.raises(CeremonyError, match="in state ROSTER_FROZEN"):
        svc.update_inputs(again, fake_run(n=3), step())
    assert len(stores.open(store.info().run_id).prepared().roster) == 15


def test_a_real_lottery_on_the_database_verifies_and_replays(db_url: str) -> None:
    """The sample lottery (real kind, real input files) through every step on the database store."""
    from fake_kind import BEACON, DEADLINE, T0, T_DECLARE, T_INIT, WITNESSES

    from api.cli.common import prepare_from_paths
    from audit.beacon import QUICKNET
    from audit.ceremony import parse_time, witness_commitment
    from audit.witness import cosign

    samples = Path(__file__).resolve().parents[3] / "samples" / "lottery"
    run = prepare_from_paths("lottery", {"schools": samples / "schools.csv",
                                         "applicants": samples / "applicants.csv"}, {})
    db = Database(db_url)
    store = svc.init_run(db.create_run, run, step(time=T_INIT))
    assert db.open_run(store.info().run_id).prepared() == run  # inputs round-trip exactly
    svc.freeze(store, step(time=T_INIT))
    alice = svc.WitnessKey("alice", WITNESSES["alice"])
    svc.declare(store, step(time=T_DECLARE), [("alice", alice.signer.verifier)], reveal_deadline=DEADLINE,
                chain=QUICKNET, beacon_round=BEACON["round"])
    svc.witness_act(store, step(), alice, "commit", {"commitment": witness_commitment("v", "s")}, parse_time(T0))
    cp = svc.witness_checkpoint(store, "reveal")
    svc.cosign(store, step("alice"), "alice", cp.size, cosign(alice.signer, cp, parse_time(T0)))
    svc.witness_act(store, step(), alice, "reveal", {"value": "v", "salt": "s"}, parse_time(T0))
    svc.seed(store, step(), {"round": BEACON["round"], "signature": BEACON["signature"]})
    svc.execute(store, step())
    pub = svc.publish(store, step())
    lines = list(verify_bundle(Bundle.from_files(pub.bundle), trusted_keys=[OPERATOR.verifier],
                               execute=get_kind("lottery").execute))
    assert [line.split(":")[0] for line in lines] == list(STEPS)
    assert db.open_run(store.info().run_id).publication() == pub.files()
    db.close()
