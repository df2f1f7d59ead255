"""The decision pages through Flask's test client: review and labellisations.

Each decision goes through the service layer; the person recorded is the one working in
the page (here the OS user given to the app, as when accounts are off).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from attest_pipeline.config import load_config
from attest_pipeline.web.app import create_app
from tests.web_state import filled_workspace


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return filled_workspace(tmp_path)


@pytest.fixture
def web(root: Path) -> Iterator[FlaskClient]:
    app = create_app(load_config(root / "config.toml"), run=["true"], os_user="secretariat")
    yield app.test_client()


def db(root: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(root / "state" / "attest.sqlite3")
    connection.row_factory = sqlite3.Row
    return connection


def token(web: FlaskClient) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', web.get("/deposer").get_data(as_text=True))
    assert found
    return found.group(1)


def waiting(root: Path) -> list[int]:
    with db(root) as connection:
        return [r["id"] for r in connection.execute(
            "SELECT id FROM attestations WHERE status = 'review' ORDER BY id"
        )]


def test_review_list_and_first(root: Path, web: FlaskClient) -> None:
    ids = waiting(root)
    page = web.get("/a-verifier").get_data(as_text=True)
    assert f"{len(ids)} élément(s) en attente." in page
    assert web.get("/a-verifier/premier").headers["Location"] == f"/a-verifier/{ids[0]}"
    only = web.get("/a-verifier?raison=invalid_rpps").get_data(as_text=True)
    assert "1 élément(s) en attente." in only
    assert web.get("/a-verifier?raison=nonsense").status_code == 404
    item = web.get(f"/a-verifier/{ids[0]}").get_data(as_text=True)
    assert "élément 1 sur" in item and "Classer dans un dossier" in item
    assert "Pourquoi une personne doit décider" in item
    assert web.get("/a-verifier/999999").status_code == 404


def test_resolve_is_checked_then_files_and_goes_to_the_next(root: Path, web: FlaskClient) -> None:
    with db(root) as connection:
        item = connection.execute(
            "SELECT id FROM attestations WHERE status = 'review' AND reasons LIKE '%invalid_rpps%'"
        ).fetchone()["id"]
    csrf = token(web)
    refused = web.post(f"/a-verifier/{item}/classer", data={"csrf": csrf, "medecin": "Jean"})
    assert refused.headers["Location"] == f"/a-verifier/{item}"
    page = web.get(f"/a-verifier/{item}").get_data(as_text=True)
    assert "Non classé" in page and "choisissez un médecin de la liste" in page
    not_on_roster = web.post(
        f"/a-verifier/{item}/classer", data={"csrf": csrf, "medecin": "10000000017"}
    )
    assert not_on_roster.headers["Location"] == f"/a-verifier/{item}"
    assert "is not on the roster" in web.get(f"/a-verifier/{item}").get_data(as_text=True)
    assert item in waiting(root)

    done = web.post(
        f"/a-verifier/{item}/classer",
        data={"csrf": csrf, "medecin": "BONNET Raphaël (10468644488)", "action": "1.A",
              "note": "RPPS corrigé d'après la liste"},
    )
    following = [i for i in waiting(root) if i > item] or waiting(root)
    assert done.headers["Location"] == f"/a-verifier/{following[0]}"
    with db(root) as connection:
        row = connection.execute(
            "SELECT a.status, a.rpps, d.by, d.note FROM attestations a "
            "JOIN review_decisions d ON d.attestation_id = a.id WHERE a.id = ?",
            (item,),
        ).fetchone()
    assert tuple(row) == ("file", "10468644488", "secretariat", "RPPS corrigé d'après la liste")
    again = web.post(f"/a-verifier/{item}/classer", data={"csrf": csrf, "medecin": "10468644488"})
    assert again.headers["Location"] == f"/a-verifier/{item}"
    page = web.get(f"/a-verifier/{item}").get_data(as_text=True)
    assert "already resolved by secretariat" in page and "Rouvrir" in page

    web.post(f"/a-verifier/{item}/rouvrir", data={"csrf": csrf})
    assert item in waiting(root)


def test_reject_needs_a_reason(root: Path, web: FlaskClient) -> None:
    item = waiting(root)[0]
    csrf = token(web)
    web.post(f"/a-verifier/{item}/rejeter", data={"csrf": csrf, "raison": " "})
    assert item in waiting(root)
    web.post(f"/a-verifier/{item}/rejeter", data={"csrf": csrf, "raison": "Pas une attestation"})
    assert item not in waiting(root)
    with db(root) as connection:
        row = connection.execute(
            "SELECT event, detail FROM journal WHERE attestation_id = ? ORDER BY id DESC", (item,)
        ).fetchone()
    assert row["event"] == "rejected" and '"by": "secretariat"' in row["detail"]


def test_the_last_item_leads_back_to_the_list(root: Path, web: FlaskClient) -> None:
    csrf = token(web)
    for item in waiting(root):
        answer = web.post(f"/a-verifier/{item}/rejeter", data={"csrf": csrf, "raison": "test"})
    assert answer.headers["Location"] == "/a-verifier"
    assert "Rien n'attend une vérification." in web.get("/a-verifier").get_data(as_text=True)
    assert web.get("/a-verifier/premier").headers["Location"] == "/a-verifier"


def test_labellisations(root: Path, web: FlaskClient) -> None:
    page = web.get("/labellisations").get_data(as_text=True)
    ids = re.findall(r'<tr data-label="(\d+)"', page)
    assert len(ids) >= 3
    csrf = token(web)
    first, second, third = ids[:3]
    web.post(f"/labellisations/{first}/accorder", data={"csrf": csrf, "note": "séance 12"})
    web.post(f"/labellisations/{second}/refuser", data={"csrf": csrf, "note": ""})
    assert "Indiquez pourquoi" in web.get("/labellisations").get_data(as_text=True)
    web.post(f"/labellisations/{second}/refuser", data={"csrf": csrf, "note": "Hors champ"})
    assert web.post(f"/labellisations/{third}/n-importe", data={"csrf": csrf}).status_code == 404
    left = re.findall(r'<tr data-label="(\d+)"', web.get("/labellisations").get_data(as_text=True))
    assert first not in left and second not in left and third in left
    granted = web.get("/labellisations?statut=granted").get_data(as_text=True)
    assert f'data-label="{first}"' in granted and "séance 12" in granted
    refused = web.get("/labellisations?statut=refused").get_data(as_text=True)
    assert f'data-label="{second}"' in refused and "Hors champ" in refused
    assert web.get("/labellisations?statut=nonsense").status_code == 404
    web.post(f"/labellisations/{first}/accorder", data={"csrf": csrf})
    assert "already" in web.get("/labellisations").get_data(as_text=True)
    web.post(f"/labellisations/{second}/rouvrir", data={"csrf": csrf, "statut": "refused"})
    csv = web.get("/labellisations.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    rows = csv.data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("id;rpps;") and len(rows) == len(left) + 2  # + reopened
    with db(root) as connection:
        decided = connection.execute("SELECT kind, by FROM label_decisions").fetchall()
    by = {r["kind"]: r["by"] for r in decided}
    assert by == {"grant": "secretariat", "refuse": "secretariat", "label_reopen": "secretariat"}
