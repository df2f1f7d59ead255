"""Certification progress: cycles, the optimal allocation of actions to blocs, the at-risk flag."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from attest_pipeline.eligibility import choose
from attest_pipeline.models import Candidate, Physician, Record, Status
from attest_pipeline.roster import Roster
from attest_pipeline.service import Workspace
from attest_pipeline.service.progress import (
    Option,
    all_progress,
    allocate,
    cycle_of,
    physician_progress,
)
from attest_pipeline.service.rules import load_certification
from attest_pipeline.store import DocumentRow, Store
from tests.office import DUPONT, MARTIN

RULES = load_certification()


def options(*keys: str) -> list[Option]:
    return [Option(int(k.split(".")[0]), k) for k in keys]


def placed(entries: list[list[Option]]) -> list[int]:
    return [p.option.bloc for p in allocate(entries, 2)]


def complete_blocs(blocs: list[int]) -> int:
    return sum(1 for b in (1, 2, 3, 4) if blocs.count(b) >= 2)


def greedy(entries: list[list[Option]]) -> list[int]:
    """First come, first served: each action to the emptiest of its blocs (today's filing)."""
    filed: dict[int, int] = {}
    chosen = []
    for eligible in entries:
        pick = choose([Candidate(o.bloc, o.key[2:], "de_fait") for o in eligible], filed)
        filed[pick.bloc] = filed.get(pick.bloc, 0) + 1
        chosen.append(pick.bloc)
    return chosen


def test_an_action_eligible_in_two_blocs_goes_where_it_completes_one() -> None:
    # A Balint group first (2.J / 3.G): first come first served puts it in bloc 2 (both
    # empty: its first candidate); then two bloc-2 actions and one bloc-3 action arrive.
    entries = [options("2.J", "3.G"), options("2.A"), options("2.B"), options("3.A")]
    assert greedy(entries) == [2, 2, 2, 3]  # bloc 2 three times, bloc 3 once: 1 complete
    assert complete_blocs(greedy(entries)) == 1
    assert placed(entries) == [3, 2, 2, 3]  # both blocs complete
    assert complete_blocs(placed(entries)) == 2


def test_greedy_on_counts_fails_when_a_later_action_has_one_choice() -> None:
    # The emptiest bloc looks right at the time, but a later action could only go there.
    entries = [options("2.J", "3.G", "4.G"), options("4.B"), options("4.C"), options("3.A")]
    assert greedy(entries) == [2, 4, 4, 3]
    assert complete_blocs(greedy(entries)) == 1
    assert complete_blocs(placed(entries)) == 2
    assert placed(entries) == [3, 4, 4, 3]


def test_a_chain_of_moves_is_found() -> None:
    # Both multi-bloc actions must leave bloc 2, where first come first served put them.
    entries = [options("1.A"), options("3.A"), options("1.A", "2.G"), options("2.G", "3.E")]
    assert greedy(entries) == [1, 3, 2, 2]
    assert complete_blocs(greedy(entries)) == 1
    assert placed(entries) == [1, 3, 1, 3]
    assert complete_blocs(placed(entries)) == 2


def test_it_completes_as_many_blocs_as_possible_before_counting_more_actions() -> None:
    # Two actions eligible in blocs 1 and 2 only: one complete bloc beats 1 + 1.
    entries = [options("1.A", "2.A"), options("2.A", "1.A")]
    assert sorted(placed(entries)) in ([1, 1], [2, 2])


def test_each_action_counts_once_and_surplus_is_said() -> None:
    entries = [options("1.A"), options("1.B"), options("1.D")]
    placements = allocate(entries, 2)
    assert [p.surplus for p in placements] == [False, False, True]
    assert "beyond the 2 needed in bloc 1" in placements[2].why


def test_the_explanation_says_why_an_action_moved() -> None:
    entries = [options("2.A"), options("2.B"), options("2.J", "3.G")]
    placements = allocate(entries, 2)
    assert placements[2].option == Option(3, "3.G")
    assert placements[2].why == "2.J counted in bloc 3 (as 3.G) because bloc 2 already had 2"


def test_allocation_is_optimal_on_every_small_case() -> None:
    """Against brute force over every assignment, for all dossiers of up to 5 actions
    drawn from a few multi-bloc patterns."""
    import itertools

    patterns = [options("1.A"), options("2.A"), options("2.J", "3.G", "4.G"), options("2.G", "3.E")]
    for size in range(1, 6):
        for entries in itertools.product(patterns, repeat=size):
            best = max(
                (
                    complete_blocs(list(choice)),
                    sum(min(list(choice).count(b), 2) for b in (1, 2, 3, 4)),
                )
                for choice in itertools.product(*[[o.bloc for o in e] for e in entries])
            )
            blocs = placed(list(entries))
            got = (complete_blocs(blocs), sum(min(blocs.count(b), 2) for b in (1, 2, 3, 4)))
            assert got == best, entries


# ---------------------------------------------------------------------------------- cycles


@pytest.mark.parametrize(
    ("registered", "start", "end", "assumed"),
    [
        (None, date(2023, 1, 1), date(2031, 12, 31), True),
        (date(2004, 1, 1), date(2023, 1, 1), date(2031, 12, 31), False),
        (date(2023, 1, 1), date(2023, 1, 1), date(2031, 12, 31), False),
        (date(2023, 1, 2), date(2023, 1, 2), date(2029, 1, 1), False),
        (date(2024, 2, 29), date(2024, 2, 29), date(2030, 2, 27), False),
    ],
)
def test_the_cycle_follows_the_registration_date(
    registered: date | None, start: date, end: date, assumed: bool
) -> None:
    cycle = cycle_of(Physician(DUPONT, "DUPONT", "Jean", registered), RULES)
    assert (cycle.start, cycle.end, cycle.assumed) == (start, end, assumed)
    assert ("assumed" in cycle.rule) is assumed


def test_a_physician_not_on_the_roster_gets_the_assumed_cycle() -> None:
    assert cycle_of(None, RULES).assumed


# ------------------------------------------------------------------------ dossiers, risk


def add_entry(
    store: Store,
    claim: str,
    candidates: tuple[tuple[int, str], ...],
    *,
    rpps: str = DUPONT,
    labellisation: str = "de_fait",
    day: date = date(2025, 3, 12),
) -> None:
    chosen = Candidate(candidates[0][0], candidates[0][1], labellisation)
    record = Record(
        source=f"{claim}.pdf",
        sha256=claim.ljust(64, "0"),
        pages=(1,),
        status=Status.FILE,
        rpps=rpps,
        last_name="DUPONT",
        first_name="Jean-Pierre",
        start=day,
        end=day,
        reference=claim,
        candidates=tuple(Candidate(b, a, labellisation) for b, a in candidates),
        chosen=chosen,
    )
    with store.transaction():
        document = store.add_document(
            DocumentRow(claim, f"{claim}.pdf", record.sha256, 1, 1, "file", "x")
        )
        attestation = store.add_attestation(document, record, f"/d/{claim}.pdf")
        store.add_physician(Physician(rpps, "DUPONT", "Jean-Pierre"), "folder")
        store.add_dossier_entry(attestation, record, f"/d/{claim}.pdf")


def at(ws: Workspace, day: date, roster: Roster | None = None) -> Workspace:
    return replace(ws, today=day, roster=roster or ws.roster)


def test_the_dossier_allocation_is_recomputed_when_it_changes(office: Workspace) -> None:
    with office.store() as store:
        add_entry(store, "balint", ((2, "J"), (3, "G"), (4, "G")))
    progress = physician_progress(office, DUPONT)
    (balint,) = [e for e in progress.entries if e.reference == "balint"]
    assert balint.counted_in == 2  # 2.A alone in bloc 2: the Balint group completes it
    with office.store() as store:
        add_entry(store, "epp2", ((2, "A"),))
    progress = physician_progress(office, DUPONT)
    (balint,) = [e for e in progress.entries if e.reference == "balint"]
    assert balint.counted_in == 3 and balint.counted_as == "3.G"
    assert "because bloc 2 already had 2" in balint.why
    assert [b.counted for b in progress.blocs] == [1, 2, 1, 0]


def test_pending_refused_and_outside_the_cycle_do_not_count(office: Workspace) -> None:
    with office.store() as store:
        add_entry(store, "old", ((1, "D"),), day=date(2022, 6, 1))
    progress = physician_progress(office, DUPONT)
    (old,) = [e for e in progress.entries if e.reference == "old"]
    assert old.state == "outside_cycle" and old.counted_in is None
    martin = physician_progress(office, MARTIN)
    (pending,) = martin.entries
    assert pending.state == "pending" and martin.blocs[0].counted == 0
    assert martin.blocs[0].pending == 1 and martin.pending == 1


def test_at_risk_thresholds(office: Workspace) -> None:
    # 2023-2031: half the cycle is gone on 2027-07-02; DUPONT has blocs 3 and 4 empty.
    assert not physician_progress(at(office, date(2027, 6, 1)), DUPONT).at_risk
    late = physician_progress(at(office, date(2027, 8, 1)), DUPONT)
    assert late.at_risk and late.risk and "blocs 3, 4 still empty" in late.risk
    # Less than a year left and incomplete, with no empty bloc.
    with office.store() as store:
        for claim, bloc in (("r3", (3, "A")), ("r4", (4, "E"))):
            add_entry(store, claim, (bloc,))
    assert not physician_progress(at(office, date(2030, 6, 1)), DUPONT).at_risk
    end = physician_progress(at(office, date(2031, 3, 1)), DUPONT)
    assert end.at_risk and end.risk == "305 days left in the cycle and the dossier is incomplete"
    assert [p.rpps for p in all_progress(at(office, date(2031, 3, 1)), at_risk=True)] == [
        DUPONT,
        MARTIN,
    ]


def test_a_complete_dossier_is_never_at_risk(office: Workspace) -> None:
    with office.store() as store:
        for claim, bloc in (("x1", 1), ("x2", 2), ("x3", 3), ("x4", 3), ("x5", 4), ("x6", 4)):
            add_entry(store, claim, ((bloc, "A"),))
    progress = physician_progress(at(office, date(2031, 12, 1)), DUPONT)
    assert progress.complete and not progress.at_risk and progress.missing() == []


def test_the_roster_registration_date_moves_the_cycle(office: Workspace) -> None:
    roster = Roster([Physician(DUPONT, "DUPONT", "Jean-Pierre", date(2025, 6, 1))])
    progress = physician_progress(at(office, date(2026, 1, 1), roster), DUPONT)
    assert (progress.cycle.start, progress.cycle.end) == (date(2025, 6, 1), date(2031, 5, 31))
    # The actions of March 2025 are before this cycle.
    assert {e.state for e in progress.entries} == {"outside_cycle"}


def test_the_whole_roster_can_be_listed(office: Workspace) -> None:
    other = Physician("10000000074", "ÉLUARD", "Paul")
    ws = at(office, office.day(), Roster([*office.roster.physicians, other]))
    assert {p.rpps for p in all_progress(ws)} == {DUPONT, MARTIN}
    everyone = all_progress(ws, include_roster=True)
    # By name, accents aside: ÉLUARD between DUPONT and MARTIN.
    assert [p.rpps for p in everyone] == [DUPONT, other.rpps, MARTIN]
    assert everyone[1].entries == () and everyone[1].folder is None
