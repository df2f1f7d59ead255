"""CNP labellisations: pending actions do not count; grant, refuse, reopen; the committee's CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from attest_pipeline.errors import DecisionRefused, NotFound, Refusal, UsageError
from attest_pipeline.service import Workspace
from attest_pipeline.service.labels import (
    CSV_COLUMNS,
    grant,
    import_decisions,
    labels_csv,
    list_labels,
    refuse,
    reopen_label,
)
from attest_pipeline.service.progress import physician_progress
from tests.office import MARTIN, build_office, qualiopi, run

PENDING = 3  # c.pdf: Claire MARTIN's Qualiopi training, 1.B à demander


def counted(ws: Workspace) -> int:
    return physician_progress(ws, MARTIN).blocs[0].counted


def test_the_list_shows_what_the_committee_needs(office: Workspace) -> None:
    (item,) = list_labels(office)
    assert (item.id, item.rpps, item.action, item.status) == (PENDING, MARTIN, "1.B", "pending")
    assert item.last_name == "MARTIN" and item.title and "douleur" in item.title
    assert item.issuer and item.hours == 14
    assert (item.start, item.end) == ("2025-09-15", "2025-09-16")
    assert Path(item.path).exists() and "Qualiopi" in item.action_label
    assert list_labels(office, status="granted") == []


def test_grant_makes_it_count_and_reopen_undoes_it(office: Workspace) -> None:
    assert counted(office) == 0
    decision = grant(office, PENDING, by="alice", note="comité du 20/11")
    assert decision.kind == "grant" and decision.by == "alice"
    assert counted(office) == 1
    with pytest.raises(DecisionRefused) as refused:
        grant(office, PENDING, by="bob")
    assert str(refused.value) == (
        "cannot grant the labellisation of entry 3: "
        f"already label granted by alice at {decision.at}"
    )
    assert (refused.value.code, refused.value.values) == (
        Refusal.LABEL_ALREADY_DECIDED,
        {
            "item": PENDING,
            "action": "1.B",
            "physician": "MARTIN Claire",
            "kind": "grant",
            "by": "alice",
            "at": decision.at,
        },
    )
    reopen_label(office, PENDING, by="bob")
    assert counted(office) == 0 and list_labels(office)[0].status == "pending"
    with pytest.raises(DecisionRefused, match="already label reopened by bob"):
        reopen_label(office, PENDING, by="bob")


def test_a_refused_action_stays_visible_and_does_not_count(office: Workspace) -> None:
    refuse(office, PENDING, by="alice", why="formation promotionnelle")
    (entry,) = physician_progress(office, MARTIN).entries
    assert entry.state == "refused" and entry.label_note == "formation promotionnelle"
    assert counted(office) == 0
    (item,) = list_labels(office, status="refused")
    assert item.last is not None and item.last.note == "formation promotionnelle"
    with pytest.raises(UsageError, match="say why") as refused:
        refuse(office, PENDING, by="alice", why="")
    assert refused.value.code == Refusal.NO_REFUSAL_REASON
    reopen_label(office, PENDING, by="alice")
    assert list_labels(office)[0].id == PENDING


def test_de_fait_actions_and_unknown_ids_are_refused(office: Workspace) -> None:
    with pytest.raises(DecisionRefused) as refused:
        grant(office, 1, by="alice")
    assert str(refused.value) == "entry 1 (1.A) is labelled de fait: nothing for the CNP to decide"
    assert (refused.value.code, refused.value.values) == (
        Refusal.DE_FAIT,
        {"item": 1, "action": "1.A", "physician": "DUPONT Jean-Pierre"},
    )
    with pytest.raises(NotFound) as missing:
        grant(office, 42, by="alice")
    assert str(missing.value) == "no dossier entry 42"
    assert (missing.value.code, missing.value.values) == (Refusal.NO_ENTRY, {"item": 42})


def test_reopening_what_waits_for_the_cnp_is_refused_with_its_state(office: Workspace) -> None:
    with pytest.raises(DecisionRefused) as refused:
        reopen_label(office, PENDING, by="alice")
    assert str(refused.value) == "cannot reopen the labellisation of entry 3: it is pending"
    assert refused.value.code == Refusal.LABEL_NOT_IN_STATE
    assert refused.value.values["status"] == "pending"


def test_the_csv_is_what_the_committee_reviews(office: Workspace) -> None:
    text = labels_csv(list_labels(office))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[1][:5] == [str(PENDING), MARTIN, "MARTIN", "Claire", "1.B"]
    assert rows[1][-2:] == ["", ""]


def committee(tmp_path: Path, text: str, lines: list[tuple[str, str]]) -> Path:
    """The CSV as the committee sends it back: decisions filled in."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    by_id = dict(lines)
    for row in rows[1:]:
        if row[0] in by_id:
            decision, _, why = by_id[row[0]].partition(":")
            row[-2], row[-1] = decision, why
    path = tmp_path / "decisions.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    return path


@pytest.fixture
def two_pending(tmp_path: Path, roster: Path) -> Workspace:
    ws = build_office(tmp_path, roster)
    (tmp_path / "inbox" / "e.pdf").write_bytes(qualiopi(title="Gestes d'urgence au cabinet"))
    run(tmp_path)
    assert len(list_labels(ws)) == 2
    return ws


def test_import_applies_the_committees_decisions(two_pending: Workspace, tmp_path: Path) -> None:
    first, second = (i.id for i in list_labels(two_pending))
    path = committee(
        tmp_path,
        labels_csv(list_labels(two_pending)),
        [(str(first), "grant:"), (str(second), "refuse:hors champ")],
    )
    report = import_decisions(two_pending, path, by="comité")
    assert (report.granted, report.refused) == (1, 1)
    assert [d.item for d in report.decisions] == [first, second]
    assert list_labels(two_pending) == []
    lines = two_pending.config.paths.journal.read_text(encoding="utf-8").splitlines()
    assert lines[-2].split(" ", 1)[1].startswith(f"label_granted item {first} by comité")
    assert {i.status for i in list_labels(two_pending, status="all")} == {"granted", "refused"}


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ("maybe:", "decision 'maybe' is neither grant nor refuse"),
        ("refuse:", "a refusal needs its reason in the why column"),
    ],
)
def test_import_is_all_or_nothing(
    two_pending: Workspace, tmp_path: Path, decision: str, message: str
) -> None:
    first, second = (i.id for i in list_labels(two_pending))
    path = committee(
        tmp_path,
        labels_csv(list_labels(two_pending)),
        [(str(first), "grant:"), (str(second), decision)],
    )
    with pytest.raises(UsageError, match=rf"decisions.csv:3: {message}"):
        import_decisions(two_pending, path, by="comité")
    assert len(list_labels(two_pending)) == 2


def test_import_refuses_an_item_already_decided_and_changes_nothing(
    two_pending: Workspace, tmp_path: Path
) -> None:
    first, second = (i.id for i in list_labels(two_pending))
    text = labels_csv(list_labels(two_pending))
    grant(two_pending, second, by="alice")
    path = committee(tmp_path, text, [(str(first), "grant:"), (str(second), "grant:")])
    with pytest.raises(
        DecisionRefused,
        match=r"decisions.csv:3: .*already label granted by "
        r"alice.*\(nothing imported\)",
    ):
        import_decisions(two_pending, path, by="comité")
    assert [i.id for i in list_labels(two_pending)] == [first]
