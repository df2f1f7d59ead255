"""The base issuer built from a data file, and templates: data files with no Python."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from attest_pipeline.cli import cli
from attest_pipeline.contract import API_VERSION, Issuer
from attest_pipeline.issuers import (
    DataIssuer,
    Reading,
    TemplateIssuer,
    TemplateProblem,
    load_templates,
)
from attest_pipeline.models import Family, Found, Nature
from attest_pipeline.testing import document_from_text, run_issuer
from tests.conftest import SAMPLES, write_config
from tests.issuer_data import MINIMAL, pdf_document, write

SHIPPED = Path(__file__).resolve().parent.parent / "plugins" / "templates"

RCP = """Centre hospitalier du Val d'Aulne
Pôle de cancérologie - 12 rue des Tilleuls, 29150 Kerhallec
ATTESTATION DE PARTICIPATION
aux réunions de concertation pluridisciplinaire (RCP)
Je soussignée, Dr Anne LEROUX, coordonnatrice de la RCP d'oncologie digestive,
atteste que le Docteur Paul MOREAU (RPPS 10005682603), médecin généraliste,
a participé à 6 réunions de concertation pluridisciplinaire
entre le 9 janvier 2024 et le 17 décembre 2024.
Fait à Kerhallec, le 10 janvier 2025
Dr Anne LEROUX"""

CERTIFICATE = """Omnipratique Académie
Plateforme de formation médicale en ligne
Organisme de formation certifié Qualiopi - catégorie : actions de formation
Déclaration d'activité enregistrée sous le n° 53 35 09876 35 auprès du préfet de région Bretagne.
Cet enregistrement ne vaut pas agrément de l'État.
CERTIFICAT DE RÉUSSITE
Omnipratique Académie certifie que
{name}
RPPS : {rpps}
a suivi avec succès le module e-learning
« Prise en charge de l'insuffisance cardiaque en soins primaires »
Référence du module : OMA-IC-2024
Durée estimée : 7 h 30
Module suivi du 02/09/2024 au 30/09/2024
Score final au quiz d'évaluation : 85 %
Certificat édité le 01/10/2024"""

COVER = """Omnipratique Académie
Export des certificats de la session de septembre 2024
2 certificats"""


def certificate(name: str = "Dr Marie-Hélène DURAND-LEFÈVRE", rpps: str = "10007345126") -> str:
    return CERTIFICATE.format(name=name, rpps=rpps)


@pytest.fixture(scope="module")
def shipped() -> dict[str, TemplateIssuer]:
    issuers, problems = load_templates([SHIPPED])
    assert problems == []
    return {issuer.name: issuer for issuer in issuers}


# ------------------------------------------------------------------ shipped templates


def test_shipped_templates_load_as_issuers(shipped: dict[str, TemplateIssuer]) -> None:
    assert set(shipped) == {"template:ch-val-aulne-rcp", "template:omnipratique-elearning"}
    rcp = shipped["template:ch-val-aulne-rcp"]
    assert isinstance(rcp, Issuer)
    assert rcp.families == (Family.OTHER,)
    assert rcp.api_version == API_VERSION
    assert rcp.version == "1.0"
    assert "Val d'Aulne" in rcp.covers
    assert rcp.source == str(SHIPPED / "ch-val-aulne-rcp.toml")


def test_rcp_attestation_is_identified_and_read(shipped: dict[str, TemplateIssuer]) -> None:
    run = run_issuer(shipped["template:ch-val-aulne-rcp"], pdf_document(RCP))
    assert run.ok and run.identification is not None
    assert run.identification.score == 0.95
    assert run.identification.reasons[0] == "template ch-val-aulne-rcp.toml"
    assert "found 'concertation pluridisciplinaire'" in run.identification.reasons
    extraction = run.extraction
    assert extraction.family is Family.OTHER
    assert extraction.participant is not None
    assert "Paul MOREAU" in extraction.participant.value
    assert "Anne LEROUX" not in extraction.participant.value
    assert extraction.rpps is not None and extraction.rpps.value == "10005682603"
    assert extraction.start is not None and extraction.start.value == date(2024, 1, 9)
    assert extraction.end is not None and extraction.end.value == date(2024, 12, 17)
    assert extraction.meetings is not None and extraction.meetings.value == 6
    assert extraction.title is not None
    assert extraction.title.value == "réunions de concertation pluridisciplinaire"
    assert extraction.issuer is not None
    assert extraction.issuer.value == "Centre hospitalier du Val d'Aulne"
    assert extraction.issuer.evidence == (
        "Centre hospitalier du Val d'Aulne; concertation pluridisciplinaire; "
        "ATTESTATION DE PARTICIPATION"
    )
    assert extraction.nature is not None and extraction.nature.value is Nature.RCP
    assert extraction.extras["rcp"].value == "RCP d'oncologie digestive"


def test_matching_ignores_case_accents_and_line_breaks(shipped: dict[str, TemplateIssuer]) -> None:
    shouted = RCP.upper().replace("É", "E").replace("VAL D'AULNE", "VAL D\u2019AULNE")
    wrapped = RCP.replace("concertation pluridisciplinaire", "concertation\npluridisciplinaire")
    issuer = shipped["template:ch-val-aulne-rcp"]
    for text in (shouted, wrapped):
        assert run_issuer(issuer, document_from_text(text)).identified


def test_excluded_or_missing_phrases_decline(shipped: dict[str, TemplateIssuer]) -> None:
    issuer = shipped["template:ch-val-aulne-rcp"]
    convocation = "Convocation\n" + RCP
    other_hospital = RCP.replace("Val d'Aulne", "Val de Loire")
    no_any = RCP.replace("ATTESTATION DE PARTICIPATION", "RELEVÉ").replace("atteste", "dit")
    for text in (convocation, other_hospital, no_any):
        assert not run_issuer(issuer, document_from_text(text)).identified
    assert not run_issuer(issuer, pdf_document(certificate())).identified


def test_elearning_batch_is_split_and_each_certificate_read(
    shipped: dict[str, TemplateIssuer],
) -> None:
    document = pdf_document(COVER, certificate(), certificate("Dr Paul MOREAU", "10005682603"))
    run = run_issuer(shipped["template:omnipratique-elearning"], document)
    assert run.ok
    assert run.groups == ((2,), (3,))  # the cover page is no attestation
    first, second = run.extractions
    assert first is not None and second is not None
    assert first.family is Family.QUALIOPI
    assert first.participant is not None
    assert first.participant.value == "Dr Marie-Hélène DURAND-LEFÈVRE"
    assert first.participant.evidence == "certifie que\nDr Marie-Hélène DURAND-LEFÈVRE"
    assert second.participant is not None and second.participant.value == "Dr Paul MOREAU"
    assert second.rpps is not None and second.rpps.value == "10005682603"
    assert first.title is not None
    assert first.title.value == "Prise en charge de l'insuffisance cardiaque en soins primaires"
    assert first.reference is not None and first.reference.value == "OMA-IC-2024"
    assert first.reference.evidence == "Référence du module : OMA-IC-2024"
    assert first.hours is not None and first.hours.value == 7.5
    assert first.start is not None and first.start.value == date(2024, 9, 2)
    assert first.end is not None and first.end.value == date(2024, 9, 30)
    assert first.start.evidence == "Module suivi du 02/09/2024 au 30/09/2024"
    assert first.nature is not None and first.nature.value is Nature.FORMATION_CONTINUE
    assert first.extras["nda"].value == "53350987635"
    assert first.extras["quiz_score"].value == "85 %"
    assert first.nature.evidence == "Omnipratique Académie; CERTIFICAT DE RÉUSSITE; e-learning"


def test_shipped_templates_do_not_claim_each_other(shipped: dict[str, TemplateIssuer]) -> None:
    rcp = shipped["template:ch-val-aulne-rcp"]
    elearning = shipped["template:omnipratique-elearning"]
    assert not run_issuer(elearning, document_from_text(RCP)).identified
    assert not run_issuer(rcp, document_from_text(certificate())).identified
    invoice = "Omnipratique Académie\nFacture\nCertificat de réussite, module en ligne"
    assert not run_issuer(elearning, document_from_text(invoice)).identified


def test_load_templates_reports_problems_and_keeps_the_others(tmp_path: Path) -> None:
    write(tmp_path, "a-good.toml", MINIMAL)
    write(tmp_path, "b-broken.toml", MINIMAL + "[fields.title]\nhelper = 'magic'\n")
    write(tmp_path, "c-same-name.toml", MINIMAL)
    write(tmp_path, "notes.txt", "not a template")
    missing = tmp_path / "missing"
    issuers, problems = load_templates([missing, tmp_path, SHIPPED])
    assert [i.name for i in issuers] == [
        "template:acme", "template:ch-val-aulne-rcp", "template:omnipratique-elearning"
    ]
    assert problems[0] == TemplateProblem(missing, "no such template directory")
    assert problems[1].path == tmp_path / "b-broken.toml"
    assert problems[1].problem.startswith("line 7: [fields.title] helper 'magic' is unknown")
    assert problems[2] == TemplateProblem(
        tmp_path / "c-same-name.toml",
        f"the name 'acme' is already used by {tmp_path / 'a-good.toml'}",
    )
    assert len(problems) == 3


def test_identify_is_cheap(shipped: dict[str, TemplateIssuer]) -> None:
    # 50 templates on a two-page document must stay far below the per-document budget.
    issuers = list(shipped.values()) * 25
    document = pdf_document(certificate(), RCP)
    started = time.perf_counter()
    for _ in range(20):
        for issuer in issuers:
            issuer.identify(document)
    per_document = (time.perf_counter() - started) / 20
    assert per_document < 0.005


# ------------------------------------------------------------ a plugin with its Python

ACME_DATA = """
[identify]
exclude = ["invoice"]
[[identify.markers]]
reason = "ACME named"
pattern = '\\bacme formation\\b'
weight = 0.6
anchor = true
[[identify.markers]]
reason = "end of training"
pattern = '\\battestation de fin de formation\\b'
weight = 0.5

[participant]
markers = ["stagiaire"]

[dates]
start = ["début de la formation"]
end = ["fin de la formation"]

[split]
participants = true

[fields.participant]
helper = "person"
[fields.start]
helper = "period"
[fields.end]
helper = "period"

[own.room]
label = "Salle"
"""


class AcmeIssuer(DataIssuer):
    """A plugin whose Python reads one value of its own, from its ``[own]`` table."""

    name = "acme"
    families = (Family.QUALIOPI,)


def acme(tmp_path: Path) -> AcmeIssuer:
    class Issuer(AcmeIssuer):
        data_file = write(tmp_path, "acme.toml", ACME_DATA)

        def complete(self, reading: Reading) -> None:
            label = reading.data.own["room"]["label"]
            for line in reading.text.splitlines():
                if line.startswith(label):
                    reading.extras["room"] = Found(line[len(label) :].strip(" :"), line)
            reading.values.setdefault("nature", Found(Nature.FORMATION_CONTINUE, "fin"))

    return Issuer()


ACME_PAGE = """ACME Formation
ATTESTATION DE FIN DE FORMATION
Stagiaire : Dr {name}
Début de la formation : 12 mars 2025
Fin de la formation : 14/03/2025
Salle : Iroise"""


def test_a_plugin_writes_only_what_is_its_own(tmp_path: Path) -> None:
    issuer = acme(tmp_path)
    document = pdf_document(
        ACME_PAGE.format(name="Claire MARTIN"), ACME_PAGE.format(name="Paul MOREAU")
    )
    run = run_issuer(issuer, document)
    assert run.identification is not None and run.identification.score == 0.8
    assert run.identification.reasons[0] == "ACME named: 'ACME Formation'"
    assert run.groups == ((1,), (2,))  # [split] participants
    first = run.extractions[0]
    assert first is not None and first.family is Family.QUALIOPI
    assert first.participant is not None and first.participant.value == "Claire MARTIN"
    assert first.end is not None and first.end.evidence == "Fin de la formation : 14/03/2025"
    assert first.start is not None
    assert first.start.evidence == "Début de la formation : 12 mars 2025"
    assert first.extras["room"].value == "Iroise"
    assert first.nature is not None and first.nature.value is Nature.FORMATION_CONTINUE
    invoice = "ACME Formation\nFacture n° 12\nAttestation de fin de formation\nTotal HT 100"
    assert not run_issuer(issuer, document_from_text(invoice)).identified


def test_the_data_file_is_read_on_first_use_and_once_per_class(tmp_path: Path) -> None:
    issuer = acme(tmp_path)
    assert "_loaded" not in type(issuer).__dict__
    assert issuer.data is type(issuer)().data  # read once, shared by the class's instances
    (tmp_path / "acme.toml").write_text("[identify]\nbroken = true\n", encoding="utf-8")
    assert type(issuer)().data is issuer.data


def test_a_broken_data_file_costs_the_documents_never_the_start(tmp_path: Path) -> None:
    class Broken(AcmeIssuer):
        data_file = write(tmp_path, "broken.toml", "[identify]\nmarkers = 3\n")

    run = run_issuer(Broken(), document_from_text("ACME Formation"))
    assert not run.identified
    (error,) = run.errors
    assert error.phase == "identify" and "broken.toml:2" in error.message


# ------------------------------------------------------------------ through the CLI


def test_attest_plugins_and_doctor_report_a_broken_template_with_its_line(
    tmp_path: Path,
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    write(templates, "good.toml", MINIMAL)
    write(templates, "broken.toml", MINIMAL + "[fields.title]\npatern = 'x'\n")
    config = write_config(
        tmp_path, SAMPLES / "roster.csv", plugins={"template_dirs": [str(templates)]}
    )
    listed = CliRunner().invoke(cli, ["--config", str(config), "plugins", "--json"])
    assert listed.exit_code == 0, listed.output
    reports = {report["name"]: report for report in json.loads(listed.stdout)}
    assert reports["template:acme"]["status"] == "loaded"
    assert reports["broken"]["status"] == "failed"
    assert reports["broken"]["source"] == str(templates / "broken.toml")
    assert "line 7: [fields.title] patern is unknown" in reports["broken"]["problem"]
    doctor = CliRunner().invoke(cli, ["--config", str(config), "doctor"])
    assert doctor.exit_code == 0, doctor.output  # a template left out is a warning
    assert "WARN" in doctor.output
    assert "broken: failed: line 7: [fields.title] patern is unknown" in doctor.output
