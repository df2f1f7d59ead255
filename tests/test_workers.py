from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.analysis import Analysis, Context
from attest_pipeline.config import OcrConfig, PluginSettings
from attest_pipeline.decision import Rules
from attest_pipeline.mapping import load_rules
from attest_pipeline.referentiel import load_referentiel
from attest_pipeline.registry import load_registry
from attest_pipeline.roster import load_roster
from attest_pipeline.testing import make_pdf
from attest_pipeline.workers import Failure, Supervisor, Task, available_cores
from tests.conftest import TEST_PLUGINS


@pytest.fixture
def context(roster: Path) -> Context:
    registry = load_registry(
        PluginSettings(dirs=(TEST_PLUGINS,), entry_points=False),
        builtins=False,
        disabled=["raising"],
    )
    rules = Rules(load_roster(roster), load_referentiel(), load_rules(), date(2026, 11, 22))
    return Context(registry.issuers, rules, OcrConfig(enabled=False))


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
    work = tasks(tmp_path, {f"{i}.pdf": "ORGANISME TEST" for i in range(6)})
    with Supervisor(context, jobs=1) as supervisor:
        done = []
        for item in supervisor.run(work):
            done.append(item)
            supervisor.stop()
    # The task handed to the worker before the first result came back is finished too.
    assert len(done) == 2


def test_available_cores() -> None:
    assert available_cores() >= 1
