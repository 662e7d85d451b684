"""The database store: runs in SQLite (embedded, the default) or PostgreSQL, through SQLAlchemy 2.

:class:`Database` is the catalog the HTTP service opens once (``create_run``, ``open_run``,
``list_runs``); :class:`DatabaseRunStore` is one run behind the
:class:`~api.store.base.RunStore` protocol, with the directory store's semantics:

* :meth:`DatabaseRunStore.append` is ONE transaction: the log row (with its signed
  checkpoint), the result files, the new key and the run's ``state``/``log_size``. The
  state is never written on its own: it is :func:`audit.ceremony.replay_log` of the log as
  it will be after the append, so the database never holds a state that the log does not
  explain (and an entry the state machine refuses is refused by the store as well).
* Two writers racing on the same step cannot both append: the run's row is locked
  (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) before the last
  entry is read, and ``(run_id, seq)`` / ``(run_id, prev)`` are unique as a backstop; the
  loser gets :class:`~api.store.base.StoreConflict`.
* Log rows are append-only in the database itself (triggers created by the migration).
* Files are stored once per content (``blobs``, keyed by SHA-256 hex), named per run.
* A crash (even SIGKILL) mid-step rolls the transaction back: the run stays at its last
  committed state, with no partial rows and no staging files anywhere.

The schema is created and upgraded by the Alembic migrations shipped in
``api/store/migrations`` on first use (:meth:`Database.migrate`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    bindparam,
    create_engine,
    delete,
    event,
    exists,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from api.runs.kind import PreparedRun
from api.store.base import NewRun, RunInfo, StoreConflict, StoreError, StoreFull, check_prev, validated_names
from api.store.models import blobs, log_entries, published_cosignatures, run_files, run_keys, run_private, runs
from audit.canonical import canonical_bytes, sha256_hex
from audit.ceremony import State, replay_log
from audit.errors import VerificationError
from audit.log import AuditLog, LogEntry

__all__ = ["DEFAULT_URL", "URL_VARIABLE", "Cosignatures", "Database", "DatabaseRunStore", "RunHead", "RunRecord",
           "sqlite_url"]

#: A published checkpoint's witness cosignatures: (witness, checkpoint size, line), by witness.
Cosignatures = tuple[tuple[str, int, str], ...]

#: The environment variable that names the database when no URL is given.
URL_VARIABLE = "SUNSHINE_DATABASE_URL"
#: An embedded SQLite file in the working directory.
DEFAULT_URL = "sqlite:///sunshine.db"
#: How long a SQLite writer waits for another one (milliseconds) before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Key of the PostgreSQL advisory lock that serialises migrations between processes.
_MIGRATION_LOCK = 0x53554E5348494E45  # "SUNSHINE"
_MIGRATIONS = Path(__file__).with_name("migrations")


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of the SQLite file ``path``."""
    return f"sqlite:///{Path(path).resolve()}"


@dataclass(frozen=True)
class RunRecord:
    """One run of the catalog: identity, the state its log establishes, the log size, and whether
    its publication is stored (False for a PUBLISHED run means ``publish`` was cut short after
    its commit: calling it again finishes the run with the same bytes)."""

    info: RunInfo
    state: State
    log_size: int
    publication_stored: bool


@dataclass(frozen=True)
class RunHead:
    """What a run's cached answers depend on: state, log size, whether its publication is stored,
    and the seals (witness cosignatures of the published checkpoint), which still arrive after
    publication."""

    state: State
    log_size: int
    publication_stored: bool
    cosignatures: Cosignatures


def _head_statement() -> Select[Any]:
    """:meth:`DatabaseRunStore.head`'s statement, built once (building it per call cost as much as running it)."""
    stored = exists().where(run_files.c.run_id == runs.c.run_id, run_files.c.section == "publication")
    seals = published_cosignatures.c
    return (select(runs.c.state, runs.c.log_size, stored.label("stored"), seals.witness, seals.size, seals.cosignature)
            .select_from(runs.outerjoin(published_cosignatures, seals.run_id == runs.c.run_id))
            .where(runs.c.run_id == bindparam("run_id")).order_by(seals.witness))


_HEAD = _head_statement()


def _json_bytes(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


class Database:
    """A run database: opened by SQLAlchemy URL, migrated to the newest schema on first use.

    ``url``: ``sqlite:///path/to/file.db`` or ``postgresql+psycopg://user@host:port/name``
    (psycopg 3); ``None`` takes ``$SUNSHINE_DATABASE_URL``, else :data:`DEFAULT_URL`.
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise StoreError("运行数据库必须是文件", "the run database must be a file (not an in-memory SQLite)")
            self.engine: Engine = create_engine(self.url, connect_args={"check_same_thread": False})
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        elif self.dialect == "postgresql":
            self.engine = create_engine(self.url, pool_pre_ping=True)
        else:
            raise StoreError(f"不支持的数据库 {self.dialect}",
                             f"unsupported database {self.dialect!r} (use sqlite:/// or postgresql+psycopg://)")
        if migrate:
            self.migrate()

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # ---- transactions ---------------------------------------------------------------------
    def _unit(self) -> _Unit | None:
        unit = _CURRENT_UNIT.get()
        return unit if unit is not None and unit.db is self else None

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Make every read and write inside the block ONE transaction (one request, one effect).

        WHY: a request of the service may write several times (a new run, its settings and its
        options; a cosignature and a statement; the step and its ``Idempotency-Key`` answer). A
        crash (SIGKILL, a dropped connection, a full disk) between two commits would leave half
        of it. Inside a unit, :meth:`writing` joins one transaction, begun lazily at the first
        write (so a slow parse before it holds no lock), each write in its own savepoint (a
        refused write undoes only itself); :meth:`reading` after the first write joins it too
        (it must see its own writes). The block's end commits; an exception rolls all of it back.
        Callbacks given to :meth:`after_commit` run once the commit is durable (a background job
        must not start on a step that may still roll back). Nested units join the outer one.
        """
        if self._unit() is not None:
            yield
            return
        unit = _Unit(self)
        token = _CURRENT_UNIT.set(unit)
        try:
            yield
            if unit.conn is not None:
                with _database_errors():
                    unit.conn.commit()
        except BaseException:
            if unit.conn is not None:
                with suppress(SQLAlchemyError):  # a dead connection has nothing to roll back
                    unit.conn.rollback()
            raise
        finally:
            _CURRENT_UNIT.reset(token)
            if unit.conn is not None:
                with suppress(SQLAlchemyError):
                    unit.conn.close()
        for callback in unit.after:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current unit has committed (at once outside a unit)."""
        unit = self._unit()
        if unit is None:
            callback()
        else:
            unit.after.append(callback)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read transaction on one consistent snapshot (REPEATABLE READ on PostgreSQL)."""
        unit = self._unit()
        if unit is not None and unit.conn is not None:
            with _database_errors():
                yield unit.conn
            return
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with _database_errors(), conn.begin():
                yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` on SQLite (writers queue, then see the newest data).

        Inside a :meth:`unit`, a savepoint of the unit's one transaction.
        """
        unit = self._unit()
        if unit is not None:
            with _database_errors():
                if unit.conn is None:
                    conn = self.engine.connect().execution_options(sunshine_write=True)
                    try:
                        conn.begin()
                    except BaseException:
                        conn.close()
                        raise
                    unit.conn = conn
                with unit.conn.begin_nested():
                    yield unit.conn
            return
        with self.engine.connect() as conn:
            conn = conn.execution_options(sunshine_write=True)
            with _database_errors(), conn.begin():
                yield conn

    def migrate(self, revision: str = "head") -> None:
        """Create or upgrade the schema to ``revision`` (``alembic upgrade head``), under a lock.

        ``revision`` ``"base"`` downgrades to an empty database (tests and operators only: it
        drops every table, the log included).
        """
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with self.writing() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            config.attributes["connection"] = conn
            if revision == "base":
                command.downgrade(config, "base")
            else:
                command.upgrade(config, revision)

    # ---- catalog --------------------------------------------------------------------------
    def create_run(self, new: NewRun) -> DatabaseRunStore:
        """Store a new run whole (identity, inputs, secret, first entry) in one transaction."""
        info = new.info
        log = AuditLog()
        check_prev(log, new.entry)  # the first entry starts the chain
        log.entries.append(new.entry)
        log.payloads.append(new.payload)
        state = replay_log(log)
        try:
            with self.writing() as conn:
                conn.execute(insert(runs).values(run_id=info.run_id, kind=info.kind, origin=info.origin,
                                                 title=info.title, state=state.state.value, log_size=1))
                for i, k in enumerate(dict.fromkeys(info.keys)):
                    conn.execute(insert(run_keys).values(run_id=info.run_id, position=i, vkey=k))
                store = DatabaseRunStore(self, info.run_id)
                store._write_prepared(conn, new.prepared)
                conn.execute(insert(run_private).values(run_id=info.run_id, roster_secret=new.roster_secret,
                                                        private_fields=_json_bytes(new.prepared.private)))
                store._insert_entry(conn, 0, new.entry, new.payload, new.checkpoint)
        except IntegrityError as exc:
            raise StoreError(f"运行 {info.run_id} 已存在", f"a run {info.run_id} already exists") from exc
        return store

    def open_run(self, run_id: str) -> DatabaseRunStore:
        """The store of an existing run (raises :class:`StoreError` when there is none)."""
        store = DatabaseRunStore(self, run_id)
        store.info()
        return store

    def list_runs(self) -> list[RunRecord]:
        """Every run with the state its log establishes, by run id."""
        with self.reading() as conn:
            keys: dict[str, list[str]] = {}
            for row in conn.execute(select(run_keys.c.run_id, run_keys.c.vkey)
                                    .order_by(run_keys.c.run_id, run_keys.c.position)):
                keys.setdefault(row.run_id, []).append(row.vkey)
            stored = set(conn.execute(select(run_files.c.run_id).distinct()
                                      .where(run_files.c.section == "publication")).scalars())
            return [RunRecord(_info(row, keys.get(row.run_id, [])), State(row.state), row.log_size,
                              row.run_id in stored)
                    for row in conn.execute(select(runs).order_by(runs.c.run_id))]


@dataclass
class _Unit:
    """The one transaction of a :meth:`Database.unit` (its connection once the first write began it)."""

    db: Database
    conn: Connection | None = None
    after: list[Callable[[], None]] = field(default_factory=list)


_CURRENT_UNIT: ContextVar[_Unit | None] = ContextVar("sunshine_database_unit", default=None)


def _sqlite_on_connect(dbapi_conn: Any, _record: object) -> None:
    """Every SQLite connection: WAL (readers never block the writer), a busy timeout, foreign keys on.

    ``isolation_level = None`` stops the sqlite3 module from issuing its own BEGINs, so
    :func:`_sqlite_on_begin` decides how each transaction starts.
    """
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        _use_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL (a persistent setting of the file; a no-op once done).

    Two connections switching a new file at once can get "database is locked" at once (SQLite
    skips the busy handler where waiting could deadlock), so the switch is retried for up to
    the busy timeout; this is storage plumbing, nothing audit-relevant depends on the timing.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _sqlite_on_begin(conn: Connection) -> None:
    """Writers start with ``BEGIN IMMEDIATE``: they take the write lock before reading the last entry."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("sunshine_write") else "BEGIN")


#: PostgreSQL's SQLSTATE for "disk full" (class 53, insufficient resources).
_PG_DISK_FULL = "53100"


def _disk_full(exc: OperationalError) -> bool:
    return (getattr(exc.orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
            or getattr(exc.orig, "sqlstate", None) == _PG_DISK_FULL)


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached or stays locked is a StoreError naming the cause; a full disk, StoreFull."""
    try:
        yield
    except OperationalError as exc:
        if _disk_full(exc):
            raise StoreFull("运行数据库的磁盘已满，本步骤未写入任何内容；请释放空间后重试",
                            f"the run database's disk is full; nothing of this step was written: free space "
                            f"and retry ({exc.orig})") from exc
        raise StoreError("无法访问运行数据库", f"the run database cannot be used: {exc.orig}") from exc


def _conflict() -> StoreConflict:
    return StoreConflict("另一个操作已先写入此运行的日志，请刷新后重试",
                         "another writer appended to this run's log first; re-read the run and retry")


def _info(row: Any, keys: list[str]) -> RunInfo:
    return RunInfo(run_id=row.run_id, kind=row.kind, origin=row.origin, title=row.title, keys=tuple(keys))


class DatabaseRunStore:
    """One run in a :class:`Database`."""

    def __init__(self, db: Database, run_id: str) -> None:
        self.db = db
        self.run_id = run_id

    # ---- reading --------------------------------------------------------------------------
    def _run_row(self, conn: Connection, *, lock: bool = False) -> Any:
        query = select(runs).where(runs.c.run_id == self.run_id)
        row = conn.execute(query.with_for_update() if lock else query).one_or_none()
        if row is None:
            raise StoreError(f"没有运行 {self.run_id}", f"there is no run {self.run_id!r} in the database")
        return row

    def info(self) -> RunInfo:
        with self.db.reading() as conn:
            row = self._run_row(conn)
            keys = conn.execute(select(run_keys.c.vkey).where(run_keys.c.run_id == self.run_id)
                                .order_by(run_keys.c.position)).scalars().all()
            return _info(row, list(keys))

    def state(self) -> State:
        """The state column (what the log establishes, stored with the last log row)."""
        with self.db.reading() as conn:
            return State(self._run_row(conn).state)

    def head(self) -> RunHead:
        """The run's :class:`RunHead`, in ONE statement (raises :class:`StoreError` when there is no run).

        What caches of a run's answers are keyed on: a published run's log is final, so a
        cache built at this head stays right while the head is the same. It is the only read a
        published run's page costs in the results hour, so it is one round trip, not one per
        fact: the run row, whether a publication is stored, and the seals, joined.
        """
        with self.db.reading() as conn:
            rows = conn.execute(_HEAD, {"run_id": self.run_id}).all()
        if not rows:
            raise StoreError(f"没有运行 {self.run_id}", f"there is no run {self.run_id!r} in the database")
        first = rows[0]
        cosignatures = tuple((r.witness, int(r.size), r.cosignature) for r in rows if r.witness is not None)
        return RunHead(State(first.state), int(first.log_size), bool(first.stored), cosignatures)

    def _files(self, conn: Connection, section: str) -> dict[str, bytes]:
        rows = conn.execute(select(run_files.c.name, blobs.c.data)
                            .join(blobs, blobs.c.digest == run_files.c.digest)
                            .where(run_files.c.run_id == self.run_id, run_files.c.section == section)
                            .order_by(run_files.c.name))
        return {row.name: bytes(row.data) for row in rows}

    def _section(self, section: str) -> dict[str, bytes]:
        with self.db.reading() as conn:
            self._run_row(conn)
            return self._files(conn, section)

    def prepared(self) -> PreparedRun:
        with self.db.reading() as conn:
            row = self._run_row(conn)
            files = self._files(conn, "prepared")
            private = conn.execute(select(run_private.c.private_fields)
                                   .where(run_private.c.run_id == self.run_id)).scalar_one()
            try:
                return PreparedRun(kind=row.kind, config=json.loads(files["config.json"]),
                                   roster=json.loads(files["roster.json"]), private=json.loads(bytes(private)),
                                   source_files=self._files(conn, "source"))
            except (KeyError, ValueError) as exc:
                raise StoreError(f"无法读取运行 {self.run_id} 的输入",
                                 f"cannot read the prepared inputs of run {self.run_id}: {exc}") from exc

    def source_files(self) -> dict[str, bytes]:
        return self._section("source")

    def roster_secret(self) -> bytes:
        with self.db.reading() as conn:
            self._run_row(conn)
            return bytes(conn.execute(select(run_private.c.roster_secret)
                                      .where(run_private.c.run_id == self.run_id)).scalar_one())

    def _log(self, conn: Connection) -> tuple[AuditLog, list[str]]:
        rows = conn.execute(select(log_entries).where(log_entries.c.run_id == self.run_id)
                            .order_by(log_entries.c.seq)).all()
        lines = b"".join(canonical_bytes({
            "entry": {"actor": r.actor, "action": r.action, "time": r.time, "payload_hash": r.payload_hash,
                      "prev": r.prev},
            "payload": json.loads(r.payload)}) + b"\n" for r in rows)
        try:
            log = AuditLog.from_bytes(lines)
        except VerificationError as exc:
            raise StoreError(f"运行 {self.run_id} 的日志已损坏：{exc.message_zh}",
                             f"the log of run {self.run_id} is damaged: {exc.message_en}") from exc
        if [r.seq for r in rows] != list(range(len(rows))):
            raise StoreError(f"运行 {self.run_id} 的日志缺少条目", f"the log of run {self.run_id} has gaps")
        return log, [r.checkpoint for r in rows]

    def log(self) -> AuditLog:
        with self.db.reading() as conn:
            self._run_row(conn)
            return self._log(conn)[0]

    def checkpoints(self) -> list[str]:
        with self.db.reading() as conn:
            self._run_row(conn)
            return self._log(conn)[1]

    def results(self) -> dict[str, bytes]:
        return self._section("result")  # written only in the run.execute transaction

    def publication(self) -> dict[str, bytes]:
        with self.db.reading() as conn:
            if State(self._run_row(conn).state) is not State.PUBLISHED:
                return {}
            return self._files(conn, "publication")

    # ---- writing --------------------------------------------------------------------------
    def _insert_entry(self, conn: Connection, seq: int, entry: LogEntry, payload: object, checkpoint: str) -> None:
        conn.execute(insert(log_entries).values(
            run_id=self.run_id, seq=seq, actor=entry.actor, action=entry.action, time=entry.time,
            payload_hash=entry.payload_hash, prev=entry.prev, entry_hash=entry.hash,
            payload=canonical_bytes(payload).decode(), checkpoint=checkpoint))

    def _put_files(self, conn: Connection, section: str, files: Mapping[str, bytes]) -> None:
        """Make ``section`` hold exactly ``files``; contents go to ``blobs`` once per digest."""
        validated_names(list(files))
        digests = {name: sha256_hex(data) for name, data in files.items()}
        new_blobs = {digests[name]: data for name, data in files.items()}
        if new_blobs:
            dialect_insert = postgresql.insert if self.db.dialect == "postgresql" else sqlite.insert
            conn.execute(dialect_insert(blobs).on_conflict_do_nothing(index_elements=["digest"]),
                         [{"digest": d, "size": len(b), "data": b} for d, b in sorted(new_blobs.items())])
        conn.execute(delete(run_files).where(run_files.c.run_id == self.run_id, run_files.c.section == section))
        if digests:
            conn.execute(insert(run_files), [{"run_id": self.run_id, "section": section, "name": n, "digest": d}
                                             for n, d in sorted(digests.items())])

    def _write_prepared(self, conn: Connection, prepared: PreparedRun) -> None:
        self._put_files(conn, "prepared", {"config.json": _json_bytes(prepared.config),
                                           "roster.json": _json_bytes(list(prepared.roster))})
        self._put_files(conn, "source", prepared.source_files)  # names as given (validated)

    def append(self, entry: LogEntry, payload: object, checkpoint: str, *,
               results: Mapping[str, bytes] | None = None, key: str | None = None,
               inputs: PreparedRun | None = None, publication: Mapping[str, bytes] | None = None) -> None:
        try:
            with self.db.writing() as conn:
                row = self._run_row(conn, lock=True)
                log, _ = self._log(conn)
                check_prev(log, entry)
                log.entries.append(entry)
                log.payloads.append(payload)
                state = replay_log(log)  # the state machine must accept the new log, or nothing is stored
                self._insert_entry(conn, log.size - 1, entry, payload, checkpoint)
                if results is not None:
                    self._put_files(conn, "result", results)
                if publication is not None:
                    self._put_files(conn, "publication", publication)
                if inputs is not None:  # replay_log above refused inputs.update outside DRAFT
                    self._write_prepared(conn, inputs)
                    conn.execute(update(run_private).where(run_private.c.run_id == self.run_id)
                                 .values(private_fields=_json_bytes(inputs.private)))
                if key is not None:
                    known = conn.execute(select(run_keys.c.vkey).where(run_keys.c.run_id == self.run_id)
                                         ).scalars().all()
                    if key not in known:
                        conn.execute(insert(run_keys).values(run_id=self.run_id, position=len(known), vkey=key))
                done = conn.execute(update(runs).where(runs.c.run_id == self.run_id,
                                                       runs.c.log_size == row.log_size)
                                    .values(state=state.state.value, log_size=log.size))
                if done.rowcount != 1:
                    raise _conflict()
        except IntegrityError as exc:  # a racing writer inserted the same seq / prev first
            raise _conflict() from exc

    def replace_inputs(self, prepared: PreparedRun) -> None:
        with self.db.writing() as conn:
            state = State(self._run_row(conn, lock=True).state)
            if state is not State.DRAFT:
                raise StoreError(f"状态 {state.value} 下不能修改输入",
                                 f"the inputs cannot change in state {state.value}")
            self._write_prepared(conn, prepared)
            conn.execute(update(run_private).where(run_private.c.run_id == self.run_id)
                         .values(private_fields=_json_bytes(prepared.private)))

    def save_publication(self, files: Mapping[str, bytes]) -> None:
        with self.db.writing() as conn:
            state = State(self._run_row(conn, lock=True).state)
            if state is not State.PUBLISHED:
                raise StoreError(f"状态 {state.value} 下不能保存发布文件",
                                 f"the publication cannot be stored in state {state.value} (the log says so)")
            stored = {row.name: row.digest for row in conn.execute(
                select(run_files.c.name, run_files.c.digest).where(
                    run_files.c.run_id == self.run_id, run_files.c.section == "publication"))}
            if stored != {name: sha256_hex(data) for name, data in files.items()}:
                self._put_files(conn, "publication", files)

