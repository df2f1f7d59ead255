from __future__ import annotations

import io

import pdfplumber
import pytest

from attest_pipeline.models import Found
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.text.fold import fold, normalise
from attest_pipeline.text.name_fields import find_name_fields
from attest_pipeline.text.names import (
    CIVILITIES,
    PersonName,
    compatible_person,
    could_be_a_name,
    name_keys,
    name_readings,
    same_person,
    split_name,
    strip_civilities,
)
from attest_pipeline.text.participant import find_person


def pdf_text(page: str) -> str:
    """The text of a one-page PDF written by reportlab, as pdfplumber reads it back."""
    with pdfplumber.open(io.BytesIO(make_pdf([page]))) as pdf:
        return pdf.pages[0].extract_text() or ""


def test_civilities_are_normalised_forms() -> None:
    for civility in ("Dr", "Dr.", "Docteur", "Docteure", "Pr", "Professeur", "M.", "M", "Mr"):
        assert normalise(civility) in CIVILITIES
    for civility in ("Monsieur", "Mme", "Madame", "Mlle", "Mademoiselle"):
        assert normalise(civility) in CIVILITIES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr Jean DUPONT", "Jean DUPONT"),
        ("Monsieur le Docteur Jean DUPONT", "Jean DUPONT"),
        ("Madame la Professeure Anne MARTIN", "Anne MARTIN"),
        ("M. Jean DUPONT", "Jean DUPONT"),
        ("Jean DUPONT", "Jean DUPONT"),
        ("Le Gall Jean", "Le Gall Jean"),
    ],
)
def test_strip_civilities(text: str, expected: str) -> None:
    assert strip_civilities(text) == expected


# ------------------------------------------------------------------------- split_name


@pytest.mark.parametrize(
    ("text", "last", "first"),
    [
        ("DUPONT Jean-Pierre", "DUPONT", "Jean-Pierre"),
        ("Jean-Pierre DUPONT", "DUPONT", "Jean-Pierre"),
        ("Dr Jean-Pierre DUPONT", "DUPONT", "Jean-Pierre"),
        ("Dr. DUPONT Jean-Pierre", "DUPONT", "Jean-Pierre"),
        ("Monsieur le Docteur Jean DUPONT", "DUPONT", "Jean"),
        ("Pr Anne MARTIN", "MARTIN", "Anne"),
        ("Mme Marie DUPONT épouse MARTIN", "DUPONT épouse MARTIN", "Marie"),
        ("DUPONT épouse MARTIN Marie", "DUPONT épouse MARTIN", "Marie"),
        ("DUPONT Marie épouse MARTIN", "DUPONT épouse MARTIN", "Marie"),
        ("Marie Dupont épouse Martin", "Dupont épouse Martin", "Marie"),
        ("Mme Marie Dupont épouse MARTIN", "Dupont épouse MARTIN", "Marie"),
        ("Marie MARTIN née DUPONT", "MARTIN née DUPONT", "Marie"),
        ("MARTIN ép. DUPONT Marie", "MARTIN ép. DUPONT", "Marie"),
        ("Jean DE LA FONTAINE", "DE LA FONTAINE", "Jean"),
        ("Jean de LA FONTAINE", "de LA FONTAINE", "Jean"),
        ("Jean de la Fontaine", "de la Fontaine", "Jean"),
        ("de la Fontaine Jean", "de la Fontaine", "Jean"),
        ("Anne-Sophie d'ALMEIDA", "d'ALMEIDA", "Anne-Sophie"),
        ("Anne-Sophie d’ALMEIDA", "d’ALMEIDA", "Anne-Sophie"),
        ("D'ALMEIDA Anne-Sophie", "D'ALMEIDA", "Anne-Sophie"),
        ("N'DIAYE Aminata", "N'DIAYE", "Aminata"),
        ("Aminata N'DIAYE", "N'DIAYE", "Aminata"),
        ("O'NEILL Sean", "O'NEILL", "Sean"),
        ("Marie LE GALL", "LE GALL", "Marie"),
        ("Le Gall Marie", "Le Gall", "Marie"),
        ("Dupont, Jean", "Dupont", "Jean"),
        ("DUPONT, Jean-Pierre", "DUPONT", "Jean-Pierre"),
        ("Dr Dupont, Jean", "Dupont", "Jean"),
        ("Jean Dupont", "Dupont", "Jean"),
        ("JEAN DUPONT", "DUPONT", "JEAN"),
        ("jean dupont", "dupont", "jean"),
        ("Hélène MÜLLER", "MÜLLER", "Hélène"),
        ("Dr J.-P. DUPONT", "DUPONT", "J.-P."),
        ("Jean-Pierre DUPONT-MARTIN", "DUPONT-MARTIN", "Jean-Pierre"),
        ("DUPONT", "DUPONT", ""),
    ],
)
def test_split_name(text: str, last: str, first: str) -> None:
    assert split_name(text) == PersonName(last, first)


@pytest.mark.parametrize("text", ["", "   ", "Dr", "Monsieur le Docteur", "12345"])
def test_split_name_none_without_a_name(text: str) -> None:
    assert split_name(text) is None


def test_name_readings_one_when_the_order_is_known() -> None:
    assert name_readings("MARTIN Thomas") == (PersonName("MARTIN", "Thomas"),)
    assert name_readings("Martin, Thomas") == (PersonName("Martin", "Thomas"),)


def test_name_readings_every_cut_when_the_order_is_unknown() -> None:
    assert name_readings("Martin Thomas") == (
        PersonName("Thomas", "Martin"),
        PersonName("Martin", "Thomas"),
    )
    readings = name_readings("JEAN PIERRE DUPONT")
    assert readings[0] == PersonName("PIERRE DUPONT", "JEAN")
    assert PersonName("DUPONT", "JEAN PIERRE") in readings
    assert len(readings) == 4


# -------------------------------------------------------------------------- name_keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dr Jean-Pierre DUPONT", "DUPONT Jean Pierre"),
        ("Jean DE LA FONTAINE", "de la Fontaine, Jean"),
        ("Mme Marie DUPONT épouse MARTIN", "MARTIN Marie DUPONT"),
        ("Hélène Müller", "HELENE MULLER"),
    ],
)
def test_name_keys_compare_regardless_of_order_case_and_accents(a: str, b: str) -> None:
    assert name_keys(a) == name_keys(b)


def test_name_keys_keep_particles_and_drop_civilities() -> None:
    assert name_keys("Dr Jean de la Fontaine") == frozenset({"jean", "de", "la", "fontaine"})


# ------------------------------------------------------------------------ same_person


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("DUPONT", "Jean"), ("Dupont", "jean")),
        (("DUPONT", "Jean-Pierre"), ("DUPONT", "Jean Pierre")),
        (("DUPONT", "Jean-Pierre"), ("Dupont", "JEAN-PIERRE")),
        (("Dupont", "Hélène"), ("DUPONT", "HELENE")),
        (("DUPONT-MARTIN", "Marie"), ("DUPONT", "Marie")),
        (("DUPONT-MARTIN", "Marie"), ("MARTIN", "Marie")),
        (("DUPONT épouse MARTIN", "Marie"), ("MARTIN", "Marie")),
        (("DUPONT épouse MARTIN", "Marie"), ("DUPONT", "Marie")),
        (("MARTIN née DUPONT", "Marie"), ("DUPONT", "Marie")),
        (("DUPONT ép. MARTIN", "Marie"), ("DUPONT-MARTIN", "Marie")),
        (("N'DIAYE", "Aminata"), ("NDIAYE", "Aminata")),
        (("d'ALMEIDA", "Anne-Sophie"), ("D’Almeida", "Anne Sophie")),
        (("DE LA FONTAINE", "Jean"), ("de la Fontaine", "Jean")),
        (("O'NEILL", "Sean"), ("ONEILL", "Sean")),
        (("Dr DUPONT", "Jean"), ("DUPONT", "Jean")),
    ],
)
def test_same_person(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert same_person(*a, *b)
    assert same_person(*b, *a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("DUPONT", "Jean"), ("DUPONT", "Jean-Pierre")),
        (("DUPONT", "Jean"), ("DUPONT", "Jeanne")),
        (("DUPONT", "J.-P."), ("DUPONT", "Jean-Pierre")),
        (("DUPONT", "J."), ("DUPONT", "Jean")),
        (("DUPONT", "Jean-Pierre"), ("DUPONT", "Pierre-Jean")),
        (("DUPONT", "Jean"), ("DUPOND", "Jean")),
        (("DUPONT-MARTIN", "Marie"), ("MARTIN-DURAND", "Marie")),
        (("DUPONT MARTIN", "Marie"), ("MARTIN", "Marie")),
        (("DUPONT", ""), ("DUPONT", "")),
        (("DUPONT", "Jean"), ("MARTIN", "Jean")),
    ],
)
def test_not_same_person(a: tuple[str, str], b: tuple[str, str]) -> None:
    assert not same_person(*a, *b)
    assert not same_person(*b, *a)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (("DUPONT", "Jean"), ("DUPONT", "Jean-Pierre"), True),
        (("DUPONT", "J.-P."), ("DUPONT", "Jean-Pierre"), True),
        (("DUPONT", ""), ("DUPONT", "Jean-Pierre"), True),
        (("DUPONT épouse MARTIN", "Marie"), ("MARTIN", "Marie"), True),
        (("DUPONT", "Marie"), ("DUPONT", "Jean-Pierre"), False),
        (("DUPONT", "P."), ("DUPONT", "Jean-Pierre"), False),
        (("MARTIN", "Jean"), ("DUPONT", "Jean"), False),
    ],
)
def test_compatible_person_is_looser_on_first_names_only(
    a: tuple[str, str], b: tuple[str, str], expected: bool
) -> None:
    assert compatible_person(*a, *b) is expected


# ------------------------------------------------------------------------ find_person


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        (
            "Je soussigné Pr Paul MARTIN, doyen de la faculté, certifie que M. Jean DUPONT, "
            "né le 12/03/1970, a suivi le DU",
            "Jean DUPONT",
            "certifie que M. Jean DUPONT",
        ),
        (
            "L'ODPC XYZ atteste que le Docteur Jean-Pierre DUPONT (RPPS 10005682603) a participé",
            "Jean-Pierre DUPONT",
            "atteste que le Docteur Jean-Pierre DUPONT",
        ),
        (
            "atteste de la participation de Mme Marie DUPONT épouse MARTIN à la formation",
            "Marie DUPONT épouse MARTIN",
            "atteste de la participation de Mme Marie DUPONT épouse MARTIN",
        ),
        (
            "certifie que Madame Marie Dupont née Martin a suivi",
            "Marie Dupont née Martin",
            "certifie que Madame Marie Dupont née Martin",
        ),
        (
            "certifie que Monsieur Jean DE LA FONTAINE, né le 1/1/1970",
            "Jean DE LA FONTAINE",
            "certifie que Monsieur Jean DE LA FONTAINE",
        ),
        (
            "Je soussignée, Dr Claire BLANC, présidente, atteste que le Dr O'NEILL Sean a suivi",
            "O'NEILL Sean",
            "atteste que le Dr O'NEILL Sean",
        ),
        (
            "CERTIFIE QUE LE DOCTEUR N'DIAYE AMINATA A PARTICIPÉ",
            "N'DIAYE AMINATA",
            "CERTIFIE QUE LE DOCTEUR N'DIAYE AMINATA",
        ),
        (
            "atteste que le docteur jean dupont a participé à la formation",
            "jean dupont",
            "atteste que le docteur jean dupont",
        ),
        (
            "certifie que\nDr Jean DUPONT\na participé",
            "Jean DUPONT",
            "certifie que\nDr Jean DUPONT",
        ),
        (
            "certifie que Dr Jean DUPONT RPPS 10005682603",
            "Jean DUPONT",
            "certifie que Dr Jean DUPONT",
        ),
        (
            "atteste que : Jean-Pierre DUPONT\na suivi l'action",
            "Jean-Pierre DUPONT",
            "atteste que : Jean-Pierre DUPONT",
        ),
        (
            "ATTESTE QUE :\nNOM ET PRÉNOM DU STAGIAIRE : MME CLAIRE MARTIN, NÉE LE 04/05/1985",
            "CLAIRE MARTIN",
            "NOM ET PRÉNOM DU STAGIAIRE : MME CLAIRE MARTIN",
        ),
        (
            "Participant : Jean DUPONT Date : 12/03/2025",
            "Jean DUPONT",
            "Participant : Jean DUPONT",
        ),
        (
            "Nom et prénom : DUPONT Jean\nRPPS : 10005682603",
            "DUPONT Jean",
            "Nom et prénom : DUPONT Jean",
        ),
        (
            "Nom et prénom du participant : Dr Anne-Sophie d'ALMEIDA",
            "Anne-Sophie d'ALMEIDA",
            "Nom et prénom du participant : Dr Anne-Sophie d'ALMEIDA",
        ),
        ("Participant(e) : N'DIAYE Aminata", "N'DIAYE Aminata", "Participant(e) : N'DIAYE Aminata"),
        ("PARTICIPANT : Jean DUPONT", "Jean DUPONT", "PARTICIPANT : Jean DUPONT"),
        ("Stagiaire : Mme Hélène MÜLLER", "Hélène MÜLLER", "Stagiaire : Mme Hélène MÜLLER"),
        ("Nom, prénom : Dupont, Jean", "Dupont, Jean", "Nom, prénom : Dupont, Jean"),
        (
            "Nom : DUPONT\nPrénom : Jean\nRPPS : 10005682603",
            "DUPONT, Jean",
            "Nom : DUPONT\nPrénom : Jean",
        ),
        (
            "Nom : DUPONT     Prénom : Jean-Pierre",
            "DUPONT, Jean-Pierre",
            "Nom : DUPONT     Prénom : Jean-Pierre",
        ),
        ("Prénom : Jean\nNom : DUPONT", "DUPONT, Jean", "Prénom : Jean\nNom : DUPONT"),
        (
            "Responsable pédagogique : Dr Paul MARTIN\nParticipant : Dr Jean DUPONT",
            "Jean DUPONT",
            "Participant : Dr Jean DUPONT",
        ),
    ],
)
def test_find_person(text: str, value: str, evidence: str) -> None:
    assert find_person(text) == Found(value, evidence)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # Without any marker: a doctor who is not the signatory.
        ("Le Président\nDr Paul MARTIN\n\nDr Jean DUPONT a participé au congrès", "Jean DUPONT"),
        ("Dr Paul MARTIN, président de la SFMG\nDr Jean DUPONT", "Jean DUPONT"),
        ("Dr Jean DUPONT, RPPS 10005682603\nDr Paul MARTIN, formateur", "Jean DUPONT"),
        ("Dr Jean DUPONT a assisté à la journée animée par Dr Paul MARTIN", "Jean DUPONT"),
    ],
)
def test_find_person_falls_back_on_a_doctor_who_is_not_the_signatory(text: str, value: str) -> None:
    found = find_person(text)
    assert found is not None
    # A line is read within a bounded reach: an endless word comes back cut.
    assert found.value == value or (len(found.value) > 200 and value.startswith(found.value))


@pytest.mark.parametrize(
    "text",
    [
        "Signature du participant :\nDr Paul MARTIN, Président",
        "Identité du formateur : Dr Paul MARTIN",
        "Le Directeur\nDr Paul MARTIN",
        "Dr Paul MARTIN, doyen de la faculté",
        "L'Université de Lyon certifie que l'Université Claude Bernard a organisé",
        "atteste que la formation a eu lieu",
        "certifie que vous avez participé",
        "Journée de formation du 12 mars 2025",
        # Two doctors, neither a signatory nor the participant for sure: no guess.
        "Dr Jean DUPONT\nDr Paul MARTIN",
    ],
)
def test_find_person_never_returns_a_signatory_an_organisation_or_a_guess(text: str) -> None:
    assert find_person(text) is None


def test_find_person_custom_markers() -> None:
    text = "Le groupe de pairs a accueilli : Dr Jean DUPONT"
    assert find_person(text) is not None  # the doctor fallback
    found = find_person("Membre : Jean DUPONT", markers=("membre",))
    assert found == Found("Jean DUPONT", "Membre : Jean DUPONT")


def test_find_name_fields_returns_family_then_first_name() -> None:
    text = "Nom de famille : DUPONT\nPrénom usuel : Jean-Pierre\nDate de naissance : 12/03/1970"
    assert find_name_fields(text) == (
        Found("DUPONT", "Nom de famille : DUPONT"),
        Found("Jean-Pierre", "Prénom usuel : Jean-Pierre"),
    )


def test_find_name_fields_ignores_the_organisation_name() -> None:
    assert find_name_fields("Nom de l'organisme : FORMA SANTÉ\nPrénom : Jean") is None


def test_find_person_through_a_real_pdf() -> None:
    text = pdf_text(
        "Je soussigné Pr Paul MARTIN, doyen, certifie que M. Jean-Pierre D’ALMEIDA,\n"
        "né le 12/03/1970, a participé à la formation du 1er au 3 avril 2025.\n"
        "Fait à Paris, le 20 avril 2025"
    )
    found = find_person(text)
    assert found == Found("Jean-Pierre D’ALMEIDA", "certifie que M. Jean-Pierre D’ALMEIDA")
    assert split_name(found.value) == PersonName("D’ALMEIDA", "Jean-Pierre")


# ------------------------------------------------------------ layouts and signatories


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        (
            "Participant ........ CHÂTELAIN François",
            "CHÂTELAIN François",
            "Participant ........ CHÂTELAIN François",
        ),
        ("Participant …… Jean DUPONT", "Jean DUPONT", "Participant …… Jean DUPONT"),
        # OCR reads some dots of a leader as dashes or a colon.
        ("Participant ..-....--: Jean DUPONT", "Jean DUPONT", "Participant ..-....--: Jean DUPONT"),
    ],
)
def test_find_person_reads_a_value_after_a_dot_leader(text: str, value: str, evidence: str) -> None:
    assert find_person(text) == Found(value, evidence)


def test_find_person_takes_the_participant_not_the_electronic_signatory() -> None:
    text = (
        "CERTIFICAT DE RÉALISATION D'UNE ACTION DE DPC\n"
        "Participant ........ LEMAIRE Pierre-Yves\n"
        "IdNatPS ............ 810701328089\n"
        "Document généré le 2023-09-29 à 11:12\n"
        "Signé électroniquement par Dr Pierre CASTEL\n"
        "le 2023-09-29 11:12:50"
    )
    found = find_person(text)
    assert found is not None and found.value == "LEMAIRE Pierre-Yves"


@pytest.mark.parametrize(
    "text",
    [
        "L'organisme atteste que le stagiaire a suivi la formation.\n"
        "Signé électroniquement par Dr Pierre CASTEL",
        "Signé numériquement pour Dr Pierre CASTEL",
        "Signé par\nDr Pierre CASTEL",
        # Named as the signatory in the text, and again under the signature.
        "Je soussigné, Dr Gwenaël RIOU, animateur du groupe, certifie l'exactitude.\n"
        "Fait le 26/11/2024\nDr Gwenaël RIOU",
        # A doctor named after the dated signature line, without a role, signs.
        "Attestation de présence au congrès.\nBordeaux, le 10 juillet 2025\nDr Clémence VASSEUR",
        "L'organisme atteste que le professionnel de santé désigné ci-dessus a suivi l'action.",
        "Le participant a suivi la formation.",
        "ATTESTATION DE PRÉSENCE\na assisté au congrès",
        "Palais des Congrès\nde Bordeaux, Bordeaux.\na assisté aux Rencontres",
    ],
)
def test_find_person_never_returns_a_signatory_nor_a_phrase(text: str) -> None:
    assert find_person(text) is None


def test_find_person_prefers_the_doctor_before_the_signature_line() -> None:
    text = (
        "Attestation de présence\nDr Anne-Sophie LEFÈVRE-ROUSSEAU\n"
        "Rencontres nationales, les 12 et 13 juin 2025.\n"
        "Bordeaux, le 10 juillet 2025\nDr Clémence VASSEUR"
    )
    found = find_person(text)
    assert found is not None and found.value == "Anne-Sophie LEFÈVRE-ROUSSEAU"


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        (
            "Madame Claire MARTIN, médecin généraliste, a assisté au congrès.",
            "Claire MARTIN",
            "Madame Claire MARTIN, médecin généraliste, a assisté",
        ),
        (
            "Attestation de présence\nRAPHAËL BONNET\na assisté aux Journées de Bretagne\n"
            "Président\nDr Loïc TANGUY",
            "RAPHAËL BONNET",
            "RAPHAËL BONNET\na assisté",
        ),
        ("Jean Dupont a participé à la soirée.", "Jean Dupont", "Jean Dupont a participé"),
    ],
)
def test_find_person_reads_a_name_before_a_participation_verb(
    text: str, value: str, evidence: str
) -> None:
    assert find_person(text) == Found(value, evidence)


@pytest.mark.parametrize(
    ("text", "last", "first"),
    [
        ("Nom : LE ROUX\nPrénom : Gaëlle", "LE ROUX", "Gaëlle"),
        ("Nom : Le Gall\nPrénom : Yann", "Le Gall", "Yann"),
        # A grid without colons: the label, then the value in the next cell.
        ("Nom MERCIER\nPrénom Océane", "MERCIER", "Océane"),
        ("Nom N'DIAYE\nPrénom Aminata\nN° RPPS 10037738944", "N'DIAYE", "Aminata"),
    ],
)
def test_find_name_fields_reads_particles_and_grids(text: str, last: str, first: str) -> None:
    fields = find_name_fields(text)
    assert fields is not None
    assert (fields[0].value, fields[1].value) == (last, first)


@pytest.mark.parametrize(
    "text",
    [
        "Nom et prénom Jean DUPONT\nPrénom Jean",
        "Nom de l'organisme FORMA SANTÉ\nPrénom Jean",
        "Le nom MERCIER figure ci-dessous\nPrénom Océane",
    ],
)
def test_find_name_fields_grid_needs_a_cell_value(text: str) -> None:
    assert find_name_fields(text) is None


def test_find_person_reads_a_grid_of_name_cells_through_a_real_pdf() -> None:
    text = pdf_text("Attestation de fin de formation\nNom MERCIER\nPrénom Océane\nDurée 14 heures")
    found = find_person(text)
    assert found is not None
    assert split_name(found.value) == PersonName("MERCIER", "Océane")


@pytest.mark.parametrize(
    "text",
    [
        "Journée de formation animée par le Dr Paul MARTIN.\nFait à Lyon, le 12 mars 2025",
        "Séance présentée par Dr Paul MARTIN",
        "Réunion tenue avec le Dr Paul MARTIN",
    ],
)
def test_find_person_never_takes_a_doctor_named_as_the_agent(text: str) -> None:
    assert find_person(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Dr Jean-Pierre DUPONT",
        "DUPONT, Jean",
        "Marie DUPONT épouse MARTIN",
        "Hélène de la Fontaine",
    ],
)
def test_a_name_reads_as_plausible(text: str) -> None:
    from attest_pipeline.text.name_reading import plausible_name

    assert plausible_name(text)


@pytest.mark.parametrize(
    "text",
    [
        "nommé ci-après",
        "le participant nommé ci-après",
        "ATTESTATION DE PRÉSENCE",
        "jean dupont",
        "DUPONT",
        "Jean DUPONT a participé",
        "A, B, C",
    ],
)
def test_what_is_no_name_is_not_plausible(text: str) -> None:
    from attest_pipeline.text.name_reading import plausible_name

    assert not plausible_name(text)


def test_one_word_is_plausible_only_when_allowed() -> None:
    from attest_pipeline.text.name_reading import plausible_name

    assert plausible_name("DUPONT", allow_single=True)


@pytest.mark.parametrize(
    ("text", "name", "signatory"),
    [
        ("Le Président\nDr Jean DUPONT", "Jean DUPONT", True),
        ("Dr Jean DUPONT, directeur de l'organisme", "Jean DUPONT", True),
        ("Formation animée par le Dr Jean DUPONT", "Jean DUPONT", True),
        ("Je soussigné, Jean DUPONT", "Jean DUPONT", True),
        ("atteste que le Dr Jean DUPONT a participé", "Jean DUPONT", False),
    ],
)
def test_signatory_at_tells_the_signatory(text: str, name: str, signatory: bool) -> None:
    from attest_pipeline.text.name_reading import signatory_at

    folded = fold(text)
    assert signatory_at(folded, folded.text.index(fold(name).text)) is signatory


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # The label words inside the attestation's sentences are not labels.
        ("Le participant nommé ci-après, Dr Jean DUPONT, a suivi l'action.", "Jean DUPONT"),
        (
            "Le participant nommé ci-après a suivi l'intégralité du programme : Prise En Charge\n"
            "Dr Claire MARTIN",
            "Claire MARTIN",
        ),
        ("Le stagiaire désigné ci-après a suivi Module Un : Dr Claire MARTIN", "Claire MARTIN"),
        ("Chaque participant reçoit : Un Livret\nNom : MARTIN\nPrénom : Claire", "MARTIN, Claire"),
        ("Participant nommé ci-après : voir ci-dessous\nDr Claire MARTIN", "Claire MARTIN"),
        # Labels laid out as labels.
        ("Participant(e) au programme : Claire MARTIN", "Claire MARTIN"),
        ("Participant ........ DUPONT Jean", "DUPONT Jean"),
        ("Participant\nDUPONT Jean", "DUPONT Jean"),
        ("Participant Marie MARTIN\nGroupe Balint", "Marie MARTIN"),
        ("Le participant : DUPONT Jean", "DUPONT Jean"),
    ],
)
def test_labels_are_labels_only_where_the_layout_says_so(text: str, name: str) -> None:
    found = find_person(text)
    assert found is not None and found.value == name


def test_a_label_word_inside_a_sentence_reads_no_label() -> None:
    # Not a label (inside the sentence), and no other layout names anyone: nothing read.
    assert find_person("Chaque participant reçoit : Un Livret") is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("This is to certify that\nDr Claire MARTIN\nhas attended the conference", "Claire MARTIN"),
        ("We hereby certify that Dr Claire MARTIN has attended", "Claire MARTIN"),
        ("Name: MARTIN Claire\nParticipant ID: 12345", "MARTIN Claire"),
        ("Participant name: Claire MARTIN", "Claire MARTIN"),
    ],
)
def test_english_certificates_name_their_participant(text: str, name: str) -> None:
    found = find_person(text)
    assert found is not None and found.value == name


def test_the_chair_who_signs_an_english_certificate_is_not_the_participant() -> None:
    assert find_person("Signed by the Chair of the Organising Committee, Dr Paul LEROY") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Participant : DUPONT", "DUPONT"),
        ("Stagiaire : CON\nDate : 12/03/2025", "CON"),
        ("Je certifie que le Dr DUPONT, RPPS 10005682603, a participé", "DUPONT"),
        ("Participant : 12345", "12345"),
        ("Participant : " + "X" * 300, "X" * 300),
        ("Je certifie que le Dr 12345, RPPS 10005682603", "12345"),
    ],
)
def test_find_person_returns_what_stands_where_the_name_should_when_no_full_name(
    text: str, value: str
) -> None:
    found = find_person(text)
    assert found is not None
    # A line is read within a bounded reach: an endless word comes back cut.
    assert found.value == value or (len(found.value) > 200 and value.startswith(found.value))


@pytest.mark.parametrize(
    "text",
    [
        "Le participant a suivi la formation",  # the word, not a label
        "Participant : Date : 12/03/2025",  # an empty field
        "certifie que l'action s'est déroulée",  # running text without a civility
        "Identité du formateur : DUPONT",
    ],
)
def test_find_person_still_returns_nothing_without_a_participant_field(text: str) -> None:
    assert find_person(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DUPONT", True),
        ("N’DIAYE Aïssatou", True),
        ("CON", True),
        ("12345", False),
        ("DUPONT 2", False),
        ("X" * 300, False),
        ("...", False),
    ],
)
def test_could_be_a_name(text: str, expected: bool) -> None:
    assert could_be_a_name(text) is expected


def test_an_english_sentence_naming_the_participant_is_no_name() -> None:
    # "the participant named below" is a noun phrase of the certificate's wording: the
    # name is the one the fields below give, in an English certificate's labels.
    text = pdf_text(
        "CERTIFICATE OF ATTENDANCE\n"
        "The Committee certifies that the participant named below attended\n"
        "the WONCA Europe Conference 2026.\n"
        "Last name : LAMBERT\n"
        "First name : Zoé\n"
        "Each participant received : One Booklet"
    )
    found = find_person(text)
    assert found is not None and found.value == "LAMBERT, Zoé"
    assert find_name_fields("Surname : LAMBERT\nGiven name : Zoé") is not None


@pytest.mark.parametrize(
    "text",
    ["the participant named below", "The participant named below", "each attendee listed"],
)
def test_a_determiner_opens_no_name(text: str) -> None:
    from attest_pipeline.text.name_reading import plausible_name, take_name

    assert take_name(text) is None
    assert not plausible_name(text)
