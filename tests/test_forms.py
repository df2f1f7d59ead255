"""Form fields: the values of a filled, unflattened PDF form, beside their labels."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from attest_pipeline.forms import fill
from attest_pipeline.models import FormField
from attest_pipeline.reading import read_pdf

HEAD = [
    "Association Formation Santé Ouest",
    "Organisme de DPC enregistré auprès de l'ANDPC sous le n° 1187",
    "ATTESTATION DE PARTICIPATION A UNE ACTION DE DPC",
    "Action de DPC n° 11872500730, intitulée « Prise en charge de l'asthme ».",
]
FIELDS = (("nom", "Nom :"), ("prenom", "Prénom :"), ("rpps", "N° RPPS :"), ("dates", "Dates :"))
VALUES = {
    "nom": "MARTIN",
    "prenom": "Claire",
    "rpps": "10101010105",
    "dates": "du 12 au 14 mars 2025",
}
BOXES = (("fc", "Formation continue"), ("epp", "EPP"), ("gdr", "Gestion des risques"))


def form_pdf(
    values: Mapping[str, str] = VALUES,
    ticked: Sequence[str] = ("fc",),
    *,
    labels_above: bool = False,
    printed_labels: bool = True,
) -> bytes:
    """A filled, unflattened form: a group of check boxes, then text fields."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(595.27, 841.89))
    pdf.setFont("Helvetica", 11)
    y = 770.0
    for line in [*HEAD, "Type d'action :"]:
        pdf.drawString(60, y, line)
        y -= 18
    for name, label in BOXES:
        pdf.acroForm.checkbox(name=name, x=60, y=y - 2, size=10, checked=name in ticked)
        pdf.drawString(76, y, label)
        y -= 18
    for name, label in FIELDS:
        x = 60 if labels_above else 150
        if printed_labels:
            pdf.drawString(60, y, label)
        if labels_above:
            y -= 16
        pdf.acroForm.textfield(
            name=name,
            tooltip=label.rstrip(" :"),
            x=x,
            y=y - 4,
            width=250,
            height=16,
            value=values.get(name, ""),
            borderWidth=0,
        )
        y -= 24
    pdf.drawString(60, y - 10, "Fait à Rennes, le 18/03/2025")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def test_the_values_of_a_filled_form_stand_beside_their_labels() -> None:
    document = read_pdf(form_pdf())
    text = document.page(1).text
    for line in ("Nom : MARTIN", "Prénom : Claire", "N° RPPS : 10101010105"):
        assert line in text.split("\n")
    assert "Type d'action : Formation continue" in text
    by_name = {field.name: field for field in document.form}
    assert by_name["nom"].label == "Nom" and by_name["nom"].value == "MARTIN"
    assert by_name["fc"].checked and by_name["fc"].question == "Type d'action"
    assert "epp" not in by_name  # a box left unticked holds no value


def test_a_label_above_its_field_is_found() -> None:
    document = read_pdf(form_pdf(labels_above=True))
    assert {f.name: f.label for f in document.form if f.kind == "text"} == {
        "nom": "Nom",
        "prenom": "Prénom",
        "rpps": "N° RPPS",
        "dates": "Dates",
    }


def test_without_a_printed_label_the_field_describes_itself() -> None:
    document = read_pdf(form_pdf(printed_labels=False))
    assert "Nom : MARTIN" in document.page(1).text.split("\n")


def test_an_empty_field_adds_nothing() -> None:
    document = read_pdf(form_pdf({"nom": "MARTIN"}))
    assert [f.name for f in document.form if f.kind == "text"] == ["nom"]
    assert "Prénom :" in document.page(1).text.split("\n")


def test_a_document_without_a_form_reads_no_form() -> None:
    from attest_pipeline.testing import make_pdf

    assert read_pdf(make_pdf(["Nom : MARTIN"])).form == ()


def test_the_form_follows_its_pages_into_a_subset() -> None:
    document = read_pdf(form_pdf())
    assert document.subset([1]).form == document.form
    assert document.subset([]).form == ()


def test_fill_writes_a_value_on_its_label_line_in_page_order() -> None:
    def field(label: str, value: str, top: float) -> FormField:
        return FormField(1, label, label, value, "text", False, 0, 1, top, top + 1)

    text = "Nom :\nAutre : x\nNom :"
    fields = [field("Nom", "LEROY", 300), field("Nom", "MARTIN", 100), field("Ville", "Lyon", 50)]
    assert fill(text, fields) == "Nom : MARTIN\nAutre : x\nNom : LEROY\nVille : Lyon"


@pytest.mark.parametrize(("ticked", "bloc"), [("fc", 1), ("epp", 2), ("gdr", 2)])
def test_the_ticked_box_decides_the_nature_through_the_cli(
    tmp_path: Path, roster: Path, ticked: str, bloc: int
) -> None:
    from click.testing import CliRunner

    from attest_pipeline.cli import cli
    from tests.conftest import write_config

    config = write_config(tmp_path, roster)
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(form_pdf(ticked=(ticked,)))
    result = CliRunner().invoke(cli, ["--config", str(config), "extract", "--json", str(pdf)])
    assert result.exit_code == 0, result.output
    (record,) = json.loads(result.stdout)
    assert record["status"] == "file", record["details"]
    assert record["participant"]["rpps"] == "10101010105"
    assert (record["bloc"], record["action"]) == (bloc, "A")
    assert record["evidence"]["nature"].startswith("Type d'action : ")
