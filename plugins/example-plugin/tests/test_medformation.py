"""Tests of the MédFormation Ouest issuer, written with attest-pipeline's test kit."""

from __future__ import annotations

import tomllib
from datetime import date
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from attest_pipeline.issuers import check_data_file
from attest_pipeline.testing import (
    assert_samples,
    document_from_pdf,
    document_from_text,
    make_pdf,
    run_issuer,
)

from attest_plugin_medformation import MedFormationIssuer, attest_register_issuers

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

CERTIFICATE = """MédFormation Ouest
Organisme de formation continue des professionnels de santé
CERTIFICAT DE PARTICIPATION
Participant : Mme Anne-Sophie LE GALL
Code stage : MFO-25-030
Intitulé : Vaccination de l'adulte
Dates : du 2 au 3 juin 2025
Volume horaire : 10 h
"""


def test_the_data_file_is_valid() -> None:
    # Checked whole (every regex compiled): the plugin reads it on its first document only.
    assert check_data_file(MedFormationIssuer.data_file) is None


def test_golden_samples() -> None:
    report = assert_samples(MedFormationIssuer(), SAMPLES)
    assert report.checked == ("invoice.pdf", "session.pdf", "single.pdf")


def test_reads_the_table_with_its_evidence() -> None:
    run = run_issuer(MedFormationIssuer(), document_from_pdf(SAMPLES / "single.pdf"))
    extraction = run.extraction
    assert extraction.participant is not None
    assert extraction.participant.value == "Dr Claire MARTIN"
    assert extraction.participant.evidence == "Participant Dr Claire MARTIN"
    assert extraction.last_name is not None and extraction.last_name.value == "MARTIN"
    assert extraction.start is not None and extraction.start.value == date(2025, 3, 12)
    assert extraction.start.evidence == "Dates du 12/03/2025 au 13/03/2025"
    assert extraction.hours is not None and extraction.hours.evidence == "Volume horaire 14 h"
    assert {key: found.value for key, found in extraction.extras.items()} == {
        "nda": "53290123429",
        "siret": "41234567800012",
        "modality": "présentiel, Brest",
    }


def test_a_session_export_gives_one_attestation_per_certificate() -> None:
    run = run_issuer(MedFormationIssuer(), document_from_pdf(SAMPLES / "session.pdf"))
    assert run.ok
    assert run.groups == ((1,), (2,))  # the summary page (3) is left out


def test_labels_with_colons_and_without_accents_are_read() -> None:
    text = CERTIFICATE.replace("Intitulé", "INTITULE")
    run = run_issuer(MedFormationIssuer(), document_from_text(text))
    extraction = run.extraction
    assert extraction.title is not None and extraction.title.value == "Vaccination de l'adulte"
    assert extraction.end is not None and extraction.end.value == date(2025, 6, 3)
    assert extraction.rpps is None  # not printed: left out, never guessed


def test_declines_other_documents() -> None:
    issuer = MedFormationIssuer()
    others = [
        "MédFormation Ouest\nProgramme de la formation\nCertificat de participation remis",
        "CERTIFICAT DE PARTICIPATION\nCongrès de médecine générale\nDr Jean DUPONT",
        "MédFormation Ouest\nAttestation de présence",
    ]
    for text in others:
        assert not run_issuer(issuer, document_from_text(text)).identified
    hospital = make_pdf(["Centre hospitalier\nCertificat de participation"])
    assert not run_issuer(issuer, document_from_pdf(hospital)).identified


def test_registers_one_issuer_under_its_entry_point() -> None:
    registered: list[object] = []
    attest_register_issuers(registered.append)
    assert [type(issuer) for issuer in registered] == [MedFormationIssuer]
    project = tomllib.loads((SAMPLES.parent / "pyproject.toml").read_text(encoding="utf-8"))
    declared = project["project"]["entry-points"]["attest_pipeline.plugins"]
    assert declared == {"medformation": "attest_plugin_medformation"}
    try:
        installed = distribution("attest-plugin-medformation").entry_points
    except PackageNotFoundError:  # run from a checkout without installing: nothing more
        return
    assert [(ep.group, ep.name, ep.value) for ep in installed] == [
        ("attest_pipeline.plugins", "medformation", "attest_plugin_medformation")
    ]
