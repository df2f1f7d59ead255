"""Tables: a value under its label, read by column from the words' positions."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from attest_pipeline.models import Word
from attest_pipeline.reading import read_pdf
from attest_pipeline.text.tables import has_header_row, render, table_fields

HEAD = [
    "Association Formation Santé Ouest",
    "Organisme de DPC enregistré auprès de l'ANDPC sous le n° 1187",
    "ATTESTATION DE PARTICIPATION A UNE ACTION DE DPC",
    "Action de DPC n° 11872500730, de type formation continue,",
    "intitulée « Prise en charge de l'asthme de l'enfant ».",
]
FOOT = ["Fait à Rennes, le 18/03/2025", "Le Président, Dr Paul LEROY"]


def table_pdf(
    rows: Sequence[Sequence[str | Sequence[str]]],
    columns: Sequence[float] = (60, 170, 290, 400),
    before: Sequence[str] = HEAD,
    after: Sequence[str] = FOOT,
    ruled: bool = True,
    centred: bool = False,
) -> bytes:
    """A one-page PDF: lines of text, a table (cells drawn at ``columns``), lines of text.

    A cell may hold several lines (10 pt type, 12 pt apart), as a word processor or a
    browser wraps a long value; the shorter cells of a row are then centred on the tallest
    one when ``centred``.
    """
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.27, 841.89), invariant=True)
    pdf.setFont("Helvetica", 10)
    y = 770.0
    for line in before:
        pdf.drawString(60, y, line)
        y -= 15
    y -= 10
    for row in rows:
        cells = [[cell] if isinstance(cell, str) else list(cell) for cell in row]
        tallest = max(len(cell) for cell in cells)
        if ruled:
            pdf.line(55, y + 12, 540, y + 12)
        for x, cell in zip(columns, cells, strict=False):
            top = y - (6.0 * (tallest - len(cell)) if centred else 0.0)
            for number, line in enumerate(cell):
                pdf.drawString(x, top - 12 * number, line)
        y -= 18 + 12 * (tallest - 1)
    y -= 10
    for line in after:
        pdf.drawString(60, y, line)
        y -= 15
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


HEADER = ["Nom", "Prénom", "N° RPPS", "Date(s)"]
VALUES = ["MARTIN", "Claire", "10101010105", "du 12 au 14 mars 2025"]


def test_a_value_row_under_a_header_row_is_read_by_column() -> None:
    document = read_pdf(table_pdf([HEADER, VALUES]))
    pairs = table_fields(document.words(1))
    assert pairs == [
        ("Nom", "MARTIN"),
        ("Prénom", "Claire"),
        ("N° RPPS", "10101010105"),
        ("Date(s)", "du 12 au 14 mars 2025"),
    ]
    # The page's text carries them beside their labels, for every plugin.
    assert render(pairs) in document.page(1).text


def test_values_shorter_or_longer_than_their_labels_stay_in_their_columns() -> None:
    header = ["Nom et prénom du participant", "RPPS", "Dates"]
    values = ["Mme Anne-Sophie LEFÈVRE-ROUSSEAU", "10101010105", "12/03/2025"]
    pairs = table_fields(read_pdf(table_pdf([header, values], columns=(60, 290, 390))).words(1))
    assert pairs == [
        ("Nom et prénom du participant", "Mme Anne-Sophie LEFÈVRE-ROUSSEAU"),
        ("RPPS", "10101010105"),
        ("Dates", "12/03/2025"),
    ]


def test_an_english_header_row_is_read_by_column() -> None:
    # An international congress's certificate of attendance labels its table in English.
    header = ["Last name", "First name", "RPPS number", "Date(s)"]
    values = ["LAMBERT", "Zoé", "10085475522", "29/06/2026 to 03/07/2026"]
    document = read_pdf(table_pdf([header, values]))
    assert table_fields(document.words(1)) == list(zip(header, values, strict=True))
    assert "Last name : LAMBERT" in document.page(1).text


def test_a_list_of_rows_is_not_read() -> None:
    rows = [HEADER, VALUES, ["DUPONT", "Jean-Pierre", "10005682603", "12 mars 2025"]]
    document = read_pdf(table_pdf(rows))
    assert table_fields(document.words(1)) == []
    assert "Nom : " not in document.page(1).text


def test_a_sentence_under_the_table_does_not_make_it_a_list() -> None:
    after = ["Cette attestation est délivrée pour servir et valoir ce que de droit, à Rennes."]
    document = read_pdf(table_pdf([HEADER, VALUES], after=after, ruled=False))
    assert ("Nom", "MARTIN") in table_fields(document.words(1))


WRAPPED = ["MARTIN", "Claire", "10101010105", ["du 1er janvier 2025 à 9h00", "au 31 mars 2025"]]


@pytest.mark.parametrize("centred", [False, True])
def test_a_value_wrapped_in_its_cell_is_read_whole(centred: bool) -> None:
    pdf = table_pdf([HEADER, WRAPPED], ruled=False, centred=centred)
    pairs = table_fields(read_pdf(pdf).words(1))
    assert pairs == [
        ("Nom", "MARTIN"),
        ("Prénom", "Claire"),
        ("N° RPPS", "10101010105"),
        ("Date(s)", "du 1er janvier 2025 à 9h00 au 31 mars 2025"),
    ]


def test_cells_wrapped_in_several_columns_and_centred_make_one_row() -> None:
    # A browser's table: the name, the first name and the dates wrap, the RPPS is centred
    # across their two lines; a compound name wrapped at its hyphen is one word again.
    header = [[label] for label in HEADER]
    row = [
        ["LEFÈVRE-", "ROUSSEAU"],
        ["Anne-", "Sophie"],
        ["10404539024"],
        ["02/03/2026 à 9h00 au", "03/03/2026 à 17h30"],
    ]
    pairs = table_fields(read_pdf(table_pdf([header, row], ruled=False, centred=True)).words(1))
    assert pairs == [
        ("Nom", "LEFÈVRE-ROUSSEAU"),
        ("Prénom", "Anne-Sophie"),
        ("N° RPPS", "10404539024"),
        ("Date(s)", "02/03/2026 à 9h00 au 03/03/2026 à 17h30"),
    ]
    # Not centred, two lines filling the columns may be two rows of a list: not read.
    flush = table_pdf([header, row], ruled=False, centred=False)
    assert table_fields(read_pdf(flush).words(1)) == []


def test_a_list_of_rows_with_wrapped_cells_is_not_read() -> None:
    second = ["DUPONT", "Jean", "10005682603", ["du 2 avril 2025", "au 4 avril 2025"]]
    pdf = table_pdf([HEADER, WRAPPED, second], ruled=False, centred=True)
    assert table_fields(read_pdf(pdf).words(1)) == []


def test_only_a_line_of_label_words_is_a_header_row() -> None:
    assert has_header_row("Attestation\nNom Prénom RPPS Dates\nMARTIN Claire")
    assert has_header_row("N° RPPS Nom / Prénom")
    assert not has_header_row("Nom : MARTIN Prénom : Claire")
    assert not has_header_row("Le nom et la date de la formation figurent ci-dessous")
    assert not has_header_row("Nom")


def test_a_page_without_a_header_row_costs_no_word_positions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from attest_pipeline import reading

    calls: list[int] = []
    source = reading._word_source

    def counting(data: bytes) -> Callable[[int], tuple[Word, ...]]:
        words = source(data)

        def wrapped(number: int) -> tuple[Word, ...]:
            calls.append(number)
            return words(number)

        return wrapped

    monkeypatch.setattr(reading, "_word_source", counting)
    read_pdf(table_pdf([["MARTIN Claire a participé"]]))
    assert calls == []
    read_pdf(table_pdf([HEADER, VALUES]))
    assert calls == [1]


def test_a_table_attestation_is_filed_through_the_cli(tmp_path: Path, roster: Path) -> None:
    from click.testing import CliRunner

    from attest_pipeline.cli import cli
    from tests.conftest import write_config

    config = write_config(tmp_path, roster)
    pdf = tmp_path / "table.pdf"
    pdf.write_bytes(table_pdf([HEADER, VALUES]))
    result = CliRunner().invoke(cli, ["--config", str(config), "extract", "--json", str(pdf)])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert record["status"] == "file", record["details"]
    assert record["participant"]["rpps"] == "10101010105"
    assert record["fields"]["roster"]["decided_by"] == "plugin"
    assert record["evidence"]["participant"].startswith("Nom : MARTIN")
