from __future__ import annotations

import io

import pdfplumber
import pytest

from attest_pipeline.models import Found
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.text.identifiers import (
    find_all_rpps,
    find_dpc_action,
    find_nda,
    find_odpc,
    find_rpps,
    find_session,
    find_siret,
    luhn_valid,
    normalise_rpps,
    rpps_valid,
    siren_valid,
    siret_valid,
)

#: The worked example of the domain primer: body 1000568260, key 3.
VALID = "10005682603"
#: The fictitious RPPS of the ANS FHIR guides: it fails Luhn.
FICTITIOUS = "10003461033"


def with_key(body: str) -> str:
    """Append the Luhn key to ``body`` (written here independently of the module)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


OTHER_VALID = with_key("1000000000")


def pdf_text(page: str) -> str:
    """The text of a one-page PDF written by reportlab, as pdfplumber reads it back."""
    with pdfplumber.open(io.BytesIO(make_pdf([page]))) as pdf:
        return pdf.pages[0].extract_text() or ""


def test_key_helper_agrees_with_the_domain_example() -> None:
    assert with_key("1000568260") == VALID


# ----------------------------------------------------------------------------- checks


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        (VALID, True),
        (FICTITIOUS, False),
        ("79927398713", True),
        ("79927398710", False),
        ("0", True),
        ("", False),
        ("1234 5678", False),
        ("１２３", False),
    ],
)
def test_luhn_valid(digits: str, expected: bool) -> None:
    assert luhn_valid(digits) is expected


@pytest.mark.parametrize(
    ("rpps", "expected"),
    [
        (VALID, True),
        (OTHER_VALID, True),
        (FICTITIOUS, False),
        ("10005682604", False),
        ("10005682630", False),  # transposed key
        ("1000568260", False),  # 10 digits
        ("810005682603", False),  # IdNatPS, not normalised
        (with_key("2000568260"), False),  # does not start with 1
        ("1000568260a", False),
    ],
)
def test_rpps_valid(rpps: str, expected: bool) -> None:
    assert rpps_valid(rpps) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (VALID, VALID),
        ("100 056 826 03", VALID),
        ("100.056.826.03", VALID),
        ("100-056-826-03", VALID),
        ("1000\u00a05682603", VALID),
        ("810005682603", VALID),
        ("8 100 056 826 03", VALID),
        ("1OOO5682603", VALID),
        ("1ooo5682603", VALID),
        ("lOOO5682603", VALID),
        ("I000568260З", "I000568260З"),  # a Cyrillic letter: not a digit run, left alone
        ("|0005682603", VALID),
        (FICTITIOUS, FICTITIOUS),
        ("12345", "12345"),
    ],
)
def test_normalise_rpps(raw: str, expected: str) -> None:
    assert normalise_rpps(raw) == expected


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("73282932000074", True),
        ("73282932000075", False),
        ("35600000000060", True),  # La Poste: digits add up to a multiple of 5
        ("35600000000061", False),
        ("7328293200007", False),
        ("7328293200007a", False),
    ],
)
def test_siret_valid(number: str, expected: bool) -> None:
    assert siret_valid(number) is expected


@pytest.mark.parametrize(
    ("number", "expected"), [("732829320", True), ("732829321", False), ("356000000", True)]
)
def test_siren_valid(number: str, expected: bool) -> None:
    assert siren_valid(number) is expected


# --------------------------------------------------------------------------- find_rpps


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        (f"RPPS {VALID}", VALID, f"RPPS {VALID}"),
        (f"N° RPPS : {VALID}", VALID, f"N° RPPS : {VALID}"),
        (f"n°RPPS:{VALID}", VALID, f"n°RPPS:{VALID}"),
        (f"RPPS{VALID}", VALID, f"RPPS{VALID}"),
        (f"Numéro RPPS : {VALID}", VALID, f"Numéro RPPS : {VALID}"),
        ("Identifiant RPPS : 100 056 826 03", VALID, "Identifiant RPPS : 100 056 826 03"),
        (f"IdNatPS : 8{VALID}", VALID, f"IdNatPS : 8{VALID}"),
        (f"Identifiant national : 8 {VALID}", VALID, f"Identifiant national : 8 {VALID}"),
        (
            f"Identification nationale PP : 8{VALID}",
            VALID,
            f"Identification nationale PP : 8{VALID}",
        ),
        (f"N° ADELI/RPPS : {VALID}", VALID, f"RPPS : {VALID}"),
        (f"N° RPPS du participant : {VALID}", VALID, f"N° RPPS du participant : {VALID}"),
        (f"rpps : {VALID}", VALID, f"rpps : {VALID}"),
        (f"RPPS :\n{VALID}", VALID, f"RPPS :\n{VALID}"),
        ("RPPS : 1OOO5682603", VALID, "RPPS : 1OOO5682603"),
        (
            "RPPS\u00a0: 100\u00a0056\u00a0826\u00a003",
            VALID,
            "RPPS\u00a0: 100\u00a0056\u00a0826\u00a003",
        ),
        # Invalid values are returned: the core decides invalid_rpps.
        (f"RPPS : {FICTITIOUS}", FICTITIOUS, f"RPPS : {FICTITIOUS}"),
        ("RPPS : 1000568260", "1000568260", "RPPS : 1000568260"),
        # A phone number after the RPPS does not run into it.
        (f"RPPS : {VALID} 06 12 34 56 78", VALID, f"RPPS : {VALID}"),
    ],
)
def test_find_rpps(text: str, value: str, evidence: str) -> None:
    assert find_rpps(text) == Found(value, evidence)


@pytest.mark.parametrize(
    "text",
    [
        "N° ADELI : 751234567",
        "N° ADELI/RPPS : 751234567",
        "RPPS : 0612345678",
        "RPPS : non renseigné    SIRET : 73282932000074",
        "numéro RPPS et son adresse 12 rue des Lilas",
        "Action DPC n° 98762500123",
        f"SIRET : {VALID}023",
        f"Tél. {VALID}",
        "RPPS : 73282932000074",
        "",
    ],
)
def test_find_rpps_never_returns_adeli_siret_phone_or_action(text: str) -> None:
    assert find_rpps(text) is None


def test_find_rpps_skips_the_signatory() -> None:
    text = (
        f"Je soussigné Dr Paul MARTIN, RPPS {OTHER_VALID}, certifie que "
        f"Dr Jean DUPONT, RPPS {VALID}, a participé"
    )
    found = find_rpps(text)
    assert found is not None and found.value == VALID
    assert [f.value for f in find_all_rpps(text)] == [OTHER_VALID, VALID]


def test_find_rpps_skips_an_rpps_under_a_role_line() -> None:
    text = f"Le Président\nRPPS {OTHER_VALID}\n\nDr Jean DUPONT\nRPPS : {VALID}"
    found = find_rpps(text)
    assert found is not None and found.value == VALID


def test_find_rpps_keeps_a_lone_signatory_number_rather_than_nothing() -> None:
    found = find_rpps(f"Je soussigné Dr Paul MARTIN, RPPS {OTHER_VALID}")
    assert found is not None and found.value == OTHER_VALID


def test_find_rpps_through_a_real_pdf() -> None:
    text = pdf_text(
        "Dr Jean DUPONT\nN° ADELI : 751234567\nN° RPPS : 100 056 826 03\nSIRET : 732 829 320 00074"
    )
    assert find_rpps(text) == Found(VALID, "N° RPPS : 100 056 826 03")
    assert find_siret(text) == Found("73282932000074", "SIRET : 732 829 320 00074")


# ------------------------------------------------------------------ DPC identifiers


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        ("N° d'action : 98762500123", "98762500123", "N° d'action : 98762500123"),
        ("Action DPC n° 98762500123", "98762500123", "DPC n° 98762500123"),
        (
            "Référence de l'action DPC : 9876 2500 123",
            "98762500123",
            "DPC : 9876 2500 123",
        ),
        ("Référence : 9876.2500.123", "98762500123", "Référence : 9876.2500.123"),
        ("Programme n° 98762500123 - Session 2", "98762500123", "Programme n° 98762500123"),
        ("Numéro de l'action\n98762500123", "98762500123", "action\n98762500123"),
        (
            f"RPPS : {VALID}   Action DPC : 98762500123",
            "98762500123",
            "DPC : 98762500123",
        ),
    ],
)
def test_find_dpc_action(text: str, value: str, evidence: str) -> None:
    assert find_dpc_action(text) == Found(value, evidence)


@pytest.mark.parametrize(
    "text",
    [
        f"RPPS : {VALID}",
        f"Action suivie par le Dr DUPONT, RPPS {VALID}",
        "N° SIRET : 73282932000074",
        "Action n° 9876250012",  # 10 digits
        "Action n° 987625001234",  # 12 digits
        "98762500123",  # no label
    ],
)
def test_find_dpc_action_needs_an_action_label_and_eleven_digits(text: str) -> None:
    assert find_dpc_action(text) is None


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        ("Session n° 2", "2", "Session n° 2"),
        ("SESSION N°3", "3", "SESSION N°3"),
        ("N° de session : 25.002", "25.002", "N° de session : 25.002"),
        (
            "Numéro de la session : 98762500123-1",
            "98762500123-1",
            "Numéro de la session : 98762500123-1",
        ),
        ("Session : 1", "1", "Session : 1"),
        ("Session 3 - Lyon", "3", "Session 3"),
    ],
)
def test_find_session(text: str, value: str, evidence: str) -> None:
    assert find_session(text) == Found(value, evidence)


@pytest.mark.parametrize(
    "text",
    ["Session du 12 mars 2025", "Session 2024", "Session : 12/03/2025", "session de formation"],
)
def test_find_session_is_never_a_date_or_year(text: str) -> None:
    assert find_session(text) is None


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        ("ODPC n° 1234", "1234", "ODPC n° 1234"),
        ("N° ODPC : 1234", "1234", "ODPC : 1234"),
        (
            "Organisme DPC enregistré sous le numéro 1234",
            "1234",
            "Organisme DPC enregistré sous le numéro 1234",
        ),
        (
            "Organisme enregistré auprès de l'ANDPC sous le n° 1234",
            "1234",
            "enregistré auprès de l'ANDPC sous le n° 1234",
        ),
    ],
)
def test_find_odpc(text: str, value: str, evidence: str) -> None:
    assert find_odpc(text) == Found(value, evidence)


@pytest.mark.parametrize(
    "text",
    [
        "Déclaration d'activité enregistrée sous le numéro 11 75 12345 75",
        "ODPC n° 98762500123",
        "ODPC certifié Qualiopi",
    ],
)
def test_find_odpc_is_four_digits_only(text: str) -> None:
    assert find_odpc(text) is None


@pytest.mark.parametrize(
    ("text", "value", "evidence"),
    [
        (
            "Déclaration d'activité enregistrée sous le numéro 11 75 12345 75 auprès du préfet "
            "de région d'Île-de-France. Cet enregistrement ne vaut pas agrément de l'État.",
            "11751234575",
            "Déclaration d'activité enregistrée sous le numéro 11 75 12345 75",
        ),
        ("NDA : 11751234575", "11751234575", "NDA : 11751234575"),
        (
            "N° de déclaration d'activité : 84 69 12345 69",
            "84691234569",
            "N° de déclaration d'activité : 84 69 12345 69",
        ),
    ],
)
def test_find_nda(text: str, value: str, evidence: str) -> None:
    assert find_nda(text) == Found(value, evidence)


def test_find_nda_needs_eleven_digits() -> None:
    assert find_nda("NDA : 1175123457") is None
    assert find_nda("11 75 12345 75") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("SIRET : 732 829 320 00074", "73282932000074"),
        ("N° SIRET 73282932000074", "73282932000074"),
        ("SIRET : 356 000 000 00060", "35600000000060"),
        ("SIREN : 732 829 320", "732829320"),
        ("SIRET : 732 829 320 00075 (SIREN 732 829 320)", "732829320"),
        ("SIREN 732829320 - SIRET 73282932000074", "73282932000074"),
    ],
)
def test_find_siret(text: str, value: str) -> None:
    found = find_siret(text)
    assert found is not None and found.value == value


def test_find_siret_refuses_invalid_numbers() -> None:
    assert find_siret("SIRET : 732 829 320 00075") is None
    assert find_siret("73282932000074") is None


def test_find_odpc_after_the_agency_named_in_full() -> None:
    text = (
        "organisme de DPC enregistré auprès de l'Agence nationale du DPC sous le numéro 1234"
    )
    found = find_odpc(text)
    assert found is not None and found.value == "1234"
    assert found.evidence.endswith("sous le numéro 1234")


def test_an_english_rpps_label_is_read() -> None:
    # An international congress's certificate of attendance: "RPPS number : ...", the
    # number that tells two homonyms of the roster apart.
    text = pdf_text(
        "CERTIFICATE OF ATTENDANCE\n"
        "Participant : Dr BERNARD Nicolas\n"
        "RPPS number : 10039507768\n"
        "Paris, 09/07/2026"
    )
    found = find_rpps(text)
    assert found is not None and found.value == "10039507768"
    assert found.evidence == "RPPS number : 10039507768"
