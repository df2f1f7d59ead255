"""The pages that read (Flask's test client over a state filled by a real ``attest run``)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from attest_pipeline.config import load_config
from attest_pipeline.web.app import create_app
from tests.web_state import ACCENTED, DUPONT, filled_workspace


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return filled_workspace(tmp_path_factory.mktemp("views"))


@pytest.fixture
def web(root: Path) -> Iterator[FlaskClient]:
    app = create_app(load_config(root / "config.toml"), run=["true"], os_user="secretariat")
    yield app.test_client()


def text(web: FlaskClient, path: str, status: int = 200) -> str:
    answer = web.get(path)
    assert answer.status_code == status, (path, answer.status_code)
    return answer.get_data(as_text=True)


def test_home(web: FlaskClient) -> None:
    page = text(web, "/")
    assert re.search(r'data-count="review">\d+<', page)
    assert "Le participant n&#39;est pas dans la liste des médecins suivis." in page
    assert "Arrêtée" in page and "Dernier fichier reçu" in page
    assert 'aria-current="page">Accueil' in page


def test_physicians_search_sort_and_pages(web: FlaskClient) -> None:
    page = text(web, "/medecins?q=lefevre")
    assert page.count('<tr data-rpps="') == 1 and ACCENTED[1] in page
    assert text(web, f"/medecins?q={ACCENTED[0]}").count('<tr data-rpps="') == 1
    everyone = text(web, "/medecins?tri=progression")
    assert everyone.count('<tr data-rpps="') == 42
    assert "Page 1 sur" not in everyone  # 42 fit on one page
    rpps = re.findall(r'<tr data-rpps="(\d+)"', text(web, "/medecins?tri=rpps"))
    assert rpps == sorted(rpps)
    assert text(web, "/medecins?q=personne").count('<tr data-rpps="') == 0


def test_dossier(web: FlaskClient) -> None:
    page = text(web, f"/medecins/{DUPONT[0]}")
    assert f"{DUPONT[1]} {DUPONT[2]}" in page and "Cycle de certification du" in page
    assert "Compté dans le bloc 1." in page
    assert "Ne compte pas tant que le CNP n'a pas accordé la labellisation." in page
    assert "DPC (obligation triennale)" in page and "2023-2025" in page
    proof = re.search(r'href="(/fichier/attestation/\d+)"', page)
    assert proof is not None
    answer = web.get(proof.group(1))
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("inline")
    assert answer.data.startswith(b"%PDF-")
    summary = web.get(f"/medecins/{DUPONT[0]}/synthese.pdf")
    assert summary.status_code == 200 and summary.data.startswith(b"%PDF-")
    assert "attachment" in summary.headers["Content-Disposition"]
    text(web, "/medecins/00000000000", 404)
    text(web, "/medecins/00000000000/synthese.pdf", 404)


def test_a_physician_of_the_roster_without_dossier(root: Path, web: FlaskClient) -> None:
    roster = root / "roster.csv"
    original = roster.read_text(encoding="utf-8")
    # A physician added to the roster later: listed, with an empty dossier.
    roster.write_text(original + "10000000017,NOUVEAU,Paul,,2020-01-01,2020-01-01\n")
    try:
        app = create_app(load_config(root / "config.toml"), run=["true"])
        page = app.test_client().get("/medecins/10000000017").get_data(as_text=True)
        assert "NOUVEAU Paul" in page and "Aucune action." in page
        assert "synthese" not in page
    finally:
        roster.write_text(original, encoding="utf-8")


def test_journal(root: Path, web: FlaskClient) -> None:
    page = text(web, "/journal")
    assert "Page 1 sur" in page and 'rel="next"' in page
    assert text(web, "/journal?page=2").count("<tr>") > 1
    filed = text(web, "/journal?evenement=file")
    assert "Quarantaine</span>" not in filed and "Classé</span>" in filed
    mine = text(web, "/journal?medecin=lefevre")
    assert "LEFÈVRE-ROUSSEAU Anne-Sophie" in mine
    with sqlite3.connect(root / "state" / "attest.sqlite3") as db:
        count = db.execute(
            "SELECT COUNT(*) FROM journal WHERE attestation_id IN "
            "(SELECT id FROM attestations WHERE rpps = ?1) OR (attestation_id IS NULL AND "
            "document_id IN (SELECT document_id FROM attestations WHERE rpps = ?1))",
            (ACCENTED[0],),
        ).fetchone()[0]
    assert f"{count} événement(s)" in mine
    assert "0 événement(s)" in text(web, "/journal?au=2000-01-01")
    assert "0 événement(s)" in text(web, "/journal?medecin=personne")


def test_upload_page_and_previews(web: FlaskClient) -> None:
    assert "Glissez ici" in text(web, "/deposer")
    page = text(web, "/a-verifier")
    first = re.search(r'href="/a-verifier/(\d+)"', page)
    assert first is not None
    png = web.get(f"/apercu/attestation/{first.group(1)}/1.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert web.get(f"/apercu/attestation/{first.group(1)}/99.png").status_code == 404
