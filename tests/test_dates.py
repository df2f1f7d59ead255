from __future__ import annotations

import io
import re
from datetime import date

import pdfplumber
import pytest

from attest_pipeline.models import Found
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.text import dates
from attest_pipeline.text.dates import (
    DateSpan,
    academic_year,
    find_dates,
    find_event_dates,
    find_labelled_date,
    find_period,
    find_year,
    parse_date,
)


def pdf_text(page: str) -> str:
    """The text of a one-page PDF written by reportlab, as pdfplumber reads it back."""
    with pdfplumber.open(io.BytesIO(make_pdf([page]))) as pdf:
        return pdf.pages[0].extract_text() or ""


D = date


# ------------------------------------------------------------------------- parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/03/2025", D(2025, 3, 12)),
        ("12.03.2025", D(2025, 3, 12)),
        ("12-03-2025", D(2025, 3, 12)),
        ("12/03/25", D(2025, 3, 12)),
        ("1/3/2025", D(2025, 3, 1)),
        ("12 / 03 / 2025", D(2025, 3, 12)),
        ("2025-03-12", D(2025, 3, 12)),
        ("2025/03/12", D(2025, 3, 12)),
        ("12 mars 2025", D(2025, 3, 12)),
        ("12 MARS 2025", D(2025, 3, 12)),
        ("12 Mars 2025", D(2025, 3, 12)),
        ("1er avril 2025", D(2025, 4, 1)),
        ("1 er avril 2025", D(2025, 4, 1)),
        ("1ᵉʳ avril 2025", D(2025, 4, 1)),
        ("lundi 12 mai 2025", D(2025, 5, 12)),
        ("Lundi, 12 mai 2025", D(2025, 5, 12)),
        ("12 février 2025", D(2025, 2, 12)),
        ("12 fevrier 2025", D(2025, 2, 12)),
        ("12 FÉVRIER 2025", D(2025, 2, 12)),
        ("12 févr. 2025", D(2025, 2, 12)),
        ("3 août 2025", D(2025, 8, 3)),
        ("3 aout 2025", D(2025, 8, 3)),
        ("3 déc. 2025", D(2025, 12, 3)),
        ("3 dec 2025", D(2025, 12, 3)),
        ("30 sept. 2024", D(2024, 9, 30)),
        ("7 janv. 2024", D(2024, 1, 7)),
        ("14 juillet 2024", D(2024, 7, 14)),
        ("14 juil. 2024", D(2024, 7, 14)),
        ("12\u00a0mars\u00a02025", D(2025, 3, 12)),
        ("  12   mars   2025  ", D(2025, 3, 12)),
        ("12 mars 2025.", D(2025, 3, 12)),
        ("29/02/2024", D(2024, 2, 29)),
        ("12/03/70", D(1970, 3, 12)),
    ],
)
def test_parse_date_reads_every_french_form(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2025",
        "29/02/2025",
        "12/13/2025",
        "32 mars 2025",
        "12 mars",
        "mars 2025",
        "2025",
        "",
        "12 mars 2025 et 13 mars 2025",
        "le 12 mars 2025",
        "01.23.45.67.89",
        "12/03",
        "bonjour",
    ],
)
def test_parse_date_refuses_what_is_not_exactly_one_valid_date(text: str) -> None:
    assert parse_date(text) is None


# ------------------------------------------------------------------------- find_dates


def test_find_dates_lists_every_full_date_in_order_with_exact_evidence() -> None:
    text = "Né le 12/03/1970 ; formation le 12 Mars 2025 ; édité le 2025-04-01."
    assert find_dates(text) == [
        Found(D(1970, 3, 12), "12/03/1970"),
        Found(D(2025, 3, 12), "12 Mars 2025"),
        Found(D(2025, 4, 1), "2025-04-01"),
    ]


def test_find_dates_ignores_phone_numbers_and_partial_dates() -> None:
    assert find_dates("Tél. 04.12.03.20.25 - du 12 au 14") == []
    assert [f.value for f in find_dates("du 12 au 14 mars 2025")] == [D(2025, 3, 14)]


def test_find_dates_evidence_survives_accents_and_ligatures() -> None:
    text = "Œuvre du 3 février 2025"
    (found,) = find_dates(text)
    assert found.value == D(2025, 2, 3)
    assert found.evidence == "3 février 2025"


# ------------------------------------------------------------------------ find_period


@pytest.mark.parametrize(
    ("text", "start", "end", "evidence"),
    [
        ("Le Dr X a participé le 12 mars 2025.", D(2025, 3, 12), D(2025, 3, 12), "12 mars 2025"),
        ("du 12 au 14 mars 2025", D(2025, 3, 12), D(2025, 3, 14), "du 12 au 14 mars 2025"),
        (
            "du 30 septembre au 2 octobre 2025",
            D(2025, 9, 30),
            D(2025, 10, 2),
            "du 30 septembre au 2 octobre 2025",
        ),
        (
            "du 30 décembre au 2 janvier 2025",
            D(2024, 12, 30),
            D(2025, 1, 2),
            "du 30 décembre au 2 janvier 2025",
        ),
        ("du 30 au 2 octobre 2025", D(2025, 9, 30), D(2025, 10, 2), "du 30 au 2 octobre 2025"),
        (
            "du 12/03/2025 au 14/03/2025",
            D(2025, 3, 12),
            D(2025, 3, 14),
            "du 12/03/2025 au 14/03/2025",
        ),
        ("du 12/03 au 14/03/2025", D(2025, 3, 12), D(2025, 3, 14), "du 12/03 au 14/03/2025"),
        (
            "du 12 mars 2025 au 14 mars 2025",
            D(2025, 3, 12),
            D(2025, 3, 14),
            "du 12 mars 2025 au 14 mars 2025",
        ),
        (
            "du lundi 12 au mercredi 14 mai 2025",
            D(2025, 5, 12),
            D(2025, 5, 14),
            "du lundi 12 au mercredi 14 mai 2025",
        ),
        ("les 3 et 4 juin 2025", D(2025, 6, 3), D(2025, 6, 4), "les 3 et 4 juin 2025"),
        ("le 3 et 4 juin 2025", D(2025, 6, 3), D(2025, 6, 4), "le 3 et 4 juin 2025"),
        ("les 3, 4 et 5 juin 2025", D(2025, 6, 3), D(2025, 6, 5), "les 3, 4 et 5 juin 2025"),
        ("les 3, 4, 5 juin 2025", D(2025, 6, 3), D(2025, 6, 5), "les 3, 4, 5 juin 2025"),
        ("5 & 6 février 2025", D(2025, 2, 5), D(2025, 2, 6), "5 & 6 février 2025"),
        (
            "Date : 5 février 2025 / 6 février 2025",
            D(2025, 2, 5),
            D(2025, 2, 6),
            "5 février 2025 / 6 février 2025",
        ),
        ("Dates : 5-6-7 février 2025", D(2025, 2, 5), D(2025, 2, 7), "5-6-7 février 2025"),
        (
            "Date(s) : 5/2/2025, 6/2/2025",
            D(2025, 2, 5),
            D(2025, 2, 6),
            "5/2/2025, 6/2/2025",
        ),
        (
            "12/03/2025 - 13/03/2025 - 14/03/2025",
            D(2025, 3, 12),
            D(2025, 3, 14),
            "12/03/2025 - 13/03/2025 - 14/03/2025",
        ),
        (
            "les 12 mars et 9 avril 2025",
            D(2025, 3, 12),
            D(2025, 4, 9),
            "les 12 mars et 9 avril 2025",
        ),
        ("du 1er au 3 avril 2025", D(2025, 4, 1), D(2025, 4, 3), "du 1er au 3 avril 2025"),
        ("12-14 mars 2025", D(2025, 3, 12), D(2025, 3, 14), "12-14 mars 2025"),
        ("12 – 14 mars 2025", D(2025, 3, 12), D(2025, 3, 14), "12 – 14 mars 2025"),
        ("12 au 14 mars 2025", D(2025, 3, 12), D(2025, 3, 14), "12 au 14 mars 2025"),
        (
            "entre le 12 mars et le 14 mars 2025",
            D(2025, 3, 12),
            D(2025, 3, 14),
            "entre le 12 mars et le 14 mars 2025",
        ),
        (
            "Dates : 12/03/2025 - 14/03/2025",
            D(2025, 3, 12),
            D(2025, 3, 14),
            "12/03/2025 - 14/03/2025",
        ),
        ("Date(s) de la formation : 12/03/2025", D(2025, 3, 12), D(2025, 3, 12), "12/03/2025"),
        ("Date de l'action : 12 mars 2025", D(2025, 3, 12), D(2025, 3, 12), "12 mars 2025"),
        (
            "Période : du 12 au 14 mars 2025",
            D(2025, 3, 12),
            D(2025, 3, 14),
            "du 12 au 14 mars 2025",
        ),
        (
            "Date de début : 12/03/2025\nDate de fin : 14/03/2025",
            D(2025, 3, 12),
            D(2025, 3, 14),
            "début : 12/03/2025\nDate de fin : 14/03/2025",
        ),
        (
            "a participé aux sessions du 12 mars 2025 et du 9 avril 2025",
            D(2025, 3, 12),
            D(2025, 4, 9),
            "12 mars 2025 et du 9 avril 2025",
        ),
        ("DU 12 AU 14 MARS 2025", D(2025, 3, 12), D(2025, 3, 14), "DU 12 AU 14 MARS 2025"),
        ("du 12 au 14 fevrier 2025", D(2025, 2, 12), D(2025, 2, 14), "du 12 au 14 fevrier 2025"),
        ("Congrès CMGF\n27-29 mars 2025, Paris", D(2025, 3, 27), D(2025, 3, 29), "27-29 mars 2025"),
        (
            "La formation s'est déroulée à Lyon, le 12 mars 2025.",
            D(2025, 3, 12),
            D(2025, 3, 12),
            "12 mars 2025",
        ),
    ],
)
def test_find_period_reads_every_way_of_writing_a_period(
    text: str, start: date, end: date, evidence: str
) -> None:
    assert find_period(text) == DateSpan(start, end, evidence)


@pytest.mark.parametrize(
    ("text", "default_year", "expected"),
    [
        ("a participé à la réunion du 1er avril", 2025, (D(2025, 4, 1), D(2025, 4, 1))),
        ("du 12 au 14 mars", 2024, (D(2024, 3, 12), D(2024, 3, 14))),
        # Without a default, the only year the text mentions.
        ("Congrès 2025\nJournée du 1er avril", None, (D(2025, 4, 1), D(2025, 4, 1))),
        # Two years in the text: no guess.
        ("Édition 2024-2025\nJournée du 1er avril", None, None),
        ("Journée du 1er avril", None, None),
    ],
)
def test_find_period_takes_a_missing_year_from_default_or_context(
    text: str, default_year: int | None, expected: tuple[date, date] | None
) -> None:
    span = find_period(text, default_year=default_year)
    assert (None if span is None else (span.start, span.end)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Né le 12/03/1990",
        "Née le 12 mars 2001",
        "né(e) le 12/03/2001",
        "Né(e) le : 12/03/2001",
        "né à Lyon, le 12/03/2001",
        "Date de naissance : 12/03/2001",
        "Date et lieu de naissance : 12/03/2001 à Lyon",
        "Fait à Paris, le 20 mars 2025",
        "Fait à Paris le 20/03/2025",
        "Fait le 20 mars 2025",
        "FAIT À PARIS, LE 20 MARS 2025",
        "Paris, le 20 mars 2025",
        "Lyon, 20 mars 2025",
        "Le 20 mars 2025 à Lyon",
        "Le 20 mars 2025, à Saint-Étienne.",
        "Fait à Paris\nle 20 mars 2025",
        "Fait à Paris,\n20 mars 2025",
        "Date de naissance :\n12/03/2001",
        "Édité le 20/03/2025",
        "Imprimé le 20/03/2025",
        "Document généré le 20/03/2025 à 14:32",
        "Attestation délivrée le 20/03/2025",
        "Signé électroniquement le 20/03/2025",
        "Signé par Jean Martin le 2025-03-20 14:32:11",
        "Signé le 20/03/2025 à 14:32:11",
        "Horodatage : 2025-03-20T14:32:11Z",
        "Signature : le 20 mars 2025",
        "Date d'édition : 20/03/2025",
        "Date de signature : 20/03/2025",
        "Certificat valable jusqu'au 31/12/2026",
        "Déclaration d'activité enregistrée le 01/02/2010",
        "en application du décret n° 2024-258 du 22 mars 2024",
        "Mis à jour le 20/03/2025",
        "Facture du 20/03/2025",
        "le 12/03/1998",
    ],
)
def test_find_period_never_returns_a_birth_document_or_legal_date(text: str) -> None:
    assert find_period(text) is None


def test_find_period_picks_the_action_among_birth_and_signature_dates() -> None:
    text = (
        "Je soussigné Pr Paul MARTIN, doyen, certifie que\n"
        "Dr Jean DUPONT, né le 12/03/2001 à Lyon,\n"
        "a participé à la formation qui s'est déroulée le 12 mars 2025.\n"
        "Fait à Paris, le 20 mars 2025\n"
        "Signé électroniquement par Paul MARTIN le 2025-03-20 14:32:11"
    )
    assert find_period(text) == DateSpan(D(2025, 3, 12), D(2025, 3, 12), "12 mars 2025")


@pytest.mark.parametrize(
    "text",
    [
        "Le 12 mars 2025 à Lyon, s'est tenue la journée régionale.",
        "Le 12 mars 2025, le Dr DUPONT a participé à la réunion.",
        "Lyon, le 12 mars 2025 s'est tenue la réunion du groupe.",
        "Journée régionale\n12 mars 2025 à Lyon",
    ],
)
def test_find_period_keeps_action_dates_that_look_like_a_signature(text: str) -> None:
    span = find_period(text)
    assert span is not None and span.start == span.end == D(2025, 3, 12)


def test_find_period_prefers_an_explicit_range_over_bare_dates() -> None:
    text = (
        "Attestation du 20/03/2025\n"
        "Le Dr Jean DUPONT a suivi la session du 12 au 14 mars 2025.\n"
        "Lyon, le 20 mars 2025"
    )
    span = find_period(text)
    assert span is not None
    assert (span.start, span.end) == (D(2025, 3, 12), D(2025, 3, 14))


def test_find_period_prefers_the_action_context_over_a_bare_date_label() -> None:
    text = "Date : 20/03/2025\n\nLe Dr DUPONT a participé à la réunion le 12 mars 2025."
    span = find_period(text)
    assert span is not None and span.start == D(2025, 3, 12)


def test_find_period_accepts_a_lone_bare_date_label() -> None:
    text = (
        "Formation : Gestion du risque\nDate : 12/03/2025\nDurée : 7 heures\n"
        "Fait à Lyon le 13/03/2025"
    )
    assert find_period(text) == DateSpan(D(2025, 3, 12), D(2025, 3, 12), "12/03/2025")


@pytest.mark.parametrize(
    "text",
    [
        "Session 1 : le 12 mars 2025\nSession 2 : le 9 avril 2025",
        "Réunion le 12 mars 2025.\n\nRéunion le 9 avril 2025.",
    ],
)
def test_find_period_returns_none_rather_than_guess(text: str) -> None:
    assert find_period(text) is None


def test_find_period_repeated_period_is_not_ambiguous() -> None:
    text = "Formation du 12 au 14 mars 2025\nLe Dr X a suivi la formation du 12 au 14 mars 2025."
    span = find_period(text)
    assert span is not None and (span.start, span.end) == (D(2025, 3, 12), D(2025, 3, 14))


def test_find_period_through_a_real_pdf() -> None:
    text = pdf_text(
        "Je soussigné Pr Paul MARTIN, doyen, certifie que M. Jean-Pierre D’ALMEIDA,\n"
        "né le 12/03/1970, a participé à la formation du 1er au 3 avril 2025.\n"
        "Fait à Paris, le 20 avril 2025"
    )
    assert find_period(text) == DateSpan(D(2025, 4, 1), D(2025, 4, 3), "du 1er au 3 avril 2025")


def test_find_period_end_before_start_is_reported_as_written() -> None:
    # The core flags it (implausible_date); reading it otherwise would hide the error.
    span = find_period("du 14/03/2025 au 12/03/2025")
    assert span is not None and (span.start, span.end) == (D(2025, 3, 14), D(2025, 3, 12))


# -------------------------------------------------------------------- find_event_dates


def test_find_event_dates_expands_lists_and_skips_ranges_and_documents() -> None:
    text = (
        "Réunions des 12 janvier, 9 février, 16 mars et 13 avril 2025.\n"
        "Période de référence du 01/01/2025 au 31/12/2025.\n"
        "Fait le 20 avril 2025"
    )
    assert [f.value for f in find_event_dates(text)] == [
        D(2025, 1, 12),
        D(2025, 2, 9),
        D(2025, 3, 16),
        D(2025, 4, 13),
    ]


# ----------------------------------------------------------------- find_labelled_date

JURY_LABELS = ("date du jury", "jury du", "délibération du jury", "date de délivrance")


@pytest.mark.parametrize(
    ("text", "expected", "evidence"),
    [
        ("Date du jury : 15 juin 2024", D(2024, 6, 15), "Date du jury : 15 juin 2024"),
        ("DATE DU JURY : 15/06/2024", D(2024, 6, 15), "DATE DU JURY : 15/06/2024"),
        ("après le jury du 15/06/2024", D(2024, 6, 15), "jury du 15/06/2024"),
        (
            "Délibération du jury en date du 15/06/2024",
            D(2024, 6, 15),
            "Délibération du jury en date du 15/06/2024",
        ),
        (
            "Date de délivrance du diplôme : 12/07/2024",
            D(2024, 7, 12),
            "Date de délivrance du diplôme : 12/07/2024",
        ),
        ("Date du jury :\n15/06/2024", D(2024, 6, 15), "Date du jury :\n15/06/2024"),
    ],
)
def test_find_labelled_date_reads_the_date_after_a_label(
    text: str, expected: date, evidence: str
) -> None:
    assert find_labelled_date(text, JURY_LABELS) == Found(expected, evidence)


def test_find_labelled_date_tries_labels_in_order() -> None:
    text = "Date de délivrance : 12/07/2024\nDate du jury : 15/06/2024"
    found = find_labelled_date(text, JURY_LABELS)
    assert found is not None and found.value == D(2024, 6, 15)


def test_find_labelled_date_none_without_the_label_or_date() -> None:
    assert find_labelled_date("Fait le 12/07/2024", JURY_LABELS) is None
    assert find_labelled_date("Date du jury : à venir", JURY_LABELS) is None


# ---------------------------------------------------------------------- academic_year


@pytest.mark.parametrize(
    ("text", "expected", "evidence"),
    [
        ("année universitaire 2023-2024", (2023, 2024), "année universitaire 2023-2024"),
        ("Année Universitaire 2023/2024", (2023, 2024), "Année Universitaire 2023/2024"),
        ("ANNEE UNIVERSITAIRE : 2023 - 2024", (2023, 2024), "ANNEE UNIVERSITAIRE : 2023 - 2024"),
        ("AU 2023-2024", (2023, 2024), "AU 2023-2024"),
        ("au titre de l'année 2023 - 2024", (2023, 2024), "année 2023 - 2024"),
        ("année universitaire 2023-24", (2023, 2024), "année universitaire 2023-24"),
        ("année académique 2019–2020", (2019, 2020), "année académique 2019–2020"),
    ],
)
def test_academic_year(text: str, expected: tuple[int, int], evidence: str) -> None:
    assert academic_year(text) == Found(expected, evidence)


@pytest.mark.parametrize(
    "text", ["année universitaire 2023-2025", "du 12/03/2023 au 2024", "année 2024", ""]
)
def test_academic_year_needs_two_consecutive_years(text: str) -> None:
    assert academic_year(text) is None


# -------------------------------------------------------------------------- find_year


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("Test de lecture Prescrire, année 2024", ("année",), 2024),
        ("Session 2024 du test", ("session",), 2024),
        ("Congrès CNGE, édition 2024", ("édition",), 2024),
        ("EDITION : 2023", ("edition",), 2023),
        ("année 2023-2024", ("année",), None),
        ("année scolaire", ("année",), None),
    ],
)
def test_find_year(text: str, labels: tuple[str, ...], expected: int | None) -> None:
    found = find_year(text, labels)
    assert (None if found is None else found.value) == expected


def test_find_year_evidence_is_the_label_and_year() -> None:
    assert find_year("Résultats — Année 2024", ("année",)) == Found(2024, "Année 2024")


# ------------------------------------------------------------------ layouts of dates


BULLETED = (
    "Dr Sofia D'ALMEIDA a participé à 3 réunions du groupe, aux dates suivantes :\n"
    "- 06/03/2025\n- 01/05/2025\n- 26/06/2025\n"
    "Les réunions suivent la méthode du groupe de pairs.\nFait le 04/07/2025"
)


def test_find_event_dates_reads_every_date_of_a_bulleted_list() -> None:
    assert find_event_dates(BULLETED) == [
        Found(D(2025, 3, 6), "06/03/2025"),
        Found(D(2025, 5, 1), "01/05/2025"),
        Found(D(2025, 6, 26), "26/06/2025"),
    ]


def test_find_period_reads_a_bulleted_list_as_first_to_last_day() -> None:
    span = find_period(BULLETED)
    assert span is not None and (span.start, span.end) == (D(2025, 3, 6), D(2025, 6, 26))


@pytest.mark.parametrize("bullet", ["-", "•", "–", "*"])
def test_a_bullet_is_never_read_as_a_range(bullet: str) -> None:
    dates = ("12/01/2025", "09/02/2025", "16/03/2025", "13/04/2025")
    text = "Séances :\n" + "\n".join(f"{bullet} {day}" for day in dates)
    assert [f.value for f in find_event_dates(text)] == [
        D(2025, 1, 12),
        D(2025, 2, 9),
        D(2025, 3, 16),
        D(2025, 4, 13),
    ]


def test_find_period_reads_a_sentence_continued_on_a_signature_like_line() -> None:
    text = (
        "atteste que Dr Mathieu FRANÇOIS a assisté à la journée régionale, qui s'est déroulée\n"
        "le mardi 14 janvier 2025 à Dijon.\nDijon, le 22 janvier 2025"
    )
    span = find_period(text)
    assert span is not None and span.start == span.end == D(2025, 1, 14)


def test_find_period_reads_a_weekday_before_a_numeric_date() -> None:
    span = find_period("La réunion a eu lieu le lundi 12/05/2025.")
    assert span is not None and span.start == span.end == D(2025, 5, 12)


def test_academic_year_over_a_line_break() -> None:
    found = academic_year("au titre de l'année universitaire\n2024-2025, après délibération")
    assert found == Found((2024, 2025), "année universitaire\n2024-2025")


def test_find_year_over_a_line_break() -> None:
    found = find_year("satisfait aux épreuves pour l'année\n2023, avec", ("année",))
    assert found == Found(2023, "année\n2023")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        # Times of day beside the dates, inside a period or a list.
        ("du 12 mars 2025 à 9h00 au 14 mars 2025 à 17h30", "2025-03-12", "2025-03-14"),
        ("Formation du 12/03/2025 9:00 au 13/03/2025 17:00", "2025-03-12", "2025-03-13"),
        ("12/03/2025 de 09h00 à 17h00 et 13/03/2025 de 09h00 à 12h00", "2025-03-12", "2025-03-13"),
        ("le 12 mars 2025 (de 9 h 00 à 12 h 30)", "2025-03-12", "2025-03-12"),
        ("Session : 12.03.2025, 14 h - 18 h", "2025-03-12", "2025-03-12"),
        # Dotted and ISO dates, ranges across months and years.
        ("du 12.03.2025 au 14.03.2025", "2025-03-12", "2025-03-14"),
        ("du 2025-03-12 au 2025-03-14", "2025-03-12", "2025-03-14"),
        ("du 30 décembre 2024 au 3 janvier 2025", "2024-12-30", "2025-01-03"),
        ("Formation du 12/12/2024 au 10/01/2025", "2024-12-12", "2025-01-10"),
        # English, day first (a certificate of attendance of an international congress).
        ("held in Paris from 29 June to 3 July 2026", "2026-06-29", "2026-07-03"),
        ("WONCA Europe Conference, 29 June - 3 July 2026", "2026-06-29", "2026-07-03"),
        ("attended the session on Tuesday 30 June 2026", "2026-06-30", "2026-06-30"),
    ],
)
def test_times_dotted_iso_and_english_dates_make_periods(text: str, start: str, end: str) -> None:
    period = find_period(text)
    assert period is not None
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


@pytest.mark.parametrize(
    "text",
    [
        "Formation suivie le 12/03/2025.\nSigné électroniquement le 2025-03-20 10:12:33",
        "Document généré le 20/03/2025 à 10:12\nDate de la formation : 12/03/2025",
        "Formation le 12/03/2025\nSignature électronique : 20.03.2025 10:12:33 CET",
        "Horodatage : 2025-03-20T10:12:33Z\nFormation le 12/03/2025",
        "Édité le 20/03/2025\nFormation réalisée le 12 mars 2025",
        "Formation réalisée le 12 mars 2025\nFait à Lyon, le 20 mars 2025 à 14h30",
    ],
)
def test_printing_and_signing_dates_are_never_the_action_dates(text: str) -> None:
    period = find_period(text)
    assert period is not None
    assert (period.start, period.end) == (date(2025, 3, 12), date(2025, 3, 12))


def test_a_time_is_never_read_as_a_day() -> None:
    assert find_period("Accueil à 9h00, clôture à 17h30") is None


@pytest.mark.parametrize(
    "text",
    [
        "attended the conference on 30 June 2026\nIssued on 10 July 2026",
        "Date of issue: 10/07/2026\nattended the conference on 30 June 2026",
        "Signed on 10 July 2026 by the Chair\nThe session was held on 30 June 2026",
    ],
)
def test_english_issue_dates_are_not_the_action_dates(text: str) -> None:
    period = find_period(text)
    assert period is not None and period.start == date(2026, 6, 30) == period.end


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("March 12-14, 2025", "2025-03-12", "2025-03-14"),
        ("WONCA Europe Conference, June 29 - July 3, 2026, Paris", "2026-06-29", "2026-07-03"),
        ("held from June 29 to July 3, 2026", "2026-06-29", "2026-07-03"),
        ("attended the workshop on Tuesday, June 30th, 2026", "2026-06-30", "2026-06-30"),
    ],
)
def test_english_dates_written_month_first(text: str, start: str, end: str) -> None:
    period = find_period(text)
    assert period is not None
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_a_french_month_before_a_number_is_no_month_first_date() -> None:
    assert find_period("Session de mars 12 participants, démarche 14, 2025") is None


@pytest.mark.parametrize(
    ("text", "formats", "expected"),
    [
        ("12 mars 2025", ["%d %B %Y"], date(2025, 3, 12)),
        ("1er avril 2025", ["%d %B %Y"], date(2025, 4, 1)),
        ("12 FÉVRIER 2025", ["%d %B %Y"], date(2025, 2, 12)),
        ("12 févr. 2025", ["%d %b %Y"], date(2025, 2, 12)),
        ("12 sept 2025", ["%d %b %Y"], date(2025, 9, 12)),
        ("March 12, 2025", ["%B %d, %Y"], date(2025, 3, 12)),
        ("20250312", ["%d/%m/%Y", "%Y%m%d"], date(2025, 3, 12)),
        ("12/03/2025", ["%Y%m%d"], None),
        ("le 12 mars", ["%d %B %Y"], None),
    ],
)
def test_parse_date_with_formats_reads_french_month_names(
    text: str, formats: list[str], expected: date | None
) -> None:
    assert parse_date(text, formats) == expected


@pytest.mark.parametrize(
    ("field", "start", "end"),
    [
        ("Date(s) : 29/06/2026 to 03/07/2026", D(2026, 6, 29), D(2026, 7, 3)),
        ("Date(s) : 29.06.2026 to 03.07.2026", D(2026, 6, 29), D(2026, 7, 3)),
        ("Date(s) : 2026-06-29 to 2026-07-03", D(2026, 6, 29), D(2026, 7, 3)),
        ("Dates : 29 June 2026 at 9:00 to 3 July 2026 at 17:30", D(2026, 6, 29), D(2026, 7, 3)),
    ],
)
def test_a_bare_english_range_in_a_field_is_one_period(field: str, start: date, end: date) -> None:
    # A table's cell gives the period without its "from": "A to B", as French gives "A au B".
    text = pdf_text(f"Certificate of attendance\n{field}\nParis, 09/07/2026")
    span = find_period(text)
    assert span is not None and (span.start, span.end) == (start, end)


TIMES_AND_DATES = [
    "de 9h00 a 17h30 le 12 mars 2025, 14:30 puis 10:12:33",
    "du 3 au 4/05/2025 ; 2025-03-04 ; 12 h30 ; 12h ; 7 h9 ; 12/03",
    "lundi 1er juin 2026 a 9 h, le 2 ; 20251 2025 12025 ; 31/12/24",
    "June 29 - July 3, 2026 ; 3:5 ; 99:99 ; 1:23:45:67",
    "",
]


class _TimeThenItem:
    """A time's regex tried first, then the date item's: what the one regex stands for."""

    time = re.compile(f"(?P<time>{dates._TIME})")
    item = re.compile(dates._ITEM_AT)

    def match(self, text: str, pos: int) -> re.Match[str] | None:
        return self.time.match(text, pos) or self.item.match(text, pos)


@pytest.mark.parametrize("text", TIMES_AND_DATES)
def test_date_items_skip_times_as_two_separate_matches_would(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = dates._items(text)
    monkeypatch.setattr(dates, "_TIME_OR_ITEM_AT", _TimeThenItem())
    assert found == dates._items(text)
    assert found or not text


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("le 12 mars 2025 et le 14 mars 2025", 2025),
        ("2025 et 2026", None),
        ("12025 20251 2025", 2025),  # a longer run of digits is no year
        ("1999 2025", 2025),  # the last century does not count
        ("2025-03-04", 2025),
        ("aucune annee", None),
    ],
)
def test_the_context_year_is_the_only_year_of_this_century(text: str, year: int | None) -> None:
    assert dates._context_year(text) == year
