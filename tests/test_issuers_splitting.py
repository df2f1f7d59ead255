"""Splitting: one PDF holding several attestations, or one behind a cover letter, split and
read alike in every family (the sample attestations, merged), and a template's phrases."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from attest_pipeline.cli import cli
from attest_pipeline.issuers import load_template
from attest_pipeline.testing import document_from_text, make_pdf, run_issuer
from tests.conftest import SAMPLES, write_config
from tests.issuer_data import MINIMAL, write

#: Two one-page attestations of each family, of different participants.
PAIRS = {
    "andpc": ("andpc_01_letter_prise_charge_insuffisance", "andpc_02_grid_audit_clinique_suivi"),
    "qualiopi": (
        "qualiopi_01_classic_prise_charge_troubles",
        "qualiopi_02_grid_dermatologie_pratique_medecine",
    ),
    "university": (
        "university_01_diploma_gynecologie_obstetrique",
        "university_02_letter_echographie_generale",
    ),
    "journal_test": (
        "journal_test_01_prescrire_2024_letter_passed",
        "journal_test_02_prescrire_2023_table_passed",
    ),
    "peer_group": ("peer_group_01_sfmg", "peer_group_02_balint"),
    "congress": ("congress_01_cmgf24_banner", "congress_02_cnge23_letter"),
}

COVER = """{organisation}
Rennes, le 20 mars 2025
Docteur {first} {last}
12 rue des Lilas
35000 Rennes
Objet : envoi de votre attestation
Chère Consœur, cher Confrère,
Nous avons le plaisir de vous adresser ci-joint le document attestant de votre participation.
Veuillez agréer nos salutations confraternelles.
Le secrétariat
"""


def merged(*parts: bytes) -> bytes:
    """One PDF made of the pages of ``parts``, in order."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in parts:
        for page in PdfReader(io.BytesIO(data)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sample(family: str, name: str) -> tuple[bytes, dict[str, str]]:
    expected = json.loads((SAMPLES / family / f"{name}.json").read_text(encoding="utf-8"))
    (attestation,) = expected["attestations"]
    return (SAMPLES / family / f"{name}.pdf").read_bytes(), attestation["participant"]


def extract(tmp_path: Path, data: bytes) -> list[dict[str, object]]:
    config = write_config(tmp_path, SAMPLES / "roster.csv")
    pdf = tmp_path / "merged.pdf"
    pdf.write_bytes(data)
    result = CliRunner().invoke(cli, ["--config", str(config), "extract", "--json", str(pdf)])
    assert result.exit_code == 0, result.output
    records: list[dict[str, object]] = json.loads(result.stdout)
    return records


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_one_pdf_holding_two_attestations_is_split_in_every_family(
    tmp_path: Path, family: str
) -> None:
    (first, who_first), (second, who_second) = (sample(family, n) for n in PAIRS[family])
    records = extract(tmp_path, merged(first, second))
    assert [r["pages"] for r in records] == [[1], [2]]
    assert [r["participant"]["rpps"] for r in records] == [  # type: ignore[index]
        who_first["rpps"],
        who_second["rpps"],
    ]
    assert all(r["status"] == "file" for r in records), [r["details"] for r in records]


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_a_cover_letter_is_never_read_as_an_attestation(tmp_path: Path, family: str) -> None:
    data, who = sample(family, PAIRS[family][0])
    cover = make_pdf(
        [COVER.format(organisation="Secrétariat", first=who["first_name"], last=who["last_name"])]
    )
    records = extract(tmp_path, merged(cover, data))
    assert [r["pages"] for r in records] == [[2]]
    (record,) = records
    assert record["participant"]["rpps"] == who["rpps"]  # type: ignore[index]
    assert record["status"] == "file", record["details"]


def test_a_leading_page_with_an_attestation_heading_is_never_left_out(tmp_path: Path) -> None:
    # A first page whose participant cannot be read is not a cover letter when it is
    # headed as an attestation: it is read as one of its own (and a person decides).
    data, _ = sample("andpc", PAIRS["andpc"][0])
    unreadable = make_pdf(["ATTESTATION DE PARTICIPATION\nParticipant : (illisible)\nDPC"])
    records = extract(tmp_path, merged(unreadable, data))
    assert [r["pages"] for r in records] == [[1], [2]]
    assert records[0]["status"] == "review"  # a person sees the page that was not read
    assert records[1]["status"] == "file"


def test_a_headed_page_whose_participant_is_unread_is_not_joined_to_the_previous(
    tmp_path: Path,
) -> None:
    # Three attestations in one PDF, the second's participant unreadable (a poor scan):
    # it must not become a page of the first, whose participant would be filed for both.
    data, who = sample("andpc", PAIRS["andpc"][0])
    unreadable = make_pdf(["ATTESTATION DE PARTICIPATION\nParticipant : (illisible)\nDPC"])
    records = extract(tmp_path, merged(data, unreadable, data))
    assert [r["pages"] for r in records] == [[1], [2], [3]]
    assert records[0]["participant"]["rpps"] == who["rpps"]  # type: ignore[index]
    assert records[1]["status"] == "review"


#: The proof pages e-signature services add to a signed PDF, naming the signatory.
DOCUSIGN = """Certificate Of Completion
Envelope Id: 3F2A9B1C4D5E6F708192A3B4C5D6E7F8 Status: Completed
Subject: Attestation DPC 44552500077
Signer Events Signature Timestamp
Paul VIDAL Sent: 07/02/2025 | 09:12
p.vidal@formation.example.fr Signed: 07/02/2025 | 09:15
Electronic Record and Signature Disclosure: Accepted"""
YOUSIGN = """Dossier de preuve
Signature électronique
Signataire : Dr Paul VIDAL (p.vidal@formation.example.fr)
Signé le 07/02/2025 à 09:15:02 UTC
Empreinte SHA-256 : 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"""


@pytest.mark.parametrize("proof", [DOCUSIGN, YOUSIGN], ids=["docusign", "yousign"])
def test_an_e_signature_proof_page_goes_with_the_attestation_it_proves(
    tmp_path: Path, proof: str
) -> None:
    (first, who_first), (second, who_second) = (sample("andpc", n) for n in PAIRS["andpc"])
    page = make_pdf([proof])
    records = extract(tmp_path, merged(first, page, second, page))
    assert [r["pages"] for r in records] == [[1, 2], [3, 4]]
    assert [r["participant"]["rpps"] for r in records] == [  # type: ignore[index]
        who_first["rpps"],
        who_second["rpps"],
    ]
    assert all(r["status"] == "file" for r in records), [r["details"] for r in records]


def test_starts_split_keeps_continuation_pages(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.toml", MINIMAL + '[split]\nstarts = ["Attestation n°"]\n')
    document = document_from_text(
        "ACME Formation\nbordereau", "Attestation n° 1", "suite", "ATTESTATION N° 2"
    )
    assert run_issuer(load_template(path), document).groups == ((2, 3), (4,))
    single = document_from_text("ACME Formation, sans numéro")
    assert run_issuer(load_template(path), single).groups == ((1,),)
