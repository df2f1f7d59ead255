"""Review decisions: resolve, reject, reopen, with the checks of automatic filing, beside a
running watcher, and two people deciding the same item."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.errors import DecisionRefused, NotFound, Refusal, UsageError
from attest_pipeline.inbox import StateLock
from attest_pipeline.service import Workspace
from attest_pipeline.service.labels import grant, list_labels
from attest_pipeline.service.progress import physician_progress
from attest_pipeline.service.review import list_review, reject, reopen, resolve, show_review
from attest_pipeline.testing import make_pdf
from tests.conftest import ROOT
from tests.office import DUPONT, MARTIN
from tests.test_pipeline import andpc

ITEM = 2  # b.pdf: "Paul INCONNU", no RPPS: unknown_participant


def journal(ws: Workspace) -> list[tuple[str, dict[str, object]]]:
    db = sqlite3.connect(ws.config.paths.database)
    rows = db.execute("SELECT event, detail FROM journal ORDER BY id").fetchall()
    db.close()
    return [(event, json.loads(detail)) for event, detail in rows]


def test_the_list_shows_what_waits_with_its_reasons_and_what_was_read(office: Workspace) -> None:
    (item,) = list_review(office)
    assert item.id == ITEM and item.state == "review"
    assert item.reasons == ("unknown_participant",)
    assert item.participant == "INCONNU Paul" and item.rpps is None
    assert (item.start, item.end) == ("2025-03-12", "2025-03-14")
    assert item.action == "1.A" and item.issuer and "FormaMed" in item.issuer
    assert item.path is not None and Path(item.path).exists()
    assert list_review(office, reason="unknown_participant") == [item]
    assert list_review(office, reason="invalid_rpps") == []
    with pytest.raises(UsageError, match="unknown reason code 'nope'"):
        list_review(office, reason="nope")


def test_show_gives_evidence_candidates_and_details(office: Workspace) -> None:
    detail = show_review(office, ITEM)
    assert "Paul INCONNU" in detail.evidence["participant"]
    assert detail.candidates == ("1.A",)
    assert detail.details[0]["code"] == "unknown_participant"
    assert "Paul INCONNU" in detail.details[0]["detail"]
    assert Path(detail.archive).exists()
    assert detail.to_json()["fields"]["theme"]
    with pytest.raises(NotFound, match="no review item 99"):
        show_review(office, 99)
    with pytest.raises(NotFound, match="never went to review"):
        show_review(office, 1)


def test_resolve_files_the_pdf_with_what_the_person_says(office: Workspace) -> None:
    review_pdf = Path(show_review(office, ITEM).item.path or "")
    before = physician_progress(office, MARTIN)
    decision = resolve(office, ITEM, by="alice", rpps=MARTIN, action="1.D", note="vu")
    assert decision.overrides == {
        "rpps": {"read": None, "decided": MARTIN},
        "action": {"read": "1.A", "decided": "1.D"},
    }
    filed = Path(decision.path or "")
    assert filed.exists() and filed.parent.name.startswith(MARTIN)
    assert not review_pdf.exists() and not review_pdf.with_name(review_pdf.name + ".json").exists()
    sidecar = json.loads(filed.with_name(filed.name + ".json").read_text(encoding="utf-8"))
    assert sidecar["decided"]["by"] == "alice" and sidecar["decided"]["kind"] == "resolve"
    assert sidecar["participant"]["rpps"] == MARTIN and sidecar["action"] == "D"
    after = physician_progress(office, MARTIN)
    # 1.D has an indicative list: named by a person, it waits for the CNP (hors liste).
    assert after.blocs[0].pending == before.blocs[0].pending + 1
    (entry,) = [e for e in after.entries if e.id == ITEM]
    assert entry.action == "1.D" and (entry.start, entry.end) == ("2025-03-12", "2025-03-14")
    assert entry.candidates == ("1.D",) and entry.labellisation == "a_demander"
    assert list_review(office) == []
    (resolved,) = list_review(office, state="resolved")
    assert resolved.last is not None and resolved.last.by == "alice"
    event, detail = journal(office)[-1]
    assert event == "resolved" and detail["by"] == "alice" and detail["note"] == "vu"
    assert detail["overrides"] == decision.overrides
    line = office.config.paths.journal.read_text(encoding="utf-8").splitlines()[-1]
    assert f'resolved  item {ITEM} by alice rpps={MARTIN} action=1.D note="vu" -> ' in line


def test_a_person_may_say_an_action_is_labelled_de_fait(office: Workspace) -> None:
    decision = resolve(office, ITEM, by="alice", rpps=MARTIN, action="1.D", labellisation="de_fait")
    assert decision.overrides["labellisation"] == {"read": "a_demander", "decided": "de_fait"}
    assert physician_progress(office, MARTIN).blocs[0].counted == 1


def test_what_was_read_is_kept_where_not_overridden(office: Workspace) -> None:
    decision = resolve(office, ITEM, by="alice", rpps=MARTIN, start=date(2025, 3, 13))
    assert set(decision.overrides) == {"rpps", "start"}
    (entry,) = [e for e in physician_progress(office, MARTIN).entries if e.id == ITEM]
    assert (entry.action, entry.start, entry.end) == ("1.A", "2025-03-13", "2025-03-14")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "no RPPS was read: give the physician's"),
        ({"rpps": "10000000008"}, "RPPS 10000000008 is not on the roster"),
        ({"rpps": MARTIN, "action": "9.Z"}, "no action '9.Z' in the référentiel"),
        ({"rpps": MARTIN, "action": "1.Q"}, "no action '1.Q' in the référentiel"),
        ({"rpps": MARTIN, "start": date(2027, 1, 1)}, "implausible dates: start 2027-01-01"),
        ({"rpps": MARTIN, "end": date(2025, 3, 1)}, "end 2025-03-01 is before start"),
    ],
)
def test_resolve_applies_the_checks_of_filing_and_changes_nothing_when_refused(
    office: Workspace, options: dict[str, object], message: str
) -> None:
    before = journal(office)
    with pytest.raises(DecisionRefused, match=message):
        resolve(office, ITEM, by="alice", **options)  # type: ignore[arg-type]
    assert journal(office) == before
    assert list_review(office)[0].id == ITEM
    assert Path(list_review(office)[0].path or "").exists()


@pytest.mark.parametrize(
    ("options", "message", "code", "values"),
    [
        ({}, "no RPPS was read: give the physician's (--rpps)", Refusal.NO_RPPS, {}),
        (
            {"rpps": "10000000008"},
            "RPPS 10000000008 is not on the roster",
            Refusal.NOT_ON_ROSTER,
            {"rpps": "10000000008"},
        ),
        (
            {"rpps": MARTIN, "action": "9.Z"},
            "no action '9.Z' in the référentiel",
            Refusal.UNKNOWN_ACTION,
            {"action": "9.Z"},
        ),
        (
            {"rpps": MARTIN, "end": date(2025, 3, 1)},
            "implausible dates: end 2025-03-01 is before start 2025-03-12",
            Refusal.IMPLAUSIBLE_DATES,
            {
                "start": "2025-03-12",
                "end": "2025-03-01",
                "earliest": "2000-01-01",
                "today": "2026-11-22",
                "detail": "end 2025-03-01 is before start 2025-03-12",
            },
        ),
        (
            {"rpps": MARTIN, "labellisation": "oui"},
            "--labellisation must be one of de_fait, a_demander",
            Refusal.UNKNOWN_LABELLISATION,
            {"value": "oui", "choices": ("de_fait", "a_demander")},
        ),
        ({"by": " "}, "who decides? give a name (--by NAME)", Refusal.NO_PERSON, {}),
        (
            {"by": "x" * 61},
            "a person's name is at most 60 characters",
            Refusal.NAME_TOO_LONG,
            {"by": "x" * 61, "most": 60},
        ),
    ],
)
def test_a_refusal_carries_its_code_and_values_beside_the_same_one_line_message(
    office: Workspace,
    options: dict[str, object],
    message: str,
    code: Refusal,
    values: dict[str, object],
) -> None:
    with pytest.raises(UsageError) as refused:
        resolve(office, ITEM, **{"by": "alice", **options})  # type: ignore[arg-type]
    assert str(refused.value) == message
    assert (refused.value.code, refused.value.values) == (code, values)


def test_resolve_refuses_a_duplicate_of_what_is_filed(office: Workspace) -> None:
    # The item read as DUPONT's 1.A of 12-14 March with reference 12345678901, as filed.
    with pytest.raises(DecisionRefused, match="is a duplicate of attestation #1") as refused:
        resolve(office, ITEM, by="alice", rpps=DUPONT)
    assert refused.value.code == Refusal.DUPLICATE
    assert refused.value.values["item"] == ITEM
    assert str(refused.value.values["earlier"]).startswith("attestation #1 (")


def test_a_missing_item_is_not_found_with_its_id(office: Workspace) -> None:
    with pytest.raises(NotFound) as refused:
        reject(office, 42, by="alice", why="test")
    assert str(refused.value) == "no review item 42"
    assert (refused.value.code, refused.value.values) == (Refusal.NO_ITEM, {"item": 42})


def test_two_people_deciding_the_same_item_the_second_is_told_who_and_when(
    office: Workspace,
) -> None:
    first = resolve(office, ITEM, by="alice", rpps=MARTIN)
    with pytest.raises(DecisionRefused) as refused:
        reject(office, ITEM, by="bob", why="not an attestation")
    assert (
        str(refused.value) == f"cannot reject item {ITEM}: already resolved by alice at {first.at}"
    )
    assert refused.value.code == Refusal.ALREADY_DECIDED
    assert refused.value.values == {"item": ITEM, "kind": "resolve", "by": "alice", "at": first.at}
    with pytest.raises(DecisionRefused, match="already resolved by alice"):
        resolve(office, ITEM, by="bob", rpps=MARTIN)


def test_concurrent_decisions_on_one_item_only_one_wins(office: Workspace) -> None:
    outcomes: list[str] = []

    def decide(name: str) -> None:
        try:
            resolve(office, ITEM, by=name, rpps=MARTIN)
            outcomes.append("filed")
        except DecisionRefused as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=decide, args=(f"p{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("filed") == 1
    assert all("already resolved by p" in o for o in outcomes if o != "filed")
    assert len([e for e in physician_progress(office, MARTIN).entries if e.id == ITEM]) == 1


def test_reject_keeps_the_pdf_visible_and_archived(office: Workspace) -> None:
    decision = reject(office, ITEM, by="bob", why="médecin non suivi")
    rejected = Path(decision.path or "")
    assert rejected.exists() and rejected.parent.name == "rejected"
    assert Path(show_review(office, ITEM).archive).exists()
    (item,) = list_review(office, state="rejected")
    assert item.last is not None and item.last.note == "médecin non suivi"
    assert list_review(office) == []
    with pytest.raises(UsageError, match="say why"):
        reject(office, ITEM, by="bob", why=" ")


def test_reopen_of_a_resolve_takes_the_entry_out_of_the_dossier(office: Workspace) -> None:
    counted = physician_progress(office, MARTIN).blocs[0].counted
    filed = Path(resolve(office, ITEM, by="alice", rpps=MARTIN).path or "")
    decision = reopen(office, ITEM, by="bob", why="wrong physician")
    assert not filed.exists()
    back = Path(decision.path or "")
    assert back.exists() and back.parent == office.config.paths.review
    assert physician_progress(office, MARTIN).blocs[0].counted == counted
    (item,) = list_review(office)
    assert item.id == ITEM and item.rpps is None and item.participant == "INCONNU Paul"
    with pytest.raises(DecisionRefused, match="cannot reopen item 2: already reopened by bob"):
        reopen(office, ITEM, by="carol")
    # It can be decided again.
    resolve(office, ITEM, by="carol", rpps=MARTIN)
    events = [event for event, _ in journal(office)]
    assert events[-3:] == ["resolved", "reopened", "resolved"]


def test_reopen_of_a_reject_puts_it_back_in_review(office: Workspace) -> None:
    reject(office, ITEM, by="bob", why="not followed")
    decision = reopen(office, ITEM, by="bob")
    assert Path(decision.path or "").exists()
    assert not (office.config.paths.review / "rejected" / Path(decision.path or "").name).exists()
    assert [i.id for i in list_review(office)] == [ITEM]


def test_reopen_refuses_what_was_filed_automatically(office: Workspace) -> None:
    with pytest.raises(DecisionRefused) as refused:
        reopen(office, 1, by="bob")
    assert str(refused.value) == "cannot reopen item 1: it is file"
    assert (refused.value.code, refused.value.values) == (
        Refusal.NOT_IN_REVIEW,
        {"item": 1, "status": "file"},
    )


def test_reopen_refuses_what_waits_with_no_decision_to_undo(office: Workspace) -> None:
    with pytest.raises(DecisionRefused) as refused:
        reopen(office, ITEM, by="bob")
    assert str(refused.value) == f"cannot reopen item {ITEM}: it is review"
    assert (refused.value.code, refused.value.values) == (Refusal.WAITING, {"item": ITEM})


def test_the_journal_stays_append_only(office: Workspace) -> None:
    resolve(office, ITEM, by="alice", rpps=MARTIN)
    db = sqlite3.connect(office.config.paths.database)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE journal SET event = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE review_decisions SET by = 'mallory'")
    names = [row[0] for row in db.execute("SELECT name FROM users")]
    db.close()
    assert names == ["alice"]


def test_a_resolved_pdf_missing_from_review_is_rebuilt_from_the_archive(office: Workspace) -> None:
    path = Path(show_review(office, ITEM).item.path or "")
    path.unlink()
    filed = Path(resolve(office, ITEM, by="alice", rpps=MARTIN).path or "")
    assert filed.read_bytes().startswith(b"%PDF")


def documents(ws: Workspace) -> int:
    db = sqlite3.connect(ws.config.paths.database)
    (count,) = db.execute("SELECT COUNT(*) FROM documents").fetchone()
    db.close()
    return int(count)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_decisions_go_through_while_attest_watch_files_a_burst(office: Workspace) -> None:
    from tests.test_watch import watch_argv

    root = office.config.paths.inbox.parent
    burst = 80
    process = subprocess.Popen(
        watch_argv(root / "config.toml"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    timings: list[float] = []
    seen: list[int] = []
    try:

        def watcher_holds_the_lock() -> bool:
            lock = StateLock(office.config.paths.state)
            if lock.acquire():
                lock.release()
                return False
            return True

        wait_until(watcher_holds_the_lock, 60, "the watcher to start")
        for n in range(burst):
            pdf = andpc(action=f"{30000000000 + n}", title=f"Sujet {n}")
            (root / "inbox" / f"burst{n:02d}.pdf").write_bytes(pdf)
        wait_until(lambda: documents(office) > 4, 60, "the first filing batch")
        for decide in (
            lambda: resolve(office, ITEM, by="alice", rpps=MARTIN),
            lambda: grant(office, 3, by="bob", note="comité du 20 novembre"),
        ):
            seen.append(documents(office))
            started = time.monotonic()
            decide()
            timings.append(time.monotonic() - started)
        wait_until(lambda: documents(office) == 4 + burst, 180, "the watcher to file the burst")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
    # The decisions were made while the watcher was filing the burst...
    assert seen[0] < 4 + burst, seen
    # ... and each waited at most for one filing batch (about a second), never long.
    assert max(timings) < 10, timings
    assert list_review(office, state="resolved")[0].id == ITEM
    assert list_labels(office, status="granted")[0].id == 3
    assert physician_progress(office, DUPONT).blocs[0].counted == 1 + burst
    events = [event for event, _ in journal(office)]
    assert events.count("resolved") == 1 and events.count("label_granted") == 1
    assert events.count("file") == 3 + burst


def test_a_decision_blocked_too_long_is_refused_in_one_line_and_changes_nothing(
    office: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attest_pipeline import store as module
    from attest_pipeline.errors import DatabaseBusy

    monkeypatch.setattr(module, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(office.config.paths.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what a filing batch holds while it runs
    try:
        with pytest.raises(
            DatabaseBusy, match=r"busy for 0\.2 s .*nothing changed, try again"
        ) as refused:
            resolve(office, ITEM, by="alice", rpps=MARTIN)
        assert refused.value.code == Refusal.DATABASE_BUSY
        assert refused.value.values == {"seconds": 0.2}
        with pytest.raises(DatabaseBusy):
            grant(office, 3, by="alice")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert [i.id for i in list_review(office)] == [ITEM]
    assert Path(list_review(office)[0].path or "").exists()
    resolve(office, ITEM, by="alice", rpps=MARTIN)  # once the batch is over


def test_a_split_item_missing_from_review_is_cut_again_from_the_archive(
    tmp_path: Path, roster: Path
) -> None:
    from pypdf import PdfReader

    from tests.conftest import TEST_PLUGINS, write_config
    from tests.office import run, workspace
    from tests.test_pipeline import per_page

    write_config(tmp_path, roster, plugins={"dirs": [str(TEST_PLUGINS)], "timeout": 5.0})
    pages = [per_page("Jean-Pierre DUPONT"), per_page("Paul INCONNU")]
    (tmp_path / "inbox" / "two.pdf").write_bytes(make_pdf(pages))
    run(tmp_path)
    ws = workspace(tmp_path)
    (item,) = list_review(ws)
    assert item.pages == (2,)
    Path(item.path or "").unlink()
    filed = Path(resolve(ws, item.id, by="alice", rpps=MARTIN).path or "")
    reader = PdfReader(filed)
    assert len(reader.pages) == 1 and "Paul INCONNU" in reader.pages[0].extract_text()
