from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.analysis import Analysis, Context
from attest_pipeline.config import OcrConfig, PluginSettings
from attest_pipeline.decision import Rules
from attest_pipeline.issuers import DataIssuer
from attest_pipeline.mapping import load_rules
from attest_pipeline.models import Family
from attest_pipeline.referentiel import load_referentiel
from attest_pipeline.registry import load_registry
from attest_pipeline.roster import load_roster
from attest_pipeline.testing import make_pdf
from attest_pipeline.workers import TEXT_QUEUE, Failure, Supervisor, Task, available_cores
from tests.conftest import ROOT, TEST_PLUGINS
from tests.hostile import text_pdf
from tests.test_processes import alive, wait_gone


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and alive(int(stat.parent.name)):
            found.append(int(stat.parent.name))
    return found


def make_context(roster: Path) -> Context:
    registry = load_registry(
        PluginSettings(dirs=(TEST_PLUGINS,), entry_points=False),
        builtins=False,
        disabled=["raising"],
    )
    rules = Rules(load_roster(roster), load_referentiel(), load_rules(), date(2026, 11, 22))
    return Context(registry.issuers, rules, OcrConfig(enabled=False))


@pytest.fixture
def context(roster: Path) -> Context:
    return make_context(roster)


def tasks(tmp_path: Path, texts: dict[str, str]) -> list[Task]:
    result = []
    for key, (name, text) in enumerate(texts.items()):
        path = tmp_path / name
        # A sentence of filler: a page with only a few letters counts as scanned.
        path.write_bytes(make_pdf([text + "\nAttestation de formation continue du médecin"]))
        result.append(Task(key, name, path))
    return result


def test_all_tasks_come_back_once(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {f"{i}.pdf": f"ORGANISME TEST\nParticipant : N{i}" for i in range(12)})
    with Supervisor(context, jobs=2) as supervisor:
        done = list(supervisor.run(work))
    assert sorted(t.key for t, _ in done) == list(range(12))
    assert all(isinstance(o, Analysis) and o.records for _, o in done)


def test_a_hung_plugin_is_stopped_and_the_others_go_on(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {"hang.pdf": "HANG", "ok.pdf": "ORGANISME TEST"})
    with Supervisor(context, jobs=1, plugin_timeout=0.5) as supervisor:
        done = dict((t.name, o) for t, o in supervisor.run(work))
    failure = done["hang.pdf"]
    assert isinstance(failure, Failure)
    assert failure.phase == "hanging.identify" and not failure.crashed
    assert failure.seconds >= 0.5
    assert isinstance(done["ok.pdf"], Analysis)


def test_a_crashed_worker_costs_its_document_only(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {"crash.pdf": "CRASH", "ok.pdf": "ORGANISME TEST"})
    with Supervisor(context, jobs=1) as supervisor:
        done = dict((t.name, o) for t, o in supervisor.run(work))
    failure = done["crash.pdf"]
    assert isinstance(failure, Failure) and failure.crashed
    assert failure.phase == "crashing.identify"
    assert isinstance(done["ok.pdf"], Analysis)


def test_prepare_can_skip_a_task(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {"a.pdf": "ORGANISME TEST", "b.pdf": "ORGANISME TEST"})
    with Supervisor(context, jobs=1) as supervisor:
        done = list(supervisor.run(work, prepare=lambda t: None if t.name == "a.pdf" else t))
    assert [t.name for t, _ in done] == ["b.pdf"]


def test_stop_takes_no_new_task(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {f"{i}.pdf": "ORGANISME TEST" for i in range(TEXT_QUEUE + 4)})
    with Supervisor(context, jobs=1) as supervisor:
        done = []
        for item in supervisor.run(work):
            done.append(item)
            supervisor.stop()
    # The tasks handed to the worker ahead (its queue) are finished too, no others.
    assert len(done) == 1 + TEXT_QUEUE


def test_without_room_tasks_are_sent_one_at_a_time(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {f"{i}.pdf": "ORGANISME TEST" for i in range(5)})
    in_progress: list[int] = []
    with Supervisor(context, jobs=2) as supervisor:

        def prepare(task: Task) -> Task:
            in_progress.append(sum(len(w.tasks) for w in supervisor.text))
            return task

        done = [t.key for t, _ in supervisor.run(work, prepare=prepare, room=lambda: False)]
    # Each task is sent once the one before is finished, and the run still ends.
    assert in_progress == [0] * 5
    assert done == list(range(5))


def test_a_worker_is_sent_its_next_tasks_ahead(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {f"{i}.pdf": "ORGANISME TEST" for i in range(TEXT_QUEUE + 3)})
    with Supervisor(context, jobs=1) as supervisor:
        queued = [len(supervisor.text[0].tasks) for _ in supervisor.run(work)]
    # While the parent handles one analysis, the worker already holds the next ones.
    assert queued == [TEXT_QUEUE] * 3 + list(range(TEXT_QUEUE - 1, -1, -1))


def test_the_tasks_queued_behind_a_crash_are_analysed_by_a_new_worker(
    context: Context, tmp_path: Path
) -> None:
    texts = {"crash.pdf": "CRASH", **{f"{i}.pdf": "ORGANISME TEST" for i in range(4)}}
    work = tasks(tmp_path, texts)
    with Supervisor(context, jobs=1) as supervisor:
        done = list(supervisor.run(work))
    assert sorted(t.key for t, _ in done) == list(range(5))
    outcomes = {t.name: o for t, o in done}
    assert isinstance(outcomes.pop("crash.pdf"), Failure)
    assert all(isinstance(o, Analysis) and o.records for o in outcomes.values())


def test_available_cores() -> None:
    assert available_cores() >= 1


MEMORY = 300 << 20  # bytes; the bombs below inflate to 1 GiB and more


@pytest.mark.parametrize("where", ["page_bomb", "metadata_bomb"])
def test_a_decompression_bomb_is_stopped_by_the_memory_limit(
    context: Context, tmp_path: Path, where: str
) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(text_pdf([["ORGANISME TEST", "Participant : X"]], **{where: 1024}))
    assert bomb.stat().st_size < 2 << 20
    work = [Task(0, "bomb.pdf", bomb), *tasks(tmp_path, {"ok.pdf": "ORGANISME TEST"})[:1]]
    work[1] = Task(1, "ok.pdf", work[1].path)
    started = time.monotonic()
    with Supervisor(context, jobs=1, memory=MEMORY) as supervisor:
        done = dict((t.name, o) for t, o in supervisor.run(work))
    failure = done["bomb.pdf"]
    assert isinstance(failure, Failure)
    assert failure.limit == "memory"
    assert failure.phase == "reading"
    assert time.monotonic() - started < 30
    # The worker was replaced: the next document is read as usual.
    assert isinstance(done["ok.pdf"], Analysis) and done["ok.pdf"].records


def test_a_memory_error_in_python_is_the_memory_limit(context: Context, tmp_path: Path) -> None:
    # pypdf, zlib or a plugin allocating in Python raise MemoryError rather than abort.
    texts = {"big.pdf": "ORGANISME TEST\nALLOCATE 8 GB", "ok.pdf": "ORGANISME TEST"}
    work = tasks(tmp_path, texts)
    with Supervisor(context, jobs=1, memory=MEMORY) as supervisor:
        done = dict((t.name, o) for t, o in supervisor.run(work))
    failure = done["big.pdf"]
    assert isinstance(failure, Failure) and failure.limit == "memory"
    assert failure.phase == "hog.identify"
    assert isinstance(done["ok.pdf"], Analysis)


def test_a_document_over_its_time_limit_is_stopped(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {"slow.pdf": "HANG", "ok.pdf": "ORGANISME TEST"})
    with Supervisor(context, jobs=1, plugin_timeout=60, document_timeout=1.0) as supervisor:
        done = dict((t.name, o) for t, o in supervisor.run(work))
    failure = done["slow.pdf"]
    assert isinstance(failure, Failure) and failure.limit == "time"
    assert 1.0 <= failure.seconds < 30
    assert isinstance(done["ok.pdf"], Analysis)


def test_a_crash_is_not_taken_for_the_memory_limit(context: Context, tmp_path: Path) -> None:
    work = tasks(tmp_path, {"crash.pdf": "CRASH"})
    with Supervisor(context, jobs=1, memory=MEMORY) as supervisor:
        ((_, failure),) = list(supervisor.run(work))
    assert isinstance(failure, Failure) and failure.crashed and failure.limit is None


_ORPHANS = """
import sys, time
from pathlib import Path
from tests.test_workers import make_context, tasks
from attest_pipeline.workers import Supervisor
root = Path(sys.argv[1])
work = tasks(root, {f"{i}.pdf": "HANG" for i in range(2)})
with Supervisor(make_context(root / "roster.csv"), jobs=2, plugin_timeout=600) as supervisor:
    for item in supervisor.run(work):
        pass
"""


def test_workers_die_with_their_parent_killed_by_sigkill(tmp_path: Path, roster: Path) -> None:
    # Two workers busy on documents that never finish, then their parent is killed.
    parent = subprocess.Popen([sys.executable, "-c", _ORPHANS, str(tmp_path)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = children(parent.pid)
        assert len(workers) == 2
        time.sleep(0.5)
    finally:
        parent.kill()
        parent.wait()
    left = wait_gone(workers)
    for pid in left:  # not to leave them behind when the test fails
        os.kill(pid, 9)
    assert left == []



def test_a_task_not_begun_by_a_dead_worker_is_spared_once(context: Context, tmp_path: Path) -> None:
    (task,) = tasks(tmp_path, {"a.pdf": "ORGANISME TEST"})
    with Supervisor(context, jobs=1) as supervisor:
        worker = supervisor._idle(supervisor.text, 1, TEXT_QUEUE)
        assert worker is not None
        worker.tasks.append(task)  # held, never sent: the worker cannot have begun it
        assert not worker.began_first()
        assert supervisor._spare(worker)  # sent again to another worker
        # Its next worker dies before beginning it too: blamed now, so a run always ends.
        assert not supervisor._spare(worker)
        worker.current.value = task.key
        supervisor.spared.clear()
        assert not supervisor._spare(worker)  # begun: it is the one to blame
        worker.tasks.clear()


class _BrokenData(DataIssuer):
    """An issuer whose data file is not TOML."""

    name = "broken_data"
    version = "1"
    families = (Family.ANDPC,)
    covers = "nothing"
    data_file = Path(__file__).resolve()  # Python, not TOML


def test_the_issuers_data_is_read_before_the_fork_and_a_broken_one_left_to_the_workers(
    roster: Path, tmp_path: Path
) -> None:
    registry = load_registry(PluginSettings(entry_points=False))
    rules = Rules(load_roster(roster), load_referentiel(), load_rules(), date(2026, 11, 22))
    broken = _BrokenData()
    context = Context((*registry.issuers, broken), rules, OcrConfig(enabled=False))
    work = tasks(tmp_path, {"a.pdf": "ORGANISME TEST"})
    with Supervisor(context, jobs=1) as supervisor:
        ((_, outcome),) = supervisor.run(work)
    assert isinstance(outcome, Analysis)
    assert all("data" in vars(i) for i in registry.issuers if isinstance(i, DataIssuer))
    assert "data" not in vars(broken)  # it raised here; the worker met it again and said so
    scores = outcome.records[0].fields["scores"]
    assert any(s["issuer"] == "broken_data" and s["error"] for s in scores)
