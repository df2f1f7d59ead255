"""The application factory of ``attest serve``: configuration, sessions, login, CSRF.

Flask with Jinja2 templates, rendered on the server: every page works without JavaScript
(forms post, then redirect), and the small scripts in ``static/`` only add drag and drop and
keyboard shortcuts. Every request opens the database read-only unless it changes something;
changes go through the same functions as the command line, in short transactions beside a
running ``attest watch``.
"""

from __future__ import annotations

import hmac
import os
import secrets
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from importlib import resources
from pathlib import Path

from flask import Flask, Response, abort, g, redirect, request, session, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from attest_pipeline.config import Config
from attest_pipeline.service import Workspace, open_workspace
from attest_pipeline.service import current_user as current_os_user
from attest_pipeline.store import Store
from attest_pipeline.web.queries import ProgressCache
from attest_pipeline.web.uploads import Runner

#: Paths anyone may reach without being logged in.
PUBLIC_ENDPOINTS = frozenset({"pages.login", "static"})
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class WebState:
    """What the page's requests share: the configuration and who is working."""

    config: Config
    #: The roster, référentiel and rules, loaded once (the service layer's workspace).
    workspace: Workspace
    #: The name recorded for decisions when accounts are off (the OS user).
    os_user: str
    runner: Runner
    progress: ProgressCache = field(default_factory=ProgressCache)

    @property
    def accounts(self) -> Path | None:
        """The users file, when accounts are on."""
        return self.config.serve.accounts


@cache
def labels() -> dict[str, dict[str, str]]:
    """The French words of the page (``labels.toml``)."""
    text = resources.files("attest_pipeline.web").joinpath("labels.toml").read_text("utf-8")
    return tomllib.loads(text)


def secret_key(state_folder: Path) -> bytes:
    """The key signing the session cookies, made once and kept in ``state/web-secret``."""
    path = state_folder / "web-secret"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    state_folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes()
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def run_command(config: Config, options: Sequence[str] = ()) -> list[str]:
    """The ``attest run`` the page starts after an upload (same config and plugin options)."""
    import sys

    return [
        sys.executable,
        "-m",
        "attest_pipeline",
        "--config",
        str(config.source),
        *options,
        "run",
        "--json",
    ]


def create_app(
    config: Config, *, run: Sequence[str] | None = None, os_user: str | None = None
) -> Flask:
    """The web application over this configuration's state.

    ``run`` is the command started after an upload (default: ``attest run`` with the same
    configuration).
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(config.paths.state),
        SESSION_COOKIE_NAME="attest_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=config.serve.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=int(config.serve.upload_limit_mb * 1024 * 1024),
        TEMPLATES_AUTO_RELOAD=False,
    )
    if config.paths.database.exists():
        # Upgrade an older database now, once, rather than under a reader's request.
        Store(config.paths.database).close()
    app.extensions["attest"] = WebState(
        config=config,
        workspace=open_workspace(config),
        os_user=os_user or current_os_user(),
        runner=Runner(list(run) if run is not None else run_command(config)),
    )
    from attest_pipeline.web import work  # noqa: F401 - registers the decision pages
    from attest_pipeline.web.views import pages

    app.register_blueprint(pages)
    app.before_request(_guard)
    app.teardown_appcontext(_close_store)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _error_page)
    app.jinja_env.globals.update(
        csrf_token=csrf_token, labels=labels, current_user=current_user, CSRF_FIELD=CSRF_FIELD
    )
    return app


def warm(app: Flask) -> None:
    """Measure every physician's progress once, before the first request needs it."""
    state: WebState = app.extensions["attest"]
    opened = Store.open_existing(state.config.paths.database)
    if opened is not None:
        with opened:
            state.progress.current(state.workspace, opened)


def web_state() -> WebState:
    """The shared state of the running application."""
    from flask import current_app

    state: WebState = current_app.extensions["attest"]
    return state


def current_user() -> str | None:
    """Who is working: the logged-in user, or the OS user when accounts are off."""
    state = web_state()
    if state.accounts is None:
        return state.os_user
    user = session.get("user")
    return str(user) if user else None


def csrf_token() -> str:
    """The CSRF token of this session (made on first use), for the forms."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return str(token)


def _guard() -> BaseResponse | None:
    """Before each request: the CSRF check of every POST, then the login check."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
        expected = session.get(CSRF_FIELD) or ""
        if not expected or not hmac.compare_digest(str(sent), str(expected)):
            abort(400, description="Jeton de sécurité (CSRF) absent ou invalide : "
                  "rechargez la page et recommencez.")
    if request.endpoint in PUBLIC_ENDPOINTS or current_user() is not None:
        return None
    return redirect(url_for("pages.login", suite=request.full_path.rstrip("?")))


def store(*, write: bool = False) -> Store | None:
    """The database for this request (``None`` before the first ``attest run``)."""
    key = "store_rw" if write else "store"
    if key not in g:
        path = web_state().config.paths.database
        if write:
            setattr(g, key, Store(path))
        else:
            setattr(g, key, Store.open_existing(path))
    opened: Store | None = getattr(g, key)
    return opened


def _close_store(error: BaseException | None) -> None:
    for key in ("store", "store_rw"):
        opened = g.pop(key, None)
        if opened is not None:
            opened.close()


def _headers(response: Response) -> BaseResponse:
    """Headers of every answer: nothing from elsewhere, no framing by another site."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; object-src 'self'; frame-ancestors 'self'; "
        "form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _error_page(error: HTTPException) -> Response | HTTPException:
    from flask import render_template

    if error.code is None or error.code < 400:
        return error
    titles = {
        400: "Demande refusée",
        403: "Accès refusé",
        404: "Introuvable",
        405: "Méthode non permise",
        413: "Fichier trop volumineux",
    }
    message = error.description if error.code == 400 else None
    if error.code == 413:
        limit = web_state().config.serve.upload_limit_mb
        message = f"Rien n'a été déposé : la limite est de {limit:g} Mo par envoi."
    body = render_template(
        "error.html", code=error.code, title=titles.get(error.code, "Erreur"), message=message
    )
    return Response(body, status=error.code, mimetype="text/html")
