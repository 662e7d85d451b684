"""SIGKILL during ``execute`` and during ``publish``, in a subprocess; then a restart finishes the run.

Each case kills the child (:mod:`crash_child`) at one point of the step. Afterwards the run
must be at its last committed state or further (never half: no results without the
``run.execute`` entry, no publication without ``run.publish``), and finishing the run gives
the same bundle bytes as an uninterrupted run. The folder store must also leave no staging
folder or temporary file behind once the run is finished.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from store_fixtures import StoreFactory, drive, reference_bundle, step

from api.service import ceremony as svc
from api.store.database import DatabaseRunStore
from audit.ceremony import State, replay_log

CHILD = Path(__file__).with_name("crash_child.py")

#: (case id, step, kill point for the folder store, kill point for the databases, state the kill leaves)
CASES = [
    ("execute-after-engine", "execute", "api.service.ceremony:execute_run:after", None, State.SEEDED),
    ("execute-mid-append", "execute", "api.store.directory:_write_tree_atomic:after",
     "api.store.database:DatabaseRunStore._put_files:after", State.SEEDED),
    ("execute-after-commit", "execute", "api.service.ceremony:append_step:after", None, State.EXECUTED),
    ("publish-before-commit", "publish", "api.service.ceremony:assemble_publication:after", None, State.EXECUTED),
    ("publish-mid-save", "publish", "pathlib:Path.write_bytes:after:3",
     "api.store.database:DatabaseRunStore._put_files:after", State.EXECUTED),  # entry and files: one append
    ("publish-after-commit", "publish", "api.store.directory:DirectoryRunStore.append:after",
     "api.store.database:DatabaseRunStore.append:after", State.PUBLISHED),
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return reference_bundle(tmp_path_factory.mktemp("reference"))


def _hidden(run_dir: Path) -> list[str]:
    """Dot-files and dot-folders in and beside a run folder, except its lock file."""
    beside = [p for p in run_dir.parent.iterdir() if p.name.startswith(".")]
    inside = [p for p in run_dir.rglob(".*") if p.name != ".lock"]
    return sorted(str(p) for p in beside + inside)


#: The cases PostgreSQL runs too: the transactions cut short (each case costs a child process, and the
#: other kill points are in the service, outside any store).
POSTGRESQL_CASES = ("execute-mid-append", "publish-mid-save")
PARAMS = [(kind, case) for kind in ("directory", "sqlite", "postgresql") for case in CASES
          if kind != "postgresql" or case[0] in POSTGRESQL_CASES]


@pytest.mark.parametrize("stores, case", PARAMS, indirect=["stores"], ids=[f"{k}-{c[0]}" for k, c in PARAMS])
def test_sigkill_then_restart_gives_the_uninterrupted_bundle(stores: StoreFactory, case: tuple[object, ...],
                                                             reference: dict[str, bytes]) -> None:
    _, step_name, folder_point, db_point, killed_state = case
    assert isinstance(step_name, str) and isinstance(killed_state, State)
    point = folder_point if stores.kind == "directory" or db_point is None else db_point
    store, _ = drive(stores, until="seed" if step_name == "execute" else "execute")
    run_id = store.info().run_id
    before = store.log().size

    child = subprocess.run([sys.executable, str(CHILD), stores.kind, stores.location, run_id, step_name, str(point)],
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr

    after = stores.open(run_id)  # a fresh handle / new connections: what a restarted service sees
    log = after.log()
    assert replay_log(log).state is killed_state
    assert log.size == before + (killed_state is not (State.SEEDED if step_name == "execute" else State.EXECUTED))
    assert len(after.checkpoints()) == log.size
    if killed_state is State.SEEDED:
        assert after.results() == {}
    published = after.publication()  # never part of a publication
    assert published == (reference if killed_state is State.PUBLISHED else {})  # all of it or nothing
    if isinstance(after, DatabaseRunStore):
        assert after.state() is killed_state  # the state column is what the log says
        [record] = after.db.list_runs()
        assert (record.state, record.publication_stored) == (killed_state, killed_state is State.PUBLISHED)

    if replay_log(after.log()).state is State.SEEDED:
        svc.execute(after, step())
    publication = svc.publish(after, step())
    assert publication.files() == reference
    assert stores.open(run_id).publication() == reference
    assert [e.action for e in after.log().entries].count("run.publish") == 1
    if stores.kind == "directory":
        assert _hidden(Path(stores.location)) == []
