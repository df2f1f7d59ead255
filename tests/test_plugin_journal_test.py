from __future__ import annotations

from datetime import date

from attest_pipeline.models import Family, Nature
from attest_pipeline.testing import identify_all, run_issuer
from attest_pipeline.testing import pdf_document as read
from attest_plugins.journal_test import JournalTestIssuer

ISSUER = JournalTestIssuer()


PRESCRIRE = """PRESCRIRE
Association Mieux Prescrire - 83 boulevard Voltaire, Paris
ATTESTATION
Test de Lecture Prescrire - année 2024
Nous certifions que le Dr Jean-Pierre DUPONT, abonné n° 123456,
a participé au Test de lecture Prescrire pour l'année 2024
et l'a réussi avec un score de 85 %.
Paris, le 15 janvier 2025"""

EXERCER_FAILED = """exercer - la revue francophone de médecine générale
Test de lecture exercer
Lecteur : Claire MARTIN
Période : du 1er janvier 2024 au 31 décembre 2024
Résultat : non validé (score 9/20)"""


def test_identifies_a_reading_test_strongly() -> None:
    answer = ISSUER.identify(read(PRESCRIRE))
    assert answer is not None
    assert 0.8 <= answer.score <= 0.95
    assert any("reading test" in reason for reason in answer.reasons)


def test_reads_a_passed_prescrire_test() -> None:
    # Run as the core runs it: identify, split, extract, then the core's checks.
    extraction = run_issuer(ISSUER, read(PRESCRIRE)).extraction
    assert extraction.family is Family.JOURNAL_TEST
    assert extraction.participant is not None
    assert extraction.participant.value == "Jean-Pierre DUPONT"
    assert extraction.journal is not None and extraction.journal.value == "Prescrire"
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 1)
    assert extraction.end is not None and extraction.end.value == date(2024, 12, 31)
    assert extraction.nature is not None and extraction.nature.value is Nature.TEST_LECTURE
    assert extraction.extras["passed"].value == "yes"
    assert extraction.extras["result"].value == "réussi"
    assert extraction.extras["score"].value == "85 %"


def test_a_failed_test_does_not_look_like_a_pass() -> None:
    extraction = ISSUER.extract(read(EXERCER_FAILED))
    assert extraction.journal is not None and extraction.journal.value == "exercer"
    assert extraction.extras["passed"].value == "no"
    assert extraction.extras["result"].value == "non validé"
    assert "9/20" in extraction.extras["score"].value
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 1)
    assert extraction.end is not None and extraction.end.value == date(2024, 12, 31)


def test_a_score_alone_is_reported_without_a_verdict() -> None:
    text = PRESCRIRE.replace("et l'a réussi avec un score de 85 %.", "Score obtenu : 42/60")
    extraction = ISSUER.extract(read(text))
    assert "passed" not in extraction.extras
    assert extraction.extras["result"].value == "Score obtenu : 42/60"
    assert extraction.extras["score"].value == "42/60"


def test_the_journal_medecine() -> None:
    text = """Test de lecture de la revue Médecine
Nous attestons que le Dr Claire MARTIN a validé le test de lecture de l'année 2023."""
    extraction = ISSUER.extract(read(text))
    assert extraction.journal is not None and extraction.journal.value == "Médecine"
    assert extraction.start is not None and extraction.start.value == date(2023, 1, 1)
    assert extraction.extras["passed"].value == "yes"


def test_an_unknown_journal_is_read_as_written() -> None:
    text = """TEST DE LECTURE DE LA GAZETTE DU GÉNÉRALISTE
Lecteur : Claire MARTIN
Année 2024 - test réussi"""
    extraction = ISSUER.extract(read(text))
    assert extraction.journal is not None
    assert extraction.journal.value == "GAZETTE DU GÉNÉRALISTE"


def test_a_single_day_is_not_the_period_covered() -> None:
    text = """Test de lecture Prescrire
Le Dr Claire MARTIN a envoyé ses réponses le 12 mars 2025."""
    extraction = ISSUER.extract(read(text))
    assert extraction.start is None and extraction.end is None


def test_never_takes_the_signature_date() -> None:
    extraction = ISSUER.extract(read(PRESCRIRE))
    assert extraction.end is not None and extraction.end.value != date(2025, 1, 15)


def test_declines_a_subscription_invoice() -> None:
    text = """PRESCRIRE - Facture n° 2025-0012
Abonnement annuel et Test de lecture 2025
Montant HT : 300,00 EUR
TVA 2,1 % : 6,30 EUR
Total TTC : 306,30 EUR"""
    assert ISSUER.identify(read(text)) is None


def test_a_reading_test_registered_as_a_dpc_action_is_andpc() -> None:
    text = PRESCRIRE + "\nProgramme DPC n° 12342400055 enregistré auprès de l'ANDPC."
    found = identify_all(read(text))
    assert found["journal_test"] < found["andpc"]


def test_a_qualiopi_publisher_does_not_make_it_a_training() -> None:
    text = PRESCRIRE + "\nOrganisme certifié Qualiopi - attestation de formation L. 6353-1."
    found = identify_all(read(text))
    assert found["journal_test"] > found.get("qualiopi", 0.0)


def test_a_score_below_the_threshold_is_a_failure() -> None:
    text = """Prescrire - Les Lectures Prescrire
ATTESTATION
Test de lecture Prescrire
L'Association Mieux Prescrire atteste que Dr Arnaud DU PLESSIS a participé au Test de lecture
Prescrire pour l'année 2025 mais n'a pas atteint le seuil de réussite (taux de réponses
exactes : 51 %). Cette attestation ne vaut pas validation du Test de lecture."""
    extraction = ISSUER.extract(read(text))
    assert extraction.extras["passed"].value == "no"
    assert extraction.extras["score"].value == "51 %"
    assert extraction.start is not None and extraction.start.value == date(2025, 1, 1)


def test_a_score_is_not_read_in_a_date() -> None:
    text = """Attestation de réussite au Test de lecture
Programme Test de lecture Prescrire
Période du 01/01/2024 au 31/12/2024
Résultat Réussi (87 %)"""
    extraction = ISSUER.extract(read(text))
    assert extraction.extras["score"].value == "87 %"
    assert extraction.extras["passed"].value == "yes"


def test_reads_a_grid_without_colons_and_a_year_on_the_next_line() -> None:
    grid = """Prescrire Programme Les Lectures Prescrire
Attestation de réussite au Test de lecture
Nom KOWALSKI
Prénom Anna
Programme Test de lecture Prescrire
Période du 01/01/2024 au 31/12/2024
Résultat Réussi (87 %)
Paris, le 01/02/2025"""
    extraction = run_issuer(ISSUER, read(grid)).extraction
    assert extraction.last_name is not None and extraction.last_name.value == "KOWALSKI"
    assert extraction.first_name is not None and extraction.first_name.value == "Anna"
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 1)
    letter = """Test de lecture Prescrire
L'Association Mieux Prescrire atteste que
Madame Aminata N'DIAYE a satisfait aux épreuves du Test de lecture Prescrire pour l'année
2023, avec un taux de réponses exactes de 83 %.
Paris, le 29 janvier 2024"""
    extraction = run_issuer(ISSUER, read(letter)).extraction
    assert extraction.start is not None and extraction.start.value == date(2023, 1, 1)
    assert extraction.end is not None and extraction.end.value == date(2023, 12, 31)
