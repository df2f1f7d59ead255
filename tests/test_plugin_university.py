from __future__ import annotations

from datetime import date

from attest_pipeline.models import Family, Nature
from attest_pipeline.testing import identify_all, run_issuer, winner
from attest_pipeline.testing import pdf_document as read
from attest_plugins.university import UniversityIssuer

ISSUER = UniversityIssuer()


RUNNING = """UNIVERSITÉ CLAUDE BERNARD LYON 1
Faculté de médecine Lyon Est
ATTESTATION DE RÉUSSITE
Le Doyen de la Faculté certifie que Madame Claire MARTIN,
née le 04/05/1985 à Lyon (69),
a satisfait aux épreuves du DU de gynécologie-obstétrique pour le médecin
généraliste, au titre de l'année universitaire 2023-2024,
jury du 25 juin 2024, avec la mention Assez bien.
Diplôme n° 2024-GYN-0042
Fait à Lyon, le 2 juillet 2024
Le Doyen, Pr Gilles DURAND"""

TABLE = """Université Paris Cité
DIPLÔME INTER-UNIVERSITAIRE
Attestation de réussite
Nom : DUPONT
Prénom : Jean-Pierre
Date de naissance : 12/03/1970
Intitulé du diplôme : DIU Échographie générale
Date du jury : 12/06/2025
Édité le 30/06/2025"""


def test_identifies_an_attestation_of_success_strongly() -> None:
    answer = ISSUER.identify(read(RUNNING))
    assert answer is not None
    assert 0.8 <= answer.score <= 0.95
    assert any("attestation of success" in reason for reason in answer.reasons)


def test_reads_a_running_text_attestation() -> None:
    # Run as the core runs it: identify, split, extract, then the core's checks.
    extraction = run_issuer(ISSUER, read(RUNNING)).extraction
    assert extraction.family is Family.UNIVERSITY
    assert extraction.participant is not None
    assert extraction.participant.value == "Claire MARTIN"
    assert extraction.title is not None
    assert extraction.title.value == "DU de gynécologie-obstétrique pour le médecin généraliste"
    assert extraction.end is not None and extraction.end.value == date(2024, 6, 25)
    assert extraction.start is not None and extraction.start.value == date(2023, 9, 1)
    assert extraction.start.evidence == "année universitaire 2023-2024"
    assert extraction.nature is not None and extraction.nature.value is Nature.DIPLOME
    assert extraction.reference is not None and extraction.reference.value == "2024-GYN-0042"
    assert extraction.issuer is not None
    assert extraction.issuer.value == "UNIVERSITÉ CLAUDE BERNARD LYON 1"
    assert extraction.extras["academic_year"].value == "2023-2024"
    assert extraction.rpps is None


def test_never_takes_the_birth_or_signature_date() -> None:
    for text in (RUNNING, TABLE):
        extraction = ISSUER.extract(read(text))
        for found in (extraction.start, extraction.end):
            assert found is not None
            assert found.value.year >= 2023
            assert found.value not in (date(2024, 7, 2), date(2025, 6, 30))


def test_without_an_academic_year_start_is_the_jury_date() -> None:
    extraction = ISSUER.extract(read(TABLE))
    assert extraction.last_name is not None and extraction.last_name.value == "DUPONT"
    assert extraction.first_name is not None and extraction.first_name.value == "Jean-Pierre"
    assert extraction.title is not None and extraction.title.value == "DIU Échographie générale"
    assert extraction.end is not None and extraction.end.value == date(2025, 6, 12)
    assert extraction.start is not None and extraction.start.value == date(2025, 6, 12)
    assert extraction.issuer is not None and extraction.issuer.value == "Université Paris Cité"


def test_a_capacity_with_a_deliberation_date() -> None:
    text = """Faculté de Médecine de Montpellier-Nîmes
ATTESTATION DE RÉUSSITE
M. Jean-Pierre DUPONT a été déclaré admis à la Capacité de médecine de
catastrophe, année universitaire 2022/2023,
par délibération du jury en date du 14 septembre 2023."""
    document = read(text)
    assert ISSUER.identify(document) is not None
    extraction = ISSUER.extract(document)
    assert extraction.title is not None
    assert extraction.title.value == "Capacité de médecine de catastrophe"
    assert extraction.end is not None and extraction.end.value == date(2023, 9, 14)
    assert extraction.start is not None and extraction.start.value == date(2022, 9, 1)


def test_an_uppercase_attestation() -> None:
    document = read(RUNNING.upper())
    answer = ISSUER.identify(document)
    assert answer is not None and answer.score >= 0.8
    extraction = ISSUER.extract(document)
    assert extraction.end is not None and extraction.end.value == date(2024, 6, 25)
    assert extraction.title is not None
    assert extraction.title.value.startswith("DU DE GYNÉCOLOGIE")


def test_a_printed_rpps_is_read() -> None:
    text = RUNNING.replace("née le 04/05/1985", "RPPS 10101010105, née le 04/05/1985")
    extraction = ISSUER.extract(read(text))
    assert extraction.rpps is not None and extraction.rpps.value == "10101010105"


def test_no_jury_date_leaves_the_dates_out() -> None:
    text = RUNNING.replace("jury du 25 juin 2024, ", "")
    extraction = ISSUER.extract(read(text))
    assert extraction.end is None and extraction.start is None


def test_a_qualiopi_university_stays_university() -> None:
    text = RUNNING + "\nUniversité certifiée Qualiopi (déclaration d'activité 11 75 12345 75)."
    assert winner(read(text)) == "university"


def test_a_du_registered_as_a_dpc_action_is_andpc() -> None:
    text = RUNNING.replace(
        "Diplôme n° 2024-GYN-0042",
        "Ce DU est une action DPC n° 12342400099 publiée par l'ANDPC.",
    )
    found = identify_all(read(text))
    assert found["university"] < found["andpc"]


def test_a_university_summer_school_congress_is_not_a_diploma() -> None:
    text = """ATTESTATION DE PRÉSENCE
Le Dr Claire MARTIN a participé à l'Université d'été de la médecine générale,
congrès organisé à Lyon les 3 et 4 juillet 2025."""
    assert ISSUER.identify(read(text)) is None


def test_splits_a_batch_of_attestations() -> None:
    second = RUNNING.replace("Madame Claire MARTIN", "Monsieur Jean-Pierre DUPONT")
    document = read(RUNNING, second)
    assert ISSUER.split(document) == [[1], [2]]


def test_a_diploma_heading_with_its_name_on_the_next_line() -> None:
    text = """Université de Lille - Faculté de médecine
DIPLÔME D'UNIVERSITÉ
Échographie en médecine générale
ATTESTATION DE RÉUSSITE
Le Doyen certifie que Monsieur Jean-Pierre DUPONT, né le 12/03/1970,
a été déclaré admis par le jury réuni le 3 juillet 2025.
Année universitaire 2024-2025"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.title is not None
    assert extraction.title.value == "DIPLÔME D'UNIVERSITÉ Échographie en médecine générale"
    assert extraction.end is not None and extraction.end.value == date(2025, 7, 3)
    assert extraction.start is not None and extraction.start.value == date(2024, 9, 1)
    assert extraction.participant is not None
    assert extraction.participant.value == "Jean-Pierre DUPONT"


def test_a_quoted_diploma_obtained_on_a_day() -> None:
    text = """ATTESTATION DE RÉUSSITE - Université de Nantes
Nous certifions que Mme Claire MARTIN a obtenu le Diplôme Universitaire « Soins palliatifs »
le 20/06/2025."""
    extraction = ISSUER.extract(read(text))
    assert extraction.title is not None
    assert extraction.title.value == "Diplôme Universitaire Soins palliatifs"
    assert extraction.end is not None and extraction.end.value == date(2025, 6, 20)
    assert extraction.start is not None and extraction.start.value == date(2025, 6, 20)


def test_a_teaching_period_is_not_the_jury_date() -> None:
    text = """ATTESTATION DE RÉUSSITE - Université de Nantes
Nous certifions que Mme Claire MARTIN a suivi le DU de soins palliatifs
du 01/10/2024 au 15/05/2025."""
    extraction = ISSUER.extract(read(text))
    assert extraction.end is None


def test_a_mere_mention_of_the_andpc_does_not_take_a_diploma() -> None:
    text = RUNNING + "\nCe DU est éligible au financement de l'ANDPC."
    assert winner(read(text)) == "university"


def test_reads_a_diploma_name_broken_over_two_lines() -> None:
    text = """Université de Lille
Faculté de Médecine
ATTESTATION DE RÉUSSITE
Le Doyen de la Faculté de Médecine atteste que
Agathe COLIN, née le 5 octobre 1993 à Dijon, a été déclarée admise au Diplôme
d'Université Communication médecin-patient et relation de soin au titre de l'année
universitaire 2023-2024, après délibération du jury du 25 septembre 2024.
Lille, le 09/10/2024"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.title is not None
    assert extraction.title.value == (
        "Diplôme d'Université Communication médecin-patient et relation de soin"
    )
    assert extraction.nature is not None and extraction.nature.value is Nature.DIPLOME
    assert extraction.start is not None and extraction.start.value == date(2023, 9, 1)
    assert extraction.end is not None and extraction.end.value == date(2024, 9, 25)


def test_reads_the_academic_year_written_on_the_next_line() -> None:
    text = """Aix-Marseille Université
ATTESTATION DE RÉUSSITE
Le Doyen atteste que Monsieur Pierre-Yves LEMAIRE, né le 16 juin 1990 à Rouen, a été déclaré
admis au Diplôme Inter-Universitaire Échographie générale au titre de l'année universitaire
2024-2025, après délibération du jury du 26 juin 2025.
Marseille, le 09/08/2025"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.start is not None and extraction.start.value == date(2024, 9, 1)
    assert extraction.end is not None and extraction.end.value == date(2025, 6, 26)
