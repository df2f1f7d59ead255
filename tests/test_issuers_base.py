from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.contract import API_VERSION, Issuer
from attest_pipeline.errors import ConfigError
from attest_pipeline.issuers import (
    TemplateIssuer,
    TemplateProblem,
    load_template,
    load_templates,
)
from attest_pipeline.models import Document, Family, Nature
from attest_pipeline.reading import read_pdf
from attest_pipeline.testing import document_from_text, make_pdf, run_issuer

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


def pdf_document(*pages: str) -> Document:
    return read_pdf(make_pdf(list(pages)))


@pytest.fixture(scope="module")
def shipped() -> dict[str, TemplateIssuer]:
    issuers, problems = load_templates([SHIPPED])
    assert problems == []
    return {issuer.name: issuer for issuer in issuers}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """[issuer]
name = "acme"
family = "qualiopi"
[match]
all = ["ACME Formation"]
"""

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


# ------------------------------------------------------------------- schema features


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


def test_starts_split_keeps_continuation_pages(tmp_path: Path) -> None:
    path = write(tmp_path, "acme.toml", MINIMAL + '[split]\nstarts = ["Attestation n°"]\n')
    document = document_from_text(
        "ACME Formation\nbordereau", "Attestation n° 1", "suite", "ATTESTATION N° 2"
    )
    assert run_issuer(load_template(path), document).groups == ((2, 3), (4,))
    single = document_from_text("ACME Formation, sans numéro")
    assert run_issuer(load_template(path), single).groups == ((1,),)


# ------------------------------------------------------------------ malformed templates


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[issuer]\nname = "x"\nfamily = \n', 3, "malformed TOML: Invalid value"),
        (MINIMAL + "[fields.participant]\npatern = 'x'\n", 7, "unknown key 'patern'"),
        (MINIMAL + "[fields.partcipant]\nafter = 'x'\n", 6, "unknown field [fields.partcipant]"),
        (MINIMAL.replace("qualiopi", "hospital"), 3, "family must be one of"),
        (MINIMAL + "[fields.title]\npattern = '(unclosed'\n", 7, "pattern '(unclosed'"),
        (MINIMAL + "[fields.hours]\nhelper = 'rpps'\n", 7, "the rpps helper cannot fill"),
        (MINIMAL + "[fields.title]\nhelper = 'magic'\n", 7, "unknown helper 'magic'"),
        (MINIMAL + "[fields.title]\nconstant = 'x'\nafter = 'y'\n", 8, "constant excludes after"),
        (MINIMAL + "[fields.meetings]\nconstant = 'six'\n", 7, "'six' is not a int"),
        (MINIMAL + "[fields.end]\nhelper = 'date'\n", 7, "the date helper needs labels"),
        (MINIMAL + "[fields.title]\nuntil = 'x'\npattern = 'y'\n", 7, "until needs after"),
        (MINIMAL + "[fields.title]\nignore_case = true\n", 6, "needs pattern, after, helper"),
        (MINIMAL.replace('name = "acme"', 'name = "ACME corp"'), 2, "[issuer] name is required"),
        (MINIMAL + '[issuer.extra]\n', 6, "unknown key 'extra' in [issuer]"),
        ('[issuer]\nname = "a"\nfamily = "other"\nnature = "seminar"\n[match]\nany = ["x"]\n', 4,
         "'seminar' is not a nature"),
        ('[issuer]\nname = "a"\nfamily = "other"\nscore = 1.5\n[match]\nany = ["x"]\n', 4,
         "score must be a number in ]0, 1]"),
        ('[issuer]\nname = "a"\nfamily = "other"\n[match]\nnone = ["x"]\n', 4,
         "[match] needs 'all' or 'any'"),
        (MINIMAL + "[fields.nature]\nafter = 'x'\nmap = { a = 'seminar' }\n", 8,
         "'seminar' is not a nature"),
        (MINIMAL + "[fields.title]\nafter = ' : '\n", 7, "a label needs letters or digits"),
        ('[issuer]\nname = "a"\nfamily = "other"\n[match]\nall = ["--"]\n', 5,
         "must be a list of phrases"),
        (MINIMAL + "[fields.start]\nhelper = 'period'\ndate_formats = ['%d']\n", 8,
         "date_formats apply to a located date field"),
        (MINIMAL + "[fields.title]\nhelper = 'period'\n", 7, "the period helper cannot fill"),
        (MINIMAL + "[layout]\n", 6, "unknown table [layout]"),
    ],
)
def test_malformed_templates_name_the_line(
    tmp_path: Path, text: str, line: int | None, message: str
) -> None:
    path = write(tmp_path, "broken.toml", text)
    with pytest.raises(ConfigError) as raised:
        load_template(path)
    assert raised.value.path == path
    assert message in raised.value.problem
    assert raised.value.line == line


def test_a_template_file_that_cannot_be_read_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.replace("ACME", "ACMÉ").encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot read the template"):
        load_template(path)


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
    assert problems[1].problem.startswith("line 7: [fields.title]: unknown helper 'magic'")
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
