"""Field rules: pattern, after/until, helpers, maps and conversions to the field's type."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from attest_pipeline.issuers import load_template
from attest_pipeline.models import Nature
from attest_pipeline.testing import document_from_text, run_issuer
from tests.issuer_data import MINIMAL, pdf_document, write


def test_pattern_after_until_and_conversions(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.toml", MINIMAL + """
[split]
per_page = true
[fields.participant]
after = "Stagiaire :"
until = ["RPPS", "né le"]
[fields.rpps]
pattern = 'RPPS\\s*:?\\s*([\\d ]+)'
[fields.start]
after = "Début"
date_formats = ["%d %B %Y"]
[fields.end]
pattern = 'Fin\\s*:\\s*(?P<value>\\d{4}-\\d\\d-\\d\\d)'
[fields.nature]
after = "Type d'action"
map = { "Formation présentielle" = "formation_continue", "Audit clinique" = "epp" }
[fields.hours]
after = "Durée"
[fields.title]
constant = "Formation ACME"
[fields.reference]
pattern = 'ACM-\\d+'
ignore_case = false
[extras.site]
after = "Lieu"
""")
    issuer = load_template(path)
    page = """ACME FORMATION
Stagiaire : Mme Léa ÉTIENNE RPPS : 100 0568 2603
Début
1er mars 2025
Fin : 2025-03-02
Type d'action : formation presentielle
Durée : 3 h 30
Code ACM-42 / acm-43
Lieu : Brest"""
    run = run_issuer(issuer, pdf_document(page, "", page.replace("Léa ÉTIENNE", "Marc ROUX")))
    assert run.groups == ((1,), (3,))  # a page without text is no attestation
    extraction = run.extractions[0]
    assert extraction is not None
    assert extraction.participant is not None
    assert extraction.participant.value == "Mme Léa ÉTIENNE"
    assert extraction.participant.evidence == "Stagiaire : Mme Léa ÉTIENNE"
    assert extraction.rpps is not None and extraction.rpps.value == "10005682603"
    assert extraction.start is not None and extraction.start.value == date(2025, 3, 1)
    assert extraction.start.evidence == "Début\n1er mars 2025"
    assert extraction.end is not None and extraction.end.value == date(2025, 3, 2)
    assert extraction.nature is not None and extraction.nature.value is Nature.FORMATION_CONTINUE
    assert extraction.hours is not None and extraction.hours.value == 3.5
    assert extraction.title is not None and extraction.title.value == "Formation ACME"
    assert extraction.title.evidence == "ACME FORMATION"
    assert extraction.reference is not None and extraction.reference.value == "ACM-42"
    assert extraction.extras["site"].value == "Brest"
    second = run.extractions[1]
    assert second is not None and second.participant is not None
    assert second.participant.value == "Mme Marc ROUX"


def test_unreadable_values_are_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.toml", MINIMAL + """
[fields.start]
after = "Début"
[fields.nature]
after = "Type"
[fields.hours]
after = "Durée"
[fields.meetings]
after = "Séances"
[fields.participant]
after = "Stagiaire"
""")
    text = "ACME Formation\nDébut : bientôt\nType : webinaire\nDurée : 2 jours\nSéances : aucune"
    extraction = run_issuer(load_template(path), document_from_text(text)).extraction
    assert extraction.start is None
    assert extraction.nature is None
    assert extraction.hours is None
    assert extraction.meetings is None
    assert extraction.participant is None


def test_nature_by_name_list_patterns_and_labelled_date(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.toml", MINIMAL + """
[fields.nature]
after = "Nature"
[fields.title]
pattern = ['Programme\\s*:\\s*(?P<value>.+)', 'Formation\\s*:\\s*(?P<value>.+)']
[fields.end]
helper = "date"
labels = ["date du jury"]
[extras.year]
helper = "academic_year"
""")
    text = ("ACME Formation\nNature : Formation continue\nFormation : Asthme\n"
            "Année universitaire 2023-2024\nDate du jury : 12/06/2024")
    extraction = run_issuer(load_template(path), document_from_text(text)).extraction
    assert extraction.nature is not None and extraction.nature.value is Nature.FORMATION_CONTINUE
    assert extraction.title is not None and extraction.title.value == "Asthme"
    assert extraction.end is not None and extraction.end.value == date(2024, 6, 12)
    assert extraction.extras["year"].value == "2023-2024"
