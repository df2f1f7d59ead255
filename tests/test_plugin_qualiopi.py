from __future__ import annotations

from datetime import date

from attest_pipeline.models import Family, Nature
from attest_pipeline.testing import identify_all, run_issuer, winner
from attest_pipeline.testing import pdf_document as read
from attest_plugins.qualiopi import QualiopiIssuer

ISSUER = QualiopiIssuer()


END_OF_TRAINING = """FORMAPRO SANTÉ
SIRET : 732 829 320 00074 - NDA 11 75 12345 75
Cet enregistrement ne vaut pas agrément de l'État.
ATTESTATION DE FIN DE FORMATION
(article L. 6353-1 du Code du travail)
Je soussigné, Paul BERNARD, directeur de FORMAPRO SANTÉ, atteste que :
Nom et prénom du stagiaire : Mme Claire MARTIN, née le 04/05/1985
a suivi l'action de formation suivante :
Intitulé de la formation : Prise en charge de la douleur chronique
en médecine générale
Nature de l'action : action de formation
Dates : du 15/09/2025 au 16/09/2025
Durée : 14 heures
Résultats de l'évaluation des acquis : objectifs atteints
Organisme certifié Qualiopi au titre des actions de formation.
Fait à Lyon, le 17/09/2025
Paul BERNARD, Directeur"""

REALISATION = """CERTIFICAT DE RÉALISATION
Je soussigné Paul BERNARD, représentant légal du dispensateur de l'action
concourant au développement des compétences FORMAPRO SANTÉ,
atteste que : Jean-Pierre DUPONT
a suivi l'action : Analyse des pratiques en antibiothérapie
qui s'est déroulée du 03/03/2025 au 04/03/2025
pour une durée de 10,5 heures.
Numéro de déclaration d'activité : 11 75 12345 75
Fait à Lyon, le 05/03/2025"""


def test_identifies_an_end_of_training_attestation_strongly() -> None:
    answer = ISSUER.identify(read(END_OF_TRAINING))
    assert answer is not None
    assert 0.8 <= answer.score <= 0.95
    assert any("L. 6353-1" in reason for reason in answer.reasons)
    assert any("NDA" in reason for reason in answer.reasons)


def test_reads_an_end_of_training_attestation() -> None:
    # Run as the core runs it: identify, split, extract, then the core's checks.
    extraction = run_issuer(ISSUER, read(END_OF_TRAINING)).extraction
    assert extraction.family is Family.QUALIOPI
    assert extraction.participant is not None
    assert extraction.participant.value == "Claire MARTIN"
    assert extraction.start is not None and extraction.start.value == date(2025, 9, 15)
    assert extraction.end is not None and extraction.end.value == date(2025, 9, 16)
    assert extraction.title is not None
    assert extraction.title.value == "Prise en charge de la douleur chronique en médecine générale"
    assert extraction.nature is not None
    assert extraction.nature.value is Nature.FORMATION_CONTINUE
    assert extraction.hours is not None and extraction.hours.value == 14
    assert extraction.issuer is not None and extraction.issuer.value == "FORMAPRO SANTÉ"
    assert extraction.extras["nda"].value == "11751234575"
    assert extraction.extras["siret"].value == "73282932000074"
    assert extraction.extras["qualiopi"].value == "yes"
    assert extraction.rpps is None


def test_reads_the_official_certificate_of_completion() -> None:
    document = read(REALISATION)
    answer = ISSUER.identify(document)
    assert answer is not None and answer.score >= 0.6
    extraction = ISSUER.extract(document)
    assert extraction.participant is not None
    assert extraction.participant.value == "Jean-Pierre DUPONT"
    assert extraction.title is not None
    assert extraction.title.value == "Analyse des pratiques en antibiothérapie"
    assert extraction.nature is not None and extraction.nature.value is Nature.EPP
    assert extraction.start is not None and extraction.start.value == date(2025, 3, 3)
    assert extraction.end is not None and extraction.end.value == date(2025, 3, 4)
    assert extraction.hours is not None and extraction.hours.value == 10.5


def test_never_takes_birth_or_signature_dates() -> None:
    extraction = ISSUER.extract(read(END_OF_TRAINING))
    for found in (extraction.start, extraction.end):
        assert found is not None
        assert found.value not in (date(1985, 5, 4), date(2025, 9, 17))


def test_risk_management_nature() -> None:
    text = END_OF_TRAINING.replace(
        "Nature de l'action : action de formation", "Type de formation : gestion des risques"
    )
    extraction = ISSUER.extract(read(text))
    assert extraction.nature is not None
    assert extraction.nature.value is Nature.GESTION_RISQUES


def test_uppercase_attestation() -> None:
    document = read(END_OF_TRAINING.upper())
    answer = ISSUER.identify(document)
    assert answer is not None and answer.score >= 0.8
    extraction = ISSUER.extract(document)
    assert extraction.participant is not None
    assert "MARTIN" in extraction.participant.value
    assert extraction.start is not None and extraction.start.value == date(2025, 9, 15)


def test_yields_to_andpc_when_the_attestation_is_a_dpc_action() -> None:
    text = END_OF_TRAINING.replace(
        "a suivi l'action de formation suivante :",
        "a suivi l'action DPC n° 12342500012 (organisme DPC n° 1234, ANDPC) :",
    )
    found = identify_all(read(text))
    assert found["qualiopi"] < found["andpc"]
    assert winner(read(text)) == "andpc"


def test_yields_to_the_university_for_a_diploma() -> None:
    text = """Université de Bordeaux - Organisme certifié Qualiopi
ATTESTATION DE RÉUSSITE
Le Doyen certifie que Madame Claire MARTIN a satisfait aux épreuves du
Diplôme d'Université de médecine du sport, année universitaire 2023-2024.
Attestation de fin de formation délivrée conformément à l'article L. 6353-1.
Jury du 20 juin 2024"""
    assert winner(read(text)) == "university"


def test_yields_to_the_congress_for_an_attendance_certificate() -> None:
    text = """ATTESTATION DE PRÉSENCE
Le Dr Claire MARTIN a participé au 18e Congrès de la Médecine Générale France
les 27 et 28 mars 2025 à Paris.
Organisme de formation certifié Qualiopi, déclaration d'activité 11 75 12345 75."""
    assert winner(read(text)) == "congress"


def test_declines_an_invoice() -> None:
    text = """FORMAPRO SANTÉ - SIRET 732 829 320 00074
FACTURE N° F-2025-114
Formation : Prise en charge de la douleur chronique
Stagiaire : Claire MARTIN
Montant HT : 700,00 EUR
TVA : exonération article 261-4-4° du CGI
Total TTC : 700,00 EUR"""
    assert ISSUER.identify(read(text)) is None


def test_declines_a_convention() -> None:
    text = """CONVENTION DE FORMATION PROFESSIONNELLE
(articles L. 6353-1 et L. 6353-2 du Code du travail)
Entre les soussignés : FORMAPRO SANTÉ et le Dr Claire MARTIN
Article 1 - Objet : la formation « Douleur chronique ».
Article 2 - Une attestation de fin de formation sera remise au stagiaire."""
    assert ISSUER.identify(read(text)) is None


def test_declines_a_programme() -> None:
    text = """PROGRAMME DE LA FORMATION : Douleur chronique
Public visé : médecins généralistes
Prérequis : aucun
Moyens pédagogiques : études de cas
Modalités d'accès : inscription en ligne
Tarif : 700 EUR
Une attestation de fin de formation est remise au stagiaire (article L. 6353-1)."""
    assert ISSUER.identify(read(text)) is None


def test_declines_a_letter_without_attestation() -> None:
    text = """FORMAPRO SANTÉ
Madame, nous vous confirmons votre inscription à notre session de printemps.
NDA 11 75 12345 75 - organisme certifié Qualiopi"""
    assert ISSUER.identify(read(text)) is None


def test_splits_a_batch_of_attestations() -> None:
    second = END_OF_TRAINING.replace("Mme Claire MARTIN", "M. Jean-Pierre DUPONT")
    document = read(END_OF_TRAINING, second)
    assert ISSUER.split(document) == [[1], [2]]
    extraction = ISSUER.extract(document.subset([2]))
    assert extraction.participant is not None
    assert extraction.participant.value == "Jean-Pierre DUPONT"


def test_reads_the_name_cells_of_a_grid_without_colons() -> None:
    text = """MÉDICOACH FORMATIONS
Attestation de fin de formation
Nom MERCIER
Prénom Océane
Intitulé de la formation Dermatologie pratique en médecine générale
Nature de l'action Action de formation
Dates du 14/03/2024 au 15/03/2024
Durée 14 heures
Conformément à l'article L. 6353-1 du Code du travail, la présente attestation mentionne
les objectifs, la nature et la durée de l'action.
Lyon, le 20 mars 2024
Mme Agnès FERRAND, la gérante"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.last_name is not None and extraction.last_name.value == "MERCIER"
    assert extraction.first_name is not None and extraction.first_name.value == "Océane"
    assert extraction.participant is not None
    assert "FERRAND" not in extraction.participant.value


def certificate(boxes: str) -> str:
    """The official certificat de réalisation, its four boxes as given."""
    return REALISATION.replace(
        "qui s'est déroulée", f"Nature de l'action :\n{boxes}\nqui s'est déroulée"
    )


BOXES = ("action de formation", "bilan de compétences", "action de VAE",
         "action de formation par apprentissage")


def boxes(ticked: int, mark: str, blank: str) -> str:
    return "\n".join(f"{mark if i == ticked else blank} {b}" for i, b in enumerate(BOXES))


def test_the_ticked_box_of_the_certificate_says_whether_it_is_a_training() -> None:
    # As office suites write them: brackets, a letter alone, Wingdings' ticked box (þ).
    for mark, blank in (("[X]", "[ ]"), ("X", ""), ("þ", "o")):
        training = run_issuer(ISSUER, read(certificate(boxes(0, mark, blank)))).extraction
        assert training.nature is not None
        assert training.nature.value is Nature.FORMATION_CONTINUE
        assert "action_type" not in training.extras
        bilan = run_issuer(ISSUER, read(certificate(boxes(1, mark, blank)))).extraction
        assert bilan.nature is None  # no action of the référentiel: a person decides
        assert bilan.extras["action_type"].value == "bilan de compétences"
        assert bilan.extras["action_type"].evidence == f"{mark} bilan de compétences".strip()


def test_boxes_all_alike_leave_the_certificate_a_training() -> None:
    # The mark drawn as a shape, not text: which box is ticked cannot be told.
    extraction = run_issuer(ISSUER, read(certificate(boxes(1, "", "")))).extraction
    assert extraction.nature is not None
    assert extraction.nature.value is Nature.FORMATION_CONTINUE
