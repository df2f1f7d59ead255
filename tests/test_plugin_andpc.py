from __future__ import annotations

import io
from datetime import date

from reportlab.pdfgen import canvas

from attest_pipeline.models import Family, Nature
from attest_pipeline.reading import read_pdf
from attest_pipeline.testing import pdf_document as read
from attest_pipeline.testing import run_issuer, winner
from attest_pipeline.testing.pdf import PAGE_HEIGHT, PAGE_WIDTH
from attest_plugins.andpc import AndpcIssuer

ISSUER = AndpcIssuer()


RUNNING = """ATTESTATION DE PARTICIPATION
à une action de Développement Professionnel Continu (DPC)
Je soussignée, Marie LEROY, présidente de FORMEDIC SAS, organisme de DPC n° 1234
enregistré auprès de l'Agence nationale du DPC,
atteste que le Dr Jean-Pierre DUPONT, né le 12/03/1970, RPPS 10005682603,
a participé à l'action de DPC n° 12342500012 intitulée « Prise en charge du diabète
de type 2 en médecine générale », session n° 2, du 12 au 14 mars 2025,
d'une durée de 14 heures.
Type d'action : Formation continue
Fait à Paris, le 20 mars 2025
Marie LEROY, Présidente"""

TABLE = """MEDIFORM - Organisme DPC n° 5678
ATTESTATION DE FIN D'ACTION DPC
Nom : MARTIN
Prénom : Claire
N° RPPS : 10101010105
Intitulé de l'action : Dépistage des cancers cutanés
en soins primaires
N° d'action : 5678 2500 031
Session : 3
Date de début : 05/02/2025
Date de fin : 06/02/2025
Type : EPP
Attestation éditée le 10/04/2025 sur www.mondpc.fr"""


def test_identifies_a_dpc_attestation_strongly_with_reasons() -> None:
    answer = ISSUER.identify(read(RUNNING))
    assert answer is not None
    assert 0.8 <= answer.score <= 0.95
    assert any("DPC action number" in reason for reason in answer.reasons)
    assert any("ANDPC named" in reason for reason in answer.reasons)


def test_reads_a_running_text_attestation() -> None:
    # Run as the core runs it: identify, split, extract, then the core's checks.
    extraction = run_issuer(ISSUER, read(RUNNING)).extraction
    assert extraction.family is Family.ANDPC
    assert extraction.participant is not None
    assert extraction.participant.value == "Jean-Pierre DUPONT"
    assert "DUPONT" in extraction.participant.evidence
    assert extraction.rpps is not None and extraction.rpps.value == "10005682603"
    assert extraction.start is not None and extraction.start.value == date(2025, 3, 12)
    assert extraction.end is not None and extraction.end.value == date(2025, 3, 14)
    assert extraction.title is not None
    assert extraction.title.value == ("Prise en charge du diabète de type 2 en médecine générale")
    assert extraction.reference is not None and extraction.reference.value == "12342500012"
    assert extraction.extras["session"].value == "2"
    assert extraction.extras["odpc"].value == "1234"
    assert extraction.nature is not None
    assert extraction.nature.value is Nature.FORMATION_CONTINUE
    assert extraction.issuer is not None and extraction.issuer.value == "FORMEDIC SAS"
    assert extraction.hours is not None and extraction.hours.value == 14


def test_evidence_is_text_of_the_document() -> None:
    document = read(RUNNING)
    extraction = ISSUER.extract(document)
    flat = " ".join(document.text.split())
    for found in (extraction.participant, extraction.rpps, extraction.start, extraction.title):
        assert found is not None
        assert " ".join(found.evidence.split()) in flat


def test_never_takes_the_birth_or_print_date() -> None:
    extraction = ISSUER.extract(read(RUNNING))
    for found in (extraction.start, extraction.end):
        assert found is not None
        assert found.value not in (date(1970, 3, 12), date(2025, 3, 20))


def test_reads_a_label_value_table_with_a_title_over_two_lines() -> None:
    extraction = ISSUER.extract(read(TABLE))
    assert extraction.last_name is not None and extraction.last_name.value == "MARTIN"
    assert extraction.first_name is not None and extraction.first_name.value == "Claire"
    assert extraction.rpps is not None and extraction.rpps.value == "10101010105"
    assert extraction.title is not None
    assert extraction.title.value == "Dépistage des cancers cutanés en soins primaires"
    assert extraction.reference is not None and extraction.reference.value == "56782500031"
    assert extraction.start is not None and extraction.start.value == date(2025, 2, 5)
    assert extraction.end is not None and extraction.end.value == date(2025, 2, 6)
    assert extraction.nature is not None and extraction.nature.value is Nature.EPP
    assert extraction.extras["odpc"].value == "5678"


def test_reads_an_uppercase_attestation() -> None:
    document = read(RUNNING.upper())
    answer = ISSUER.identify(document)
    assert answer is not None and answer.score >= 0.8
    extraction = ISSUER.extract(document)
    assert extraction.participant is not None
    assert "DUPONT" in extraction.participant.value
    assert extraction.reference is not None and extraction.reference.value == "12342500012"
    assert extraction.start is not None and extraction.start.value == date(2025, 3, 12)
    assert extraction.nature is not None
    assert extraction.nature.value is Nature.FORMATION_CONTINUE


def test_natures_of_dpc_actions() -> None:
    cases = {
        "Type d'action : Gestion des risques": Nature.GESTION_RISQUES,
        "Type : GDR": Nature.GESTION_RISQUES,
        "Cet audit clinique a été réalisé selon la méthode HAS.": Nature.EPP,
        "Programme intégré associant formation continue et évaluation des pratiques": (
            Nature.PROGRAMME_INTEGRE
        ),
        "Action de formation continue en présentiel": Nature.FORMATION_CONTINUE,
    }
    base = TABLE.replace("Type : EPP", "{line}")
    for line, nature in cases.items():
        extraction = ISSUER.extract(read(base.replace("{line}", line)))
        assert extraction.nature is not None, line
        assert extraction.nature.value is nature, line


def test_a_legend_listing_every_type_does_not_decide_the_nature() -> None:
    text = TABLE.replace(
        "Type : EPP",
        "Types : formation continue / évaluation des pratiques / gestion des risques\n"
        "Méthode : analyse des pratiques en groupe",
    )
    extraction = ISSUER.extract(read(text))
    assert extraction.nature is not None and extraction.nature.value is Nature.EPP


def test_no_nature_stated_leaves_it_out() -> None:
    extraction = ISSUER.extract(read(TABLE.replace("Type : EPP\n", "")))
    assert extraction.nature is None


def test_fafpm_funded_training() -> None:
    text = """ATTESTATION DE FORMATION
Formation prise en charge par le FAF-PM (Fonds d'Assurance Formation de la
Profession Médicale)
Nous certifions que le Docteur Claire MARTIN a suivi la formation
« Urgences pédiatriques au cabinet » les 3 et 4 juin 2025 (14 heures).
Organisme : PEDIAFORM"""
    answer = ISSUER.identify(read(text))
    assert answer is not None
    extraction = ISSUER.extract(read(text))
    assert extraction.extras["funder"].value == "fafpm"
    assert extraction.nature is not None
    assert extraction.nature.value is Nature.FORMATION_CONTINUE
    assert extraction.start is not None and extraction.start.value == date(2025, 6, 3)
    assert extraction.end is not None and extraction.end.value == date(2025, 6, 4)
    assert extraction.title is not None
    assert extraction.title.value == "Urgences pédiatriques au cabinet"
    assert extraction.issuer is not None and extraction.issuer.value == "PEDIAFORM"
    assert winner(read(text)) == "andpc"


def test_declines_a_document_without_dpc_marker() -> None:
    text = """ATTESTATION DE FIN DE FORMATION
Article L. 6353-1 du Code du travail
Nous certifions que Claire MARTIN a suivi la formation « Dermatoscopie »
du 12 au 13 mai 2025."""
    assert ISSUER.identify(read(text)) is None


def test_a_denied_dpc_mention_is_not_a_marker() -> None:
    text = """ATTESTATION DE FIN DE FORMATION
Cette formation n'est pas éligible au DPC.
Nous certifions que Claire MARTIN a suivi la formation « Dermatoscopie »."""
    assert ISSUER.identify(read(text)) is None


def test_declines_an_invoice_of_a_dpc_organisation() -> None:
    text = """FORMEDIC SAS - Organisme DPC n° 1234
FACTURE N° 2025-031
Action DPC n° 12342500012 - Diabète de type 2
Montant HT : 450,00 EUR
TVA 20 % : 90,00 EUR
Total TTC : 540,00 EUR"""
    assert ISSUER.identify(read(text)) is None


def test_declines_a_programme_page() -> None:
    text = """Programme de l'action DPC n° 12342500012
Public visé : médecins généralistes
Prérequis : aucun
Méthodes pédagogiques : vignettes cliniques
Tarif : pris en charge par l'ANDPC
Une attestation de participation sera remise à l'issue de la formation."""
    assert ISSUER.identify(read(text)) is None


def test_an_attestation_with_its_programme_attached_is_still_one() -> None:
    programme = """Programme de l'action
Public visé : médecins généralistes
Prérequis : aucun
Méthodes pédagogiques : vignettes cliniques
Tarif : pris en charge"""
    answer = ISSUER.identify(read(RUNNING, programme))
    assert answer is not None and answer.score >= 0.8


def test_splits_one_attestation_per_participant_and_skips_the_cover_letter() -> None:
    cover = "Madame, Monsieur,\nVeuillez trouver ci-joint les attestations de la session."
    second = RUNNING.replace("Jean-Pierre DUPONT", "Claire MARTIN").replace(
        "10005682603", "10101010105"
    )
    document = read(cover, RUNNING, "Programme de la session : cas cliniques", second)
    assert ISSUER.split(document) == [[2, 3], [4]]
    assert ISSUER.split(read(RUNNING)) is None


def test_qualiopi_certified_odpc_stays_andpc() -> None:
    text = RUNNING + "\nFORMEDIC SAS est certifié Qualiopi au titre des actions de formation."
    assert winner(read(text)) == "andpc"


def test_two_column_table_read_by_layout() -> None:
    # The labels column is drawn first, then the values: the text layer lists all labels,
    # then all values, and only the words' positions pair them.
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(60, 780, "ATTESTATION DE PARTICIPATION - ACTION DPC - ANDPC")
    rows = [
        ("Participant :", "Dr Claire MARTIN"),
        ("Intitulé de l'action :", "Vaccination de l'adulte"),
        ("N° d'action :", "12342500077"),
    ]
    for index, (label, _) in enumerate(rows):
        pdf.drawString(60, 740 - 20 * index, label)
    for index, (_, value) in enumerate(rows):
        pdf.drawString(250, 740 - 20 * index, value)
    pdf.showPage()
    pdf.save()
    document = read_pdf(buffer.getvalue())
    extraction = ISSUER.extract(document)
    assert extraction.title is not None
    assert extraction.title.value == "Vaccination de l'adulte"
    assert extraction.reference is not None and extraction.reference.value == "12342500077"


def test_a_platform_attestation_with_a_colon_inside_the_title() -> None:
    text = """mondpc.fr
Attestation de participation
Numéro de l'action : 99992500123
Numéro de session : 25.002
Intitulé : Insuffisance rénale chronique : dépistage et suivi
en ville
Dates de la session : 06/10/2025 - 07/10/2025
Professionnel : Dr Sophie BLANC (RPPS 10005682603)
Méthode : Formation continue présentielle
Organisme : ACADEMIE MEDICALE DU SUD - ODPC 4321
Signé électroniquement le 08/10/2025 par Paul ROUX, gérant"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.title is not None
    assert extraction.title.value == "Insuffisance rénale chronique : dépistage et suivi en ville"
    assert extraction.issuer is not None and extraction.issuer.value == "ACADEMIE MEDICALE DU SUD"
    assert extraction.extras["odpc"].value == "4321"
    assert extraction.extras["session"].value == "25.002"
    assert extraction.reference is not None and extraction.reference.value == "99992500123"
    assert extraction.participant is not None
    assert extraction.participant.value == "Sophie BLANC"
    assert extraction.end is not None and extraction.end.value == date(2025, 10, 7)


def test_the_type_written_as_the_title_label() -> None:
    text = TABLE.replace(
        "Intitulé de l'action : Dépistage des cancers cutanés\nen soins primaires\n",
        "Évaluation des pratiques professionnelles : Améliorer la communication avec le patient\n",
    ).replace("Type : EPP\n", "")
    extraction = ISSUER.extract(read(text))
    assert extraction.title is not None
    assert extraction.title.value == "Améliorer la communication avec le patient"
    assert extraction.nature is not None and extraction.nature.value is Nature.EPP


PLATFORM = """e-DPC Campus
CERTIFICAT DE RÉALISATION D'UNE ACTION DE DPC
Action enregistrée auprès de l'Agence nationale du Développement Professionnel Continu
Participant ........ LEMAIRE Pierre-Yves
Organisme .......... Institut Occitan de Formation des Généralistes
N° ODPC ............ 2975
Action n° .......... 29752300015 Session 5
Période ............ du 03/04/2023 au 29/09/2023
Document généré le 2023-09-29 à 11:12
Signé électroniquement par Dr Pierre CASTEL
le 2023-09-29 11:12:50"""


def test_the_electronic_signatory_is_never_the_participant() -> None:
    extraction = run_issuer(ISSUER, read(PLATFORM)).extraction
    assert extraction.participant is not None
    assert extraction.participant.value == "LEMAIRE Pierre-Yves"
    # Without the participant's line, nobody rather than the signatory.
    without = PLATFORM.replace("Participant ........ LEMAIRE Pierre-Yves\n", "")
    assert run_issuer(ISSUER, read(without)).extraction.participant is None


def test_reads_a_family_name_with_a_particle_in_a_form() -> None:
    text = """FORMATION MÉDICALE CONTINUE RHÔNE-ALPES
ATTESTATION DE FIN D'ACTION DPC
Organisme Formation Médicale Continue Rhône-Alpes (ODPC n° 2418)
Référence de l'action 24182400191
Nom : LE ROUX
Prénom : Gaëlle
N° RPPS : 10927168996
Date de début : 16/09/2024
Date de fin : 28/02/2025
L'organisme atteste que le professionnel de santé désigné ci-dessus a suivi l'action.
La Présidente
Dr Françoise MARTEL"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.last_name is not None and extraction.last_name.value == "LE ROUX"
    assert extraction.participant is not None
    assert extraction.participant.value == "LE ROUX, Gaëlle"


def test_reads_the_orientation_prioritaire_when_stated() -> None:
    text = RUNNING + "\nOrientation prioritaire n° 12 : Antibiorésistance et bon usage"
    extraction = ISSUER.extract(read(text))
    orientation = extraction.extras["orientation"]
    assert orientation.value == "n° 12 : Antibiorésistance et bon usage"
    assert orientation.evidence.startswith("Orientation prioritaire")
    assert "orientation" not in ISSUER.extract(read(RUNNING)).extras
