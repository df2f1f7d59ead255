"""The application: sessions, login when accounts are on, CSRF on every POST, headers."""

from __future__ import annotations

import re
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from attest_pipeline.config import load_config
from attest_pipeline.web.accounts import add_user
from attest_pipeline.web.app import create_app, secret_key
from tests.web_state import CONFIG


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "inbox").mkdir()
    (tmp_path / "roster.csv").write_text("rpps,last_name,first_name\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text(CONFIG.format(extra=""), encoding="utf-8")
    return tmp_path


def client(root: Path, **serve: object) -> FlaskClient:
    config = load_config(root / "config.toml")
    config = replace(config, serve=replace(config.serve, **serve))
    app = create_app(config, run=["true"], os_user="secretariat")
    return app.test_client()


def token(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def test_secret_key_is_kept_private(tmp_path: Path) -> None:
    key = secret_key(tmp_path)
    assert len(key) == 32 and secret_key(tmp_path) == key
    assert stat.S_IMODE((tmp_path / "web-secret").stat().st_mode) == 0o600


def test_without_accounts_the_os_user_works(root: Path) -> None:
    web = client(root)
    page = web.get("/").get_data(as_text=True)
    assert "secretariat" in page and "Se déconnecter" not in page
    assert web.get("/connexion").status_code == 302


def test_every_post_needs_its_csrf_token(root: Path) -> None:
    web = client(root)
    page = web.get("/deposer").get_data(as_text=True)
    refused = web.post("/deposer", data={})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert web.post("/deposer", data={"csrf": "forged"}).status_code == 400
    other = client(root)
    other.get("/deposer")
    assert other.post("/deposer", data={"csrf": token(page)}).status_code == 400
    accepted = web.post("/deposer", data={"csrf": token(page)})
    assert accepted.status_code == 302  # no file chosen: back to the form with a message
    assert web.post("/deposer", headers={"X-CSRF-Token": token(page)}).status_code == 302


def test_accounts_login_and_logout(root: Path) -> None:
    users = root / "users"
    add_user(users, "claire", "motdepasse1")
    web = client(root, accounts=users)
    answer = web.get("/medecins?q=x")
    assert answer.status_code == 302 and "/connexion" in answer.headers["Location"]
    assert web.get("/fichier/entry/1").status_code == 302
    login = web.get("/connexion").get_data(as_text=True)
    bad = web.post(
        "/connexion", data={"csrf": token(login), "nom": "claire", "mot_de_passe": "nope"}
    )
    assert bad.status_code == 401 and "incorrect" in bad.get_data(as_text=True)
    assert web.post("/connexion", data={"nom": "claire", "mot_de_passe": "x"}).status_code == 400
    good = web.post(
        "/connexion",
        data={
            "csrf": token(login),
            "nom": "claire",
            "mot_de_passe": "motdepasse1",
            "suite": "/medecins?q=x",
        },
    )
    assert good.status_code == 302 and good.headers["Location"] == "/medecins?q=x"
    cookie = good.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Strict" in cookie
    # The token of the login form does not outlive the login.
    assert web.post("/deconnexion", data={"csrf": token(login)}).status_code == 400
    home = web.get("/").get_data(as_text=True)
    assert "claire" in home and "Se déconnecter" in home
    assert web.post("/deconnexion", data={"csrf": token(home)}).status_code == 302
    assert web.get("/").status_code == 302


def test_a_broken_accounts_file_refuses_login_with_its_line(root: Path) -> None:
    users = root / "users"
    add_user(users, "claire", "motdepasse1")
    web = client(root, accounts=users)
    login = web.get("/connexion").get_data(as_text=True)
    with users.open("a", encoding="utf-8") as handle:
        handle.write("bertrand sans mot de passe\n")
    answer = web.post(
        "/connexion", data={"csrf": token(login), "nom": "claire", "mot_de_passe": "motdepasse1"}
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "fichier des comptes est illisible" in page and f"{users}:3" in page
    assert web.get("/").status_code == 302  # not logged in


def test_login_never_sends_elsewhere(root: Path) -> None:
    users = root / "users"
    add_user(users, "claire", "motdepasse1")
    web = client(root, accounts=users)
    login = web.get("/connexion").get_data(as_text=True)
    answer = web.post(
        "/connexion",
        data={
            "csrf": token(login),
            "nom": "claire",
            "mot_de_passe": "motdepasse1",
            "suite": "//evil.example/",
        },
    )
    assert answer.headers["Location"] == "/"
    web.post("/deconnexion", data={"csrf": token(web.get("/").get_data(as_text=True))})
    login = web.get("/connexion").get_data(as_text=True)
    answer = web.post(
        "/connexion",
        data={
            "csrf": token(login),
            "nom": "claire",
            "mot_de_passe": "motdepasse1",
            "suite": "/\\evil.example/",
        },
    )
    assert answer.headers["Location"] == "/"


def test_headers_and_errors(root: Path) -> None:
    web = client(root)
    answer = web.get("/")
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    missing = web.get("/nulle-part")
    assert missing.status_code == 404 and "Introuvable" in missing.get_data(as_text=True)
    assert web.get("/static/style.css").status_code == 200


def test_uploads_over_the_limit_are_refused(root: Path) -> None:
    web = client(root, upload_limit_mb=0.001)
    page = web.get("/deposer").get_data(as_text=True)
    import io

    answer = web.post(
        "/deposer",
        data={"csrf": token(page), "fichiers": (io.BytesIO(b"x" * 5000), "gros.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 413
    assert "trop volumineux" in answer.get_data(as_text=True).lower()
    assert list((root / "inbox").iterdir()) == []


def test_an_upload_the_inbox_cannot_take_is_said(root: Path) -> None:
    import io

    web = client(root)
    page = web.get("/deposer").get_data(as_text=True)
    (root / "inbox").rmdir()
    answer = web.post(
        "/deposer",
        data={"csrf": token(page), "fichiers": (io.BytesIO(b"%PDF-1.4"), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302
    shown = web.get("/deposer").get_data(as_text=True)
    assert "a.pdf : non déposé" in shown and "déposé(s)" not in shown
