"""The DPC triennial view: types done per period, the programme intégré, the orientation."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from attest_pipeline.models import Candidate, Physician, Record, Status
from attest_pipeline.service import Workspace
from attest_pipeline.service.dpc import dpc_status
from attest_pipeline.service.rules import load_dpc
from attest_pipeline.store import DocumentRow
from attest_pipeline.testing import make_pdf
from tests.office import DUPONT, MARTIN


def add_dpc(
    ws: Workspace, claim: str, nature: str, day: date, orientation: str | None = None
) -> None:
    record = Record(
        source=f"{claim}.pdf",
        sha256=claim.ljust(64, "0"),
        pages=(1,),
        status=Status.FILE,
        family="andpc",
        nature=nature,
        rpps=DUPONT,
        last_name="DUPONT",
        first_name="Jean-Pierre",
        start=day,
        end=day,
        reference=claim,
        chosen=Candidate(1, "A", "de_fait"),
        fields={"orientation": orientation} if orientation else {},
    )
    with ws.store() as store, store.transaction():
        document = store.add_document(DocumentRow(claim, claim, record.sha256, 1, 1, "file", "x"))
        attestation = store.add_attestation(document, record, f"/d/{claim}.pdf")
        store.add_physician(Physician(DUPONT, "DUPONT", "Jean-Pierre"), "folder")
        store.add_dossier_entry(attestation, record, f"/d/{claim}.pdf")


def test_types_are_counted_per_period_and_the_orientation_is_not_guessed(
    office: Workspace,
) -> None:
    status = dpc_status(office, DUPONT)
    first, second = status.periods
    assert (first.name, first.start, first.end) == (
        "2023-2025",
        date(2023, 1, 1),
        date(2025, 12, 31),
    )
    assert first.types_done == ("formation_continue", "epp") and first.types_ok
    assert first.orientation is None and not first.valid
    assert first.to_json()["orientation"] == "not shown"
    assert second.current and second.actions == ()


def test_a_programme_integre_counts_for_two_types_on_its_own(office: Workspace) -> None:
    add_dpc(office, "pi", "programme_integre", date(2026, 5, 4))
    period = dpc_status(office, DUPONT).periods[1]
    assert period.types_done == ("formation_continue", "epp") and period.types_ok


def test_an_orientation_stated_on_an_attestation_is_shown(office: Workspace) -> None:
    add_dpc(
        office, "gdr", "gestion_risques", date(2026, 2, 1), orientation="n° 12 : antibiorésistance"
    )
    period = dpc_status(office, DUPONT).periods[1]
    assert period.types_done == ("gestion_risques",) and not period.types_ok
    assert period.orientation == "n° 12 : antibiorésistance"
    add_dpc(office, "fc", "formation_continue", date(2026, 3, 1))
    assert dpc_status(office, DUPONT).periods[1].valid


def test_only_dpc_families_count(office: Workspace) -> None:
    # MARTIN's Qualiopi training is not a DPC action.
    assert all(p.actions == () for p in dpc_status(office, MARTIN).periods)


def test_periods_are_data(office: Workspace) -> None:
    rules = load_dpc()
    shorter = replace(rules, periods=rules.periods[:1], min_types=3)
    status = dpc_status(replace(office, dpc=shorter), DUPONT)
    assert len(status.periods) == 1 and not status.periods[0].types_ok


def test_an_orientation_printed_on_a_filed_attestation_reaches_the_dpc_view(
    office: Workspace,
) -> None:
    from tests.office import run
    from tests.test_pipeline import ANDPC

    text = ANDPC.format(
        name="Jean-Pierre DUPONT",
        rpps=DUPONT,
        action="55555555555",
        nature="Gestion des risques",
        title="Sécurité du patient",
    ).replace("du 12 au 14 mars 2025", "du 2 au 3 février 2026")
    text += "\nOrientation prioritaire n° 7 : Sécurité des soins"
    inbox = office.config.paths.inbox
    (inbox / "o.pdf").write_bytes(make_pdf([text]))
    run(inbox.parent)
    period = dpc_status(office, DUPONT).periods[1]
    assert [a.orientation for a in period.actions] == ["n° 7 : Sécurité des soins"]
    assert period.orientation == "n° 7 : Sécurité des soins"
