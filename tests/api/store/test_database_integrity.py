"""What the database itself guarantees: log rows cannot be rewritten, racing appends cannot both win,
and the schema the migrations create is the one the code describes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fake_kind import T0, T_INIT
from fake_kind import make_fake_run as fake_run
from pg_server import PostgresServer as PgServer
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError
from store_fixtures import OPERATOR, StoreFactory, drive, step

from api.service import ceremony as svc
from api.store.base import RunStore, StoreConflict, StoreError
from api.store.database import DEFAULT_URL, URL_VARIABLE, Database, DatabaseRunStore, sqlite_url
from api.store.models import metadata
from audit.ceremony import State, replay_log
from audit.errors import CeremonyError
from audit.roster import commit_roster
from audit.signing import Signer

TABLES = {"runs", "run_keys", "log_entries", "run_private", "blobs", "run_files",
          "users", "run_settings", "idempotency", "jobs", "published_cosignatures"}


@pytest.mark.parametrize("sql", [
    "UPDATE log_entries SET actor = 'mallory' WHERE seq = 0",
    "UPDATE log_entries SET payload = '{}', checkpoint = ''",
    "DELETE FROM log_entries WHERE seq = 1",
    "DELETE FROM log_entries",
])
def test_a_log_row_cannot_be_updated_or_deleted(db_url: str, sql: str) -> None:
    db = Database(db_url)
    store, _ = drive(StoreFactory.on(db), until="freeze")
    before = store.log().to_bytes(), store.checkpoints()
    with db.engine.connect() as conn, pytest.raises(DBAPIError, match="log_entries is append-only"):
        conn.execute(text(sql))
        conn.commit()
    assert (store.log().to_bytes(), store.checkpoints()) == before
    db.close()


def test_postgresql_refuses_truncate_of_the_log(pg_url: str) -> None:
    db = Database(pg_url)
    store, _ = drive(StoreFactory.on(db), until="freeze")
    with db.engine.connect() as conn, pytest.raises(DBAPIError, match="TRUNCATE on log_entries"):
        conn.execute(text("TRUNCATE log_entries CASCADE"))
    assert store.log().size == 2
    db.close()


def _racing(stores: list[RunStore], signers: list[Signer]) -> list[BaseException | None]:
    """Both writers read the same log, then append their own valid ``roster.freeze`` at the same moment."""
    log = stores[0].log()
    origin = stores[0].info().origin
    run = stores[0].prepared()
    committed = commit_roster(run.roster, run.private, stores[0].roster_secret())
    prepared = []
    for s in signers:
        mine = stores[0].log()
        payload = {"roster_root": committed.root.hex(), "public_root": committed.public_root.hex(),
                   "roster_size": len(run.roster), "config_hash": replay_log(log).config_hash,
                   "inputs": {}}
        entry = mine.append(s.name, "roster.freeze", T_INIT, payload)
        prepared.append((entry, payload, mine.signed_checkpoint(origin, [s])))
    assert prepared[0][0].prev == prepared[1][0].prev == log.entries[-1].hash
    barrier = threading.Barrier(len(stores))
    outcome: list[BaseException | None] = [None] * len(stores)

    def writer(i: int) -> None:
        barrier.wait()
        try:
            entry, payload, note = prepared[i]
            stores[i].append(entry, payload, note, key=signers[i].verifier.vkey)
        except BaseException as exc:
            outcome[i] = exc

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


@pytest.mark.parametrize("attempt", range(3))
def test_racing_appends_of_the_same_step_exactly_one_wins(stores: StoreFactory, attempt: int) -> None:
    store, _ = drive(stores, until="init")
    run_id = store.info().run_id
    writers = [stores.open(run_id), stores.open(run_id)]  # two connections (two databases objects) / two handles
    signers = [Signer("writer-a", bytes([1]) * 32), Signer("writer-b", bytes([2]) * 32)]
    outcome = _racing(writers, signers)
    assert sorted(type(o).__name__ for o in outcome) == ["NoneType", "StoreConflict"]
    winner = outcome.index(None)
    log = stores.open(run_id).log()
    assert log.size == 2 and log.entries[1].actor == signers[winner].name
    assert replay_log(log).state is State.ROSTER_FROZEN
    assert signers[winner].verifier.vkey in store.info().keys
    assert signers[1 - winner].verifier.vkey not in store.info().keys
    assert len(store.checkpoints()) == 2


def test_racing_service_steps_leave_one_entry(db_url: str) -> None:
    """Two threads calling ``freeze`` at once: one is stored, the other is refused (conflict or state)."""
    db_a, db_b = Database(db_url), Database(db_url)
    store = svc.init_run(db_a.create_run, fake_run(), step())
    stores = [store, db_b.open_run(store.info().run_id)]
    barrier = threading.Barrier(2)
    outcome: list[BaseException | None] = [None, None]

    def freeze(i: int) -> None:
        barrier.wait()
        try:
            svc.freeze(stores[i], step())
        except (StoreConflict, CeremonyError) as exc:
            outcome[i] = exc

    threads = [threading.Thread(target=freeze, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome.count(None) == 1
    assert [e.action for e in store.log().entries] == ["ceremony.init", "roster.freeze"]
    db_a.close()
    db_b.close()


def test_a_stale_writer_gets_a_conflict_and_nothing_is_stored(db_url: str) -> None:
    db = Database(db_url)
    store, _ = drive(StoreFactory.on(db), until="init")
    stale = store.log()
    svc.freeze(store, step())
    entry = stale.append("operator", "note", T0, {"text": "late"})
    with pytest.raises(StoreConflict, match="another step happened first"):
        store.append(entry, {"text": "late"}, stale.signed_checkpoint(store.info().origin, [OPERATOR]))
    assert store.log().size == 2
    db.close()


def test_migrations_from_empty_create_every_table_and_the_triggers(db_url: str) -> None:
    db = Database(db_url)
    names = set(inspect(db.engine).get_table_names())
    assert names == TABLES | {"alembic_version"}
    with db.reading() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0002"
        if db.dialect == "sqlite":
            triggers = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        else:
            triggers = conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars()
        assert set(triggers) == ({"log_entries_no_update", "log_entries_no_delete"} if db.dialect == "sqlite"
                                 else {"log_entries_no_update_delete", "log_entries_no_truncate"})
    db.close()
    Database(db_url).close()  # a second open migrates nothing and keeps the data


def test_migrations_downgrade_to_empty_and_upgrade_again(db_url: str) -> None:
    db = Database(db_url)
    drive(StoreFactory.on(db), until="freeze")
    db.migrate("base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    db.migrate()
    assert set(inspect(db.engine).get_table_names()) == TABLES | {"alembic_version"}
    assert db.list_runs() == []
    drive(StoreFactory.on(db), until="freeze")  # triggers back in place
    with db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text("DELETE FROM log_entries"))
    db.close()


def test_models_and_migrations_agree(db_url: str) -> None:
    db = Database(db_url)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
    db.close()


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    db = Database(sqlite_url(tmp_path / "runs.db"))
    with db.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 1000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    db.close()
    raw = create_engine(sqlite_url(tmp_path / "runs.db"))
    with raw.connect() as conn:  # WAL is a property of the file: any later reader sees it
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    raw.dispose()


def test_the_roster_secret_and_private_fields_live_only_in_run_private(db_url: str) -> None:
    db = Database(db_url)
    store, _ = drive(StoreFactory.on(db), until="execute")
    assert isinstance(store, DatabaseRunStore)
    secret = store.roster_secret()
    with db.reading() as conn:
        for table in TABLES - {"run_private"}:
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                for value in row:
                    raw = value if isinstance(value, bytes | memoryview) else str(value).encode()
                    assert secret not in bytes(raw) and secret.hex().encode() not in bytes(raw), table
                    assert "学生".encode() not in bytes(raw), table
    db.close()


def test_the_unique_constraints_refuse_a_fork_even_without_the_prev_check(db_url: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The backstop: with the read-then-check removed, ``(run_id, prev)`` still refuses a second child of an entry."""
    monkeypatch.setattr("api.store.database.check_prev", lambda log, entry: None)
    db = Database(db_url)
    store, _ = drive(StoreFactory.on(db), until="init")
    stale = store.log()
    svc.freeze(store, step())
    entry = stale.append("operator", "note", T0, {"text": "fork"})
    with pytest.raises(StoreConflict, match="another writer appended"):
        store.append(entry, {"text": "fork"}, stale.signed_checkpoint(store.info().origin, [OPERATOR]))
    assert [e.action for e in store.log().entries] == ["ceremony.init", "roster.freeze"]
    db.close()


def test_two_processes_opening_an_empty_database_at_once_both_migrate_it(db_url: str) -> None:
    """First use from two places at once: the migration lock makes one create the schema, the other wait."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def open_db() -> None:
        barrier.wait()
        try:
            Database(db_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_db) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db = Database(db_url)
    assert set(inspect(db.engine).get_table_names()) == TABLES | {"alembic_version"}
    db.close()


def test_postgresql_over_its_unix_socket(pg_server: PgServer) -> None:
    url = pg_server.create_database()
    name = url.rsplit("/", 1)[1]
    db = Database(f"postgresql+psycopg://postgres@/{name}?host={pg_server.socket_dir}&port={pg_server.port}")
    store, _ = drive(StoreFactory.on(db), until="freeze")
    assert Database(url).open_run(store.info().run_id).log().size == 2
    db.close()


@pytest.mark.parametrize("url, message", [
    ("mysql://localhost/runs", "unsupported database 'mysql'"),
    ("sqlite://", "must be a file"),
])
def test_other_databases_are_refused_by_name(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        Database(url)


def test_without_a_url_the_environment_variable_names_the_database(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_VARIABLE, sqlite_url(tmp_path / "from-env.db"))
    Database().close()
    assert (tmp_path / "from-env.db").is_file()
    monkeypatch.delenv(URL_VARIABLE)
    monkeypatch.chdir(tmp_path)
    assert Database(migrate=False).url == DEFAULT_URL == "sqlite:///sunshine.db"
