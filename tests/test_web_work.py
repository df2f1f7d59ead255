"""The decision pages through Flask's test client: review and labellisations.

Each decision goes through the service layer; the person recorded is the one working in
the page (here the OS user given to the app, as when accounts are off). A refused decision
says why in French, in the page's words, and changes nothing.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from attest_pipeline.config import load_config
from attest_pipeline.errors import Refusal
from attest_pipeline.web import app as app_module
from attest_pipeline.web.app import create_app
from attest_pipeline.web.views import when
from tests.web_state import filled_workspace

#: A physician of the samples' roster, as the Médecin field holds one.
BONNET = "BONNET Raphaël (10468644488)"


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


def in_review(root: Path, reason: str) -> int:
    """The first item waiting with ``reason``."""
    with db(root) as connection:
        found: int = connection.execute(
            "SELECT id FROM attestations WHERE status = 'review' AND reasons LIKE ? ORDER BY id",
            (f'%"{reason}"%',),
        ).fetchone()["id"]
    return found


def everything(root: Path) -> tuple[Any, ...]:
    """What a refused decision must leave as it was: the database's rows and the files."""
    with db(root) as connection:
        rows = tuple(
            tuple(tuple(r) for r in connection.execute(f"SELECT * FROM {table} ORDER BY 1"))
            for table in (
                "attestations", "dossier_entries", "review_decisions", "label_decisions", "journal"
            )
        )
    files = tuple(sorted(str(p) for p in root.rglob("*") if "state" not in p.parts))
    return rows, files


def said(web: FlaskClient, answer: TestResponse) -> list[str]:
    """The error messages the page shows after ``answer``'s redirect, as a person reads them."""
    assert answer.status_code == 302, answer.status_code
    page = web.get(answer.headers["Location"]).get_data(as_text=True)
    return [html.unescape(m) for m in re.findall(r'<p class="flash error"[^>]*>(.*?)</p>', page)]


def decided_at(root: Path, table: str, item: int) -> str:
    """When the last decision about ``item`` was made, as the page writes it."""
    with db(root) as connection:
        at: str = connection.execute(
            f"SELECT at FROM {table} WHERE attestation_id = ? ORDER BY id DESC", (item,)
        ).fetchone()["at"]
    return when(at)


def test_review_list_and_first(root: Path, web: FlaskClient) -> None:
    ids = waiting(root)
    page = web.get("/a-verifier").get_data(as_text=True)
    assert f"{len(ids)} élément(s) en attente." in page
    assert web.get("/a-verifier/premier").headers["Location"] == f"/a-verifier/{ids[0]}"
    only = web.get("/a-verifier?raison=invalid_rpps").get_data(as_text=True)
    assert "1 élément(s) en attente." in only
    assert web.get("/a-verifier?raison=nonsense").status_code == 404
    assert web.get("/a-verifier/premier?raison=nonsense").status_code == 404
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
    assert "n'est pas dans la liste des médecins suivis" in html.unescape(
        web.get(f"/a-verifier/{item}").get_data(as_text=True)
    )
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
    page = html.unescape(web.get(f"/a-verifier/{item}").get_data(as_text=True))
    assert "a déjà été classé par secretariat" in page and "Rouvrir" in page

    web.post(f"/a-verifier/{item}/rouvrir", data={"csrf": csrf})
    assert item in waiting(root)


def test_reject_needs_a_reason(root: Path, web: FlaskClient) -> None:
    item = waiting(root)[0]
    csrf = token(web)
    before = everything(root)
    refused = web.post(f"/a-verifier/{item}/rejeter", data={"csrf": csrf, "raison": " "})
    assert said(web, refused) == [
        "Non rejeté : indiquez pourquoi l'élément est rejeté (champ Raison)."
    ]
    assert everything(root) == before
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
    assert "indiquez pourquoi" in web.get("/labellisations").get_data(as_text=True)
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
    assert "a déjà été décidée" in web.get("/labellisations").get_data(as_text=True)
    web.post(f"/labellisations/{second}/rouvrir", data={"csrf": csrf, "statut": "refused"})
    csv = web.get("/labellisations.csv")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    rows = csv.data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("id;rpps;") and len(rows) == len(left) + 2  # + reopened
    with db(root) as connection:
        decided = connection.execute("SELECT kind, by FROM label_decisions").fetchall()
    by = {r["kind"]: r["by"] for r in decided}
    assert by == {"grant": "secretariat", "refuse": "secretariat", "label_reopen": "secretariat"}


# ------------------------------------------------------------------- refusals, in French


@pytest.mark.parametrize(
    ("reason", "form", "message"),
    [
        (
            "no_plugin",
            {},
            "aucun RPPS n'a été lu : choisissez le médecin dans le champ Médecin.",
        ),
        (
            "no_plugin",
            {"medecin": "personne"},
            "« personne » : choisissez un médecin de la liste (nom et RPPS) dans le champ Médecin.",
        ),
        (
            "invalid_rpps",
            {"medecin": "10000000017"},
            "le RPPS 10000000017 n'est pas dans la liste des médecins suivis : choisissez un "
            "médecin de la liste dans le champ Médecin.",
        ),
        (
            "no_plugin",
            {"medecin": BONNET},
            "aucune action du référentiel n'a été trouvée : choisissez-en une dans le champ "
            "Action du référentiel.",
        ),
        (
            "invalid_rpps",
            {"medecin": BONNET, "action": "9.Z"},
            "le référentiel n'a pas d'action 9.Z : choisissez-en une dans le champ Action du "
            "référentiel.",
        ),
        ("missing_field", {}, "les dates n'ont pas été lues : remplissez Début et Fin."),
        (
            "missing_field",
            {"debut": "2025-03-12"},
            "les dates n'ont pas été lues : remplissez Fin.",
        ),
        (
            "implausible_date",
            {},
            "les dates ne sont pas vraisemblables (Début 12/03/2031, Fin 14/03/2031) : elles vont "
            f"du 01/01/2000 à aujourd'hui ({date.today():%d/%m/%Y}), et la Fin n'est pas avant "
            "le Début. Corrigez Début ou Fin.",
        ),
        (
            "invalid_rpps",
            {"medecin": BONNET, "debut": "12/03/2025"},
            "« 12/03/2025 » n'est pas une date (champ Début) : choisissez-la dans le calendrier, "
            "ou écrivez-la AAAA-MM-JJ.",
        ),
        (
            "invalid_rpps",
            {"medecin": BONNET, "labellisation": "oui"},
            "« oui » n'est pas une labellisation : choisissez-en une dans le champ Labellisation.",
        ),
    ],
)
def test_a_refused_resolve_says_why_in_french_and_changes_nothing(
    root: Path, web: FlaskClient, reason: str, form: dict[str, str], message: str
) -> None:
    item = in_review(root, reason)
    before = everything(root)
    answer = web.post(f"/a-verifier/{item}/classer", data={"csrf": token(web), **form})
    assert answer.headers["Location"] == f"/a-verifier/{item}"
    assert said(web, answer) == [f"Non classé : {message}"]
    assert everything(root) == before


def test_a_duplicate_of_what_is_filed_is_named(root: Path, web: FlaskClient) -> None:
    # One congress PDF, one page per participant: a page waiting in review, resolved with the
    # RPPS of another page already filed, repeats that page's attestation.
    with db(root) as connection:
        item, document = connection.execute(
            "SELECT a.id, a.document_id FROM attestations a JOIN documents d "
            "ON d.id = a.document_id WHERE a.status = 'review' AND d.pages > 1 ORDER BY a.id"
        ).fetchone()
        filed = connection.execute(
            "SELECT id, rpps, title FROM attestations WHERE document_id = ? AND status = 'file' "
            "ORDER BY id",
            (document,),
        ).fetchone()
    before = everything(root)
    answer = web.post(
        f"/a-verifier/{item}/classer", data={"csrf": token(web), "medecin": filed["rpps"]}
    )
    assert said(web, answer) == [
        "Non classé : le dossier du médecin a déjà cette attestation, aux mêmes dates : "
        f"attestation #{filed['id']} ({filed['title']}). Rejetez l'élément comme doublon, ou "
        "corrigez Médecin, Début ou Fin."
    ]
    assert everything(root) == before


def test_a_decision_another_person_made_first_is_named_with_who_and_when(
    root: Path, web: FlaskClient
) -> None:
    item = in_review(root, "invalid_rpps")
    csrf = token(web)
    web.post(f"/a-verifier/{item}/classer", data={"csrf": csrf, "medecin": BONNET})
    at = decided_at(root, "review_decisions", item)
    before = everything(root)
    again = web.post(f"/a-verifier/{item}/classer", data={"csrf": csrf, "medecin": BONNET})
    assert said(web, again) == [
        f"Non classé : l'élément {item} a déjà été classé par secretariat le {at}. Rien n'a "
        "changé : la page montre où il en est."
    ]
    rejected = web.post(f"/a-verifier/{item}/rejeter", data={"csrf": csrf, "raison": "doublon"})
    assert said(web, rejected) == [
        f"Non rejeté : l'élément {item} a déjà été classé par secretariat le {at}. Rien n'a "
        "changé : la page montre où il en est."
    ]
    assert everything(root) == before
    web.post(f"/a-verifier/{item}/rouvrir", data={"csrf": csrf})
    at = decided_at(root, "review_decisions", item)
    before = everything(root)
    reopened = web.post(f"/a-verifier/{item}/rouvrir", data={"csrf": csrf})
    assert said(web, reopened) == [
        f"Non rouvert : l'élément {item} a déjà été rouvert par secretariat le {at}. Rien n'a "
        "changé : la page montre où il en est."
    ]
    assert everything(root) == before


def test_reopening_what_was_never_decided_is_refused(root: Path, web: FlaskClient) -> None:
    item = in_review(root, "no_plugin")
    with db(root) as connection:
        filed = connection.execute(
            "SELECT id FROM attestations WHERE status = 'file' ORDER BY id"
        ).fetchone()["id"]
    csrf = token(web)
    before = everything(root)
    answer = web.post(f"/a-verifier/{item}/rouvrir", data={"csrf": csrf})
    assert said(web, answer) == [
        f"Non rouvert : l'élément {item} attend déjà une vérification : il n'y a rien à rouvrir."
    ]
    automatic = web.post(f"/a-verifier/{filed}/rouvrir", data={"csrf": csrf})
    assert automatic.headers["Location"] == "/a-verifier"  # the attestation has no review page
    assert said(web, automatic) == [
        f"Non rouvert : l'attestation {filed} n'est pas passée par « À vérifier » (état : "
        "Classé) : il n'y a rien à décider ici."
    ]
    missing = web.post("/a-verifier/999999/classer", data={"csrf": csrf, "medecin": BONNET})
    assert missing.headers["Location"] == "/a-verifier"
    assert said(web, missing) == ["Non classé : il n'y a pas d'élément n° 999999 à vérifier."]
    assert everything(root) == before


def test_an_item_whose_pdf_cannot_be_rebuilt_is_refused(root: Path, web: FlaskClient) -> None:
    with db(root) as connection:
        row = connection.execute(
            "SELECT a.id, a.path, d.archive FROM attestations a JOIN documents d "
            "ON d.id = a.document_id WHERE a.status = 'review' AND d.pages > 1 ORDER BY a.id"
        ).fetchone()
    # Its copy in review gone, and the archived original no longer a PDF to cut it from.
    Path(row["path"]).unlink()
    archive = Path(row["archive"])
    archive.chmod(0o644)
    archive.write_bytes(b"not a PDF")
    before = everything(root)
    answer = web.post(f"/a-verifier/{row['id']}/rejeter", data={"csrf": token(web), "raison": "x"})
    assert said(web, answer) == [
        f"Non rejeté : le PDF de l'élément {row['id']} n'est plus parmi les éléments à vérifier, "
        "et ses pages n'ont pas pu être reprises de l'original archivé : prévenez la personne "
        "qui administre le logiciel."
    ]
    assert everything(root) == before


def test_a_name_too_long_to_record_is_refused(root: Path) -> None:
    name = "x" * 61
    app = create_app(load_config(root / "config.toml"), run=["true"], os_user=name)
    web = app.test_client()
    item = in_review(root, "invalid_rpps")
    before = everything(root)
    answer = web.post(f"/a-verifier/{item}/classer", data={"csrf": token(web), "medecin": BONNET})
    assert said(web, answer) == [
        f"Non classé : le nom « {name} » a plus de 60 caractères : une décision s'enregistre "
        "sous un nom plus court."
    ]
    assert everything(root) == before


def test_a_database_held_too_long_is_refused(
    root: Path, web: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attest_pipeline import store as store_module

    item = in_review(root, "invalid_rpps")
    csrf = token(web)
    before = everything(root)
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT", 0.2)
    holder = sqlite3.connect(root / "state" / "attest.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # what a filing batch holds while it runs
    try:
        answer = web.post(f"/a-verifier/{item}/rejeter", data={"csrf": csrf, "raison": "x"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert said(web, answer) == [
        "Non rejeté : la base de données est restée occupée plus de 0.2 s (un classement en "
        "cours ?) : rien n'a changé, recommencez dans un instant."
    ]
    assert everything(root) == before


def pending(root: Path) -> tuple[int, str, str]:
    """The first labellisation waiting for the CNP: its id, action, physician."""
    with db(root) as connection:
        row = connection.execute(
            "SELECT e.attestation_id, e.bloc || '.' || e.action AS action, "
            "p.last_name || ' ' || p.first_name AS who FROM dossier_entries e JOIN physicians p "
            "ON p.rpps = e.rpps WHERE e.label_status = 'pending' AND "
            "e.labellisation = 'a_demander' ORDER BY e.attestation_id"
        ).fetchone()
    return row[0], row[1], row[2]


def test_a_refused_labellisation_decision_says_why_in_french(root: Path, web: FlaskClient) -> None:
    ident, action, who = pending(root)
    csrf = token(web)
    before = everything(root)
    without_why = web.post(f"/labellisations/{ident}/refuser", data={"csrf": csrf, "note": " "})
    assert said(web, without_why) == [
        "Labellisation non refusée : indiquez pourquoi la labellisation est refusée (champ "
        "Raison du refus)."
    ]
    waits = web.post(f"/labellisations/{ident}/rouvrir", data={"csrf": csrf})
    assert said(web, waits) == [
        f"Labellisation non rouverte : la labellisation de l'action {action} de {who} est déjà "
        "en attente du CNP. Rien n'a changé."
    ]
    missing = web.post("/labellisations/999999/accorder", data={"csrf": csrf})
    assert said(web, missing) == [
        "Labellisation non accordée : il n'y a pas de labellisation n° 999999."
    ]
    with db(root) as connection:
        de_fait = connection.execute(
            "SELECT e.attestation_id, e.bloc || '.' || e.action, "
            "p.last_name || ' ' || p.first_name FROM dossier_entries e JOIN physicians p "
            "ON p.rpps = e.rpps WHERE e.labellisation = 'de_fait' ORDER BY e.attestation_id"
        ).fetchone()
    nothing_to_decide = web.post(f"/labellisations/{de_fait[0]}/accorder", data={"csrf": csrf})
    assert said(web, nothing_to_decide) == [
        f"Labellisation non accordée : l'action {de_fait[1]} de {de_fait[2]} est labellisée "
        "de fait : le CNP n'a rien à décider."
    ]
    assert everything(root) == before

    web.post(f"/labellisations/{ident}/accorder", data={"csrf": csrf})
    at = decided_at(root, "label_decisions", ident)
    before = everything(root)
    for decision, not_done in (("accorder", "non accordée"), ("refuser", "non refusée")):
        again = web.post(f"/labellisations/{ident}/{decision}", data={"csrf": csrf, "note": "x"})
        assert said(web, again) == [
            f"Labellisation {not_done} : la labellisation de l'action {action} de {who} a déjà "
            f"été décidée par secretariat le {at} (labellisation accordée). Rien n'a changé."
        ]
    assert everything(root) == before


def test_every_refusal_code_has_its_french_text() -> None:
    assert set(app_module.labels()["refusals"]) == set(Refusal)


@pytest.mark.parametrize(
    "text",
    [None, "le RPPS {numero} n'est pas suivi.", "le RPPS {rpps:nope} n'est pas suivi."],
    ids=["no text", "an unknown value", "an unknown table"],
)
def test_a_refusal_without_a_usable_french_text_shows_the_english_message(
    root: Path, web: FlaskClient, monkeypatch: pytest.MonkeyPatch, text: str | None
) -> None:
    words = {**app_module.labels(), "refusals": dict(app_module.labels()["refusals"])}
    if text is None:
        del words["refusals"]["not_on_roster"]
    else:
        words["refusals"]["not_on_roster"] = text
    monkeypatch.setattr(app_module, "labels", lambda: words)
    item = in_review(root, "invalid_rpps")
    answer = web.post(
        f"/a-verifier/{item}/classer", data={"csrf": token(web), "medecin": "10000000017"}
    )
    assert said(web, answer) == ["Non classé : RPPS 10000000017 is not on the roster"]
