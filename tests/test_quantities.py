from __future__ import annotations

import io

import pdfplumber
import pytest

from attest_pipeline.models import Found
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.text.quantities import find_hours, find_meetings, parse_hours


def pdf_text(page: str) -> str:
    """The text of a one-page PDF written by reportlab, as pdfplumber reads it back."""
    with pdfplumber.open(io.BytesIO(make_pdf([page]))) as pdf:
        return pdf.pages[0].extract_text() or ""


# ------------------------------------------------------------------------------ hours


@pytest.mark.parametrize(
    ("text", "hours", "evidence"),
    [
        ("7 heures", 7.0, "7 heures"),
        ("7 heure", 7.0, "7 heure"),
        ("7h", 7.0, "7h"),
        ("7 H", 7.0, "7 H"),
        ("7H00 de formation", 7.0, "7H00"),
        ("3h30", 3.5, "3h30"),
        ("3 h 30", 3.5, "3 h 30"),
        ("3h30min", 3.5, "3h30min"),
        ("1h15", 1.25, "1h15"),
        ("14,5 heures", 14.5, "14,5 heures"),
        ("14.5 heures", 14.5, "14.5 heures"),
        ("durée : 21 heures", 21.0, "21 heures"),
        ("Durée totale : 2 jours (14 heures)", 14.0, "14 heures"),
        ("DURÉE : 7 HEURES", 7.0, "7 HEURES"),
        ("une formation de 7 heures", 7.0, "7 heures"),
        ("Durée : 90 minutes", 1.5, "90 minutes"),
        ("Volume horaire : 21 h", 21.0, "21 h"),
        ("Module 1 : 3 heures\nModule 2 : 4 heures\nsoit 7 heures au total", 7.0, "7 heures"),
        ("le 12 mars 2025 de 9h00 à 12h30, durée 3h30", 3.5, "3h30"),
        ("Durée : 7 heures (de 9h à 17h)", 7.0, "7 heures"),
    ],
)
def test_find_hours(text: str, hours: float, evidence: str) -> None:
    assert find_hours(text) == Found(hours, evidence)


@pytest.mark.parametrize(
    "text",
    [
        "de 9h à 17h",
        "le 12 mars 2025 de 9h00 à 12h30",
        "à 14h30",
        "9h00-12h30",
        "2 jours",
        "90 minutes de pause",
        "Module 1 : 3 heures\nModule 2 : 4 heures",
        "",
    ],
)
def test_find_hours_ignores_times_of_day_and_guesses(text: str) -> None:
    assert find_hours(text) is None


# --------------------------------------------------------------------------- meetings


@pytest.mark.parametrize(
    ("text", "count", "evidence"),
    [
        ("8 réunions", 8, "8 réunions"),
        ("a participé à 6 séances", 6, "6 séances"),
        ("nombre de réunions : 5", 5, "nombre de réunions : 5"),
        ("Nombre de séances suivies : 4", 4, "Nombre de séances suivies : 4"),
        ("Nombre de séances : une", 1, "Nombre de séances : une"),
        ("huit réunions", 8, "huit réunions"),
        ("HUIT RÉUNIONS", 8, "HUIT RÉUNIONS"),
        ("dix-sept séances", 17, "dix-sept séances"),
        ("vingt rencontres", 20, "vingt rencontres"),
        ("a participé à 6 des 8 réunions", 6, "6 des 8 réunions"),
        ("présent à 6 réunions sur 10", 6, "6 réunions"),
        ("a participé à un groupe de pairs : 8 réunions", 8, "8 réunions"),
    ],
)
def test_find_meetings(text: str, count: int, evidence: str) -> None:
    assert find_meetings(text) == Found(count, evidence)


def test_find_meetings_counts_listed_dates() -> None:
    text = "Groupe de pairs. Réunions des 12 janvier, 9 février, 16 mars et 13 avril 2025."
    assert find_meetings(text) == Found(4, "12 janvier, 9 février, 16 mars et 13 avril 2025")


def test_find_meetings_counts_dates_one_per_line_without_the_signature_date() -> None:
    text = "Réunions :\n12/01/2025\n09/02/2025\n16/03/2025\n13/04/2025\nFait le 20/04/2025"
    assert find_meetings(text) == Found(4, "12/01/2025\n09/02/2025\n16/03/2025\n13/04/2025")


@pytest.mark.parametrize(
    "text",
    [
        "a participé à une réunion",
        "Formation du 01/01/2024 au 31/12/2024",
        "Réunion du 12 mars 2025",
        "Le 12/01/2025 et le 09/02/2025",  # dates, but no meeting is mentioned
        "",
    ],
)
def test_find_meetings_none_when_not_shown(text: str) -> None:
    assert find_meetings(text) is None


def test_quantities_through_a_real_pdf() -> None:
    text = pdf_text(
        "Groupe de pairs SFMG\nLe Dr Jean DUPONT a participé à huit réunions en 2024.\n"
        "Durée totale : 2 jours (14 heures)"
    )
    assert find_meetings(text) == Found(8, "huit réunions")
    assert find_hours(text) == Found(14.0, "14 heures")


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("7 heures", 7.0),
        ("7 h 30", 7.5),
        ("7h30", 7.5),
        ("3,5 h", 3.5),
        ("90 minutes", 1.5),
        ("7h20", 7.33),
        ("14", 14.0),
        (" 14 ", 14.0),
        ("2 hébergements", None),
        ("7h75", None),
        ("sans objet", None),
    ],
)
def test_parse_hours_reads_a_located_duration(text: str, hours: float | None) -> None:
    assert parse_hours(text) == hours
