from __future__ import annotations

from datetime import date

from attest_pipeline.models import Family, Nature
from attest_pipeline.testing import identify_all, run_issuer
from attest_pipeline.testing import pdf_document as read
from attest_plugins.peer_group import PeerGroupIssuer

ISSUER = PeerGroupIssuer()


SFMG = """SFMG - Société Française de Médecine Générale
ATTESTATION DE PARTICIPATION À UN GROUPE DE PAIRS
Je soussigné, Dr Luc GIRARD, animateur du groupe, atteste que
le Dr Claire MARTIN a participé aux réunions du groupe de pairs SFMG de Rennes Nord
pour l'année 2024 : 8 réunions.
Fait à Rennes, le 10 janvier 2025"""

BALINT = """Société Médicale Balint
Attestation de participation à un groupe Balint
Nom : DUPONT
Prénom : Jean-Pierre
Séance 1 : 15/01/2025
Séance 2 : 12/02/2025
Séance 3 : 12/03/2025
Séance 4 : 09/04/2025
Séance 5 : 14/05/2025
Leader du groupe : Dr Anne PETIT"""


def test_identifies_a_peer_group_attestation() -> None:
    answer = ISSUER.identify(read(SFMG))
    assert answer is not None
    assert 0.8 <= answer.score <= 0.95
    assert any("peer group" in reason for reason in answer.reasons)


def test_reads_an_sfmg_peer_group() -> None:
    # Run as the core runs it: identify, split, extract, then the core's checks.
    extraction = run_issuer(ISSUER, read(SFMG)).extraction
    assert extraction.family is Family.PEER_GROUP
    assert extraction.participant is not None
    assert extraction.participant.value == "Claire MARTIN"
    assert extraction.meetings is not None and extraction.meetings.value == 8
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 1)
    assert extraction.end is not None and extraction.end.value == date(2024, 12, 31)
    assert extraction.event is not None
    assert extraction.event.value == "groupe de pairs SFMG de Rennes Nord"
    assert extraction.nature is not None and extraction.nature.value is Nature.GROUPE_PAIRS
    assert extraction.issuer is not None and extraction.issuer.value == "SFMG"


def test_the_leader_and_the_signature_date_are_not_taken() -> None:
    extraction = ISSUER.extract(read(SFMG))
    assert extraction.participant is not None
    assert "GIRARD" not in extraction.participant.value
    assert extraction.end is not None and extraction.end.value != date(2025, 1, 10)


def test_reads_listed_meetings_of_a_balint_group() -> None:
    extraction = ISSUER.extract(read(BALINT))
    assert extraction.last_name is not None and extraction.last_name.value == "DUPONT"
    assert extraction.first_name is not None and extraction.first_name.value == "Jean-Pierre"
    assert extraction.meetings is not None and extraction.meetings.value == 5
    assert extraction.start is not None and extraction.start.value == date(2025, 1, 15)
    assert extraction.end is not None and extraction.end.value == date(2025, 5, 14)
    assert extraction.event is not None and extraction.event.value == "groupe Balint"
    assert extraction.participant is not None
    assert "PETIT" not in extraction.participant.value


def test_meetings_named_in_running_text() -> None:
    text = """GLAP - SFTG
Attestation : le Dr Claire MARTIN a participé au GLAP de Nantes lors des réunions
des 12 janvier, 9 février, 16 mars et 13 avril 2025."""
    extraction = ISSUER.extract(read(text))
    assert extraction.meetings is not None and extraction.meetings.value == 4
    assert extraction.start is not None and extraction.start.value == date(2025, 1, 12)
    assert extraction.end is not None and extraction.end.value == date(2025, 4, 13)
    # The heading names the kind of group first: that is the event as written.
    assert extraction.event is not None and extraction.event.value == "GLAP - SFTG"


def test_a_stated_period_without_meetings_listed() -> None:
    text = """FFGQ - Fédération Française des Groupes Qualité
Attestation de participation au groupe qualité de Lorient
Le Dr Jean-Pierre DUPONT a participé à 10 réunions du 1er janvier au 31 décembre 2024."""
    extraction = ISSUER.extract(read(text))
    assert extraction.meetings is not None and extraction.meetings.value == 10
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 1)
    assert extraction.end is not None and extraction.end.value == date(2024, 12, 31)
    assert extraction.event is not None
    assert extraction.event.value == "groupe qualité de Lorient"


def test_meetings_not_shown_are_left_out() -> None:
    text = """Attestation de participation au groupe de pairs de Vannes
Le Dr Claire MARTIN est membre du groupe de pairs pour l'année 2024."""
    extraction = ISSUER.extract(read(text))
    assert extraction.meetings is None
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 1)


def test_an_uppercase_attestation() -> None:
    document = read(SFMG.upper())
    answer = ISSUER.identify(document)
    assert answer is not None and answer.score >= 0.8
    extraction = ISSUER.extract(document)
    assert extraction.meetings is not None and extraction.meetings.value == 8
    assert extraction.participant is not None
    assert "MARTIN" in extraction.participant.value


def test_a_balint_group_run_as_a_dpc_action_is_andpc() -> None:
    text = BALINT + "\nProgramme DPC n° 12342500088 - ODPC n° 1234 enregistré à l'ANDPC"
    found = identify_all(read(text))
    assert found["peer_group"] < found["andpc"]


def test_a_qualiopi_association_does_not_make_it_a_training() -> None:
    text = SFMG + "\nAttestation de formation - organisme certifié Qualiopi, NDA 11 75 12345 75"
    found = identify_all(read(text))
    assert found["peer_group"] > found.get("qualiopi", 0.0)


def test_declines_without_a_group() -> None:
    text = """ATTESTATION DE PRÉSENCE
Le Dr Claire MARTIN a assisté à la réunion d'information du 12 mars 2025."""
    assert ISSUER.identify(read(text)) is None


BULLETED = """Société Française de Médecine Générale (SFMG)
ATTESTATION DE PARTICIPATION
Groupe de Pairs
Je soussigné, Dr Gwenaël RIOU, animateur du groupe de pairs de Vannes, atteste que
Dr Sofia D'ALMEIDA a participé à 3 réunions du groupe, aux dates suivantes :
- 18/01/2024
- 29/02/2024
- 07/11/2024
Les réunions suivent la méthode du groupe de pairs conforme aux méthodes de la HAS.
Fait le 26/11/2024
Dr Gwenaël RIOU"""


def test_reads_the_meetings_of_a_bulleted_list() -> None:
    extraction = run_issuer(ISSUER, read(BULLETED)).extraction
    assert extraction.participant is not None
    assert extraction.participant.value == "Sofia D'ALMEIDA"
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 18)
    assert extraction.end is not None and extraction.end.value == date(2024, 11, 7)
    assert extraction.meetings is not None and extraction.meetings.value == 3


def test_identifies_a_glap_written_in_full_in_the_singular() -> None:
    text = """SFTG - Société de Formation Thérapeutique du Généraliste
ATTESTATION DE PARTICIPATION
Groupe Local d'Amélioration des Pratiques de Nantes
Nous attestons que le Dr Jean-Pierre DUPONT a participé à 5 réunions en 2024."""
    answer = ISSUER.identify(read(text))
    assert answer is not None
    assert any("GLAP" in reason for reason in answer.reasons)
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.event is not None
    assert extraction.event.value.startswith("Groupe Local d'Amélioration des Pratiques")
