"""The page's own reads: physicians searched, sorted and paged; the journal filtered."""

from __future__ import annotations

import fcntl
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.config import load_config
from attest_pipeline.service import open_workspace
from attest_pipeline.service.progress import all_progress
from attest_pipeline.store import Store
from attest_pipeline.web.queries import (
    SORTS,
    JournalFilter,
    ProgressCache,
    home_counts,
    journal_page,
    paginate,
    physician_rows,
    search_physicians,
    watcher_state,
)
from tests.web_state import ACCENTED, DUPONT, filled_workspace


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_workspace(tmp_path_factory.mktemp("queries"))


def test_physicians_searched_without_accents_and_by_rpps(root: Path) -> None:
    ws = open_workspace(load_config(root / "config.toml"))
    rows = physician_rows(all_progress(ws, include_roster=True))
    assert len(rows) == len(ws.roster)
    (found,) = search_physicians(rows, "lefevre rousseau")
    assert (found.rpps, found.last_name, found.first_name) == ACCENTED
    assert search_physicians(rows, "ANNE-SOPHIE") == [found]
    assert search_physicians(rows, "Lefèvre") == [found]
    assert search_physicians(rows, ACCENTED[0][:6]) == [
        r for r in rows if r.rpps.startswith(ACCENTED[0][:6])
    ]
    assert search_physicians(rows, "nobody here") == []
    dupont = next(r for r in rows if r.rpps == DUPONT[0])
    assert dupont.has_dossier and dupont.counted[0] >= 1 and dupont.goal == 8
    by_progress = sorted(rows, key=SORTS["progression"])
    assert by_progress[0].done <= by_progress[-1].done
    by_end = sorted(rows, key=SORTS["fin"])
    assert by_end[0].cycle_end <= by_end[-1].cycle_end


def test_paginate() -> None:
    items = list(range(250))
    page = paginate(items, 3)
    assert page.items == tuple(range(200, 250)) and page.pages == 3 and page.total == 250
    assert paginate(items, 99).number == 3 and paginate(items, -1).number == 1
    assert paginate([], 1).pages == 1


def test_progress_cache_measures_again_only_what_changed(root: Path) -> None:
    from attest_pipeline.service import labels

    ws = open_workspace(load_config(root / "config.toml"))
    cache = ProgressCache()
    with Store(ws.config.paths.database, readonly=True) as store:
        first = {p.rpps: p for p in cache.current(ws, store)}
    assert [p.to_json() for p in first.values()] == [
        p.to_json() for p in all_progress(ws, include_roster=True)
    ]
    item = labels.list_labels(ws)[0]
    labels.grant(ws, item.id, by="test")
    with Store(ws.config.paths.database, readonly=True) as store:
        second = {p.rpps: p for p in cache.current(ws, store)}
    changed = [r for r in first if first[r] is not second[r]]
    assert changed == [item.rpps]
    assert second[item.rpps].pending == first[item.rpps].pending - 1
    assert [p.to_json() for p in second.values()] == [
        p.to_json() for p in all_progress(ws, include_roster=True)
    ]


def test_journal_filters(root: Path) -> None:
    paths = load_config(root / "config.toml").paths
    with Store(paths.database, readonly=True) as store:
        everything = journal_page(store, JournalFilter(), 1)
        assert everything.total > 100 and len(everything.items) == 100
        assert everything.items[0]["id"] > everything.items[-1]["id"]  # newest first
        filed = journal_page(store, JournalFilter(event="file"), 1)
        assert filed.total and all(i["event"] == "file" for i in filed.items)
        mine = journal_page(store, JournalFilter(rpps=(DUPONT[0],)), 1)
        events = {i["event"] for i in mine.items}
        assert {"received", "file"} <= events
        assert all(i["detail"].get("rpps") in (DUPONT[0], None) for i in mine.items)
        documents = {
            r[0]
            for r in store.db.execute(
                "SELECT document_id FROM attestations WHERE rpps = ?", (DUPONT[0],)
            )
        }
        assert {i["document_id"] for i in mine.items} == documents
        mates = store.db.execute(
            "SELECT COUNT(*) FROM attestations WHERE document_id IN "
            f"({', '.join(map(str, documents))}) AND rpps IS NOT ?",
            (DUPONT[0],),
        ).fetchone()[0]
        assert mates  # a congress PDF holds DUPONT's attestation and others', not shown
        today = date.today()
        assert journal_page(store, JournalFilter(since=today, until=today), 1).total == (
            everything.total
        )
        yesterday = date.fromordinal(today.toordinal() - 1)
        assert journal_page(store, JournalFilter(until=yesterday), 1).total == 0
    assert journal_page(None, JournalFilter(), 1).total == 0


def test_home_counts(root: Path) -> None:
    paths = load_config(root / "config.toml").paths
    with Store(paths.database, readonly=True) as store:
        counts = home_counts(store)
        assert counts["quarantine"] == store.counts()["reject"] >= 1
        assert counts["today_total"] == 88 and counts["last"]["name"].endswith(".pdf")
        assert counts["today"]["file"] >= 60
    assert home_counts(None)["today_total"] == 0


def test_watcher_state_reads_the_lock_without_taking_it(root: Path) -> None:
    state = root / "state"
    assert watcher_state(state).running is False
    with open(state / "lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        running = watcher_state(state)
        assert running.running is True and running.pid is not None
    assert watcher_state(state).running is False
    assert watcher_state(root / "nowhere").running is False
