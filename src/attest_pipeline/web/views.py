"""The pages: Accueil, Déposer, Médecins, Dossier, Journal, the served files, the login.

Each view reads through the service layer (:mod:`~attest_pipeline.service`, the same
functions as the command line) or :mod:`.queries`, and renders a template; each form posts,
then redirects (so that a reload never sends it twice). The decisions (review,
labellisations) are in :mod:`.work`.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from attest_pipeline.errors import ConfigError
from attest_pipeline.referentiel import Referentiel
from attest_pipeline.web import files, queries, uploads
from attest_pipeline.web.app import current_user, store, web_state

if TYPE_CHECKING:
    from attest_pipeline.service.progress import Progress

pages = Blueprint("pages", __name__)

#: How many of this browser's uploads the Déposer page follows.
UPLOADS_FOLLOWED = 30


# --------------------------------------------------------------------------- login


@pages.route("/connexion", methods=["GET", "POST"])
def login() -> Any:
    """The login form (only when accounts are on)."""
    from attest_pipeline.web.accounts import authenticate

    state = web_state()
    if state.accounts is None:
        return redirect(url_for("pages.home"))
    following = _local(request.values.get("suite", ""))
    error, status = None, 200
    if request.method == "POST":
        name = request.form.get("nom", "").strip()
        try:
            known = authenticate(state.accounts, name, request.form.get("mot_de_passe", ""))
        except ConfigError as problem:
            # The file was edited by hand while the server ran: nobody can log in until it
            # is fixed, and whoever tries is told where, not shown a server error.
            current_app.logger.error("%s", problem)
            error = (
                f"Connexion impossible : le fichier des comptes est illisible ({problem}). "
                "Corrigez-le ou recréez les comptes avec attest user add NOM."
            )
            return render_template("login.html", error=error, suite=following), 503
        if known:
            session.clear()  # a new CSRF token with the new session
            session.permanent = True
            session["user"] = name
            return redirect(following or url_for("pages.home"))
        error, status = "Nom ou mot de passe incorrect.", 401
    return render_template("login.html", error=error, suite=following), status


@pages.route("/deconnexion", methods=["POST"])
def logout() -> Any:
    """End the session."""
    session.clear()
    return redirect(url_for("pages.login") if web_state().accounts else url_for("pages.home"))


def _local(target: str) -> str:
    """``target`` if it is a path of this site (never another site after login)."""
    # Browsers read "//host" and "/\\host" as another site.
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else ""


# ---------------------------------------------------------------------------- home


@pages.route("/")
def home() -> str:
    """Accueil: what needs a person now."""
    from attest_pipeline.service.review import list_review

    state = web_state()
    db = store()
    waiting = list_review(state.workspace) if db is not None else []
    reasons: Counter[str] = Counter()
    for item in waiting:
        reasons.update(item.reasons or ("-",))
    progress = all_progress()
    return render_template(
        "home.html",
        counts=queries.home_counts(db),
        review=reasons,
        review_total=len(waiting),
        pending_labels=sum(p.pending for p in progress),
        at_risk=[p for p in progress if p.at_risk],
        watcher=queries.watcher_state(state.config.paths.state),
        page_run=state.runner.running,
    )


# ---------------------------------------------------------------------------- upload


@pages.route("/deposer", methods=["GET"])
def upload_form() -> str:
    """Déposer: the upload form and what became of this browser's uploads."""
    names = list(session.get("uploads", []))
    states = uploads.upload_states(store(), web_state().config.paths, names[::-1])
    return render_template(
        "upload.html",
        states=states,
        pending=any(not s.settled for s in states),
        limit=web_state().config.serve.upload_limit_mb,
    )


@pages.route("/deposer", methods=["POST"])
def upload() -> BaseResponse:
    """Write the files sent into the inbox, then have them processed."""
    state = web_state()
    sent = [f for f in request.files.getlist("fichiers") if f.filename]
    if not sent:
        flash("Aucun fichier choisi.", "error")
        return redirect(url_for("pages.upload_form"))
    limit = int(state.config.serve.upload_limit_mb * 1024 * 1024)
    names = list(session.get("uploads", []))
    kept = 0
    for item in sent:
        try:
            name = uploads.save_upload(
                state.config.paths.inbox, item.filename or "", item.stream, limit
            )
        except uploads.TooLarge:
            flash(f"{item.filename} : trop volumineux, non déposé.", "error")
            continue
        except OSError as error:
            # The inbox missing, full or read-only: say so, keep nothing half-written.
            flash(f"{item.filename} : non déposé ({error.strerror or error}).", "error")
            continue
        names.append(name)
        kept += 1
    session["uploads"] = names[-UPLOADS_FOLLOWED:]
    if kept:
        state.runner.kick()
        flash(f"{kept} fichier(s) déposé(s) dans la boîte de dépôt.", "ok")
    return redirect(url_for("pages.upload_form"))


# ------------------------------------------------------------------------ physicians


def all_progress() -> list[Progress]:
    """Every physician of the roster or with a dossier, measured (see ProgressCache)."""
    state = web_state()
    db = store()
    if db is None:
        from attest_pipeline.service.progress import measure

        ws = state.workspace
        return [
            measure(ws, p.rpps, p.last_name, p.first_name, None, [])
            for p in ws.roster.physicians
        ]
    return state.progress.current(state.workspace, db)


def _physician_rows() -> list[queries.PhysicianRow]:
    state = web_state()
    db = store()
    if db is None:
        return queries.physician_rows(all_progress())
    return state.progress.rows(state.workspace, db)


@pages.route("/medecins")
def physicians() -> str:
    """Médecins: search by name or RPPS, sort, page through."""
    query = request.args.get("q", "")
    order = request.args.get("tri", "nom")
    rows = queries.search_physicians(_physician_rows(), query)
    rows.sort(key=queries.SORTS.get(order, queries.SORTS["nom"]))
    if request.args.get("risque"):
        rows = [r for r in rows if r.at_risk]
    page = queries.paginate(rows, int_arg(request.args.get("page"), 1))
    return render_template("physicians.html", page=page, q=query, tri=order)


@pages.route("/medecins/<rpps>")
def physician(rpps: str) -> str:
    """Dossier of one physician: identity, cycle, blocs, allocation, proofs, DPC."""
    from attest_pipeline.errors import NotFound
    from attest_pipeline.service.dpc import dpc_of
    from attest_pipeline.service.progress import physician_progress

    ws = web_state().workspace
    try:
        progress = physician_progress(ws, rpps) if store() is not None else None
    except NotFound:
        abort(404)
    if progress is None:
        found = next((p for p in all_progress() if p.rpps == rpps), None)
        if found is None:
            abort(404)
        progress = found
    by_bloc: dict[int, list[Any]] = {b.bloc: [] for b in progress.blocs}
    for entry in progress.entries:
        by_bloc.setdefault(entry.counted_in or entry.bloc, []).append(entry)
    return render_template(
        "dossier.html",
        p=progress,
        by_bloc=by_bloc,
        dpc=dpc_of(ws, progress),
        today=ws.day(),
    )


@pages.route("/medecins/<rpps>/synthese.pdf")
def summary(rpps: str) -> BaseResponse:
    """The physician's summary PDF (the same document as ``attest summary``)."""
    from attest_pipeline.errors import NotFound
    from attest_pipeline.service.summary import summary_pdf

    if store() is None:
        abort(404)
    try:
        data = summary_pdf(web_state().workspace, rpps)
    except NotFound:
        abort(404)
    name = f"synthese-{rpps}-{date.today().isoformat()}.pdf"
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ----------------------------------------------------------------------------- journal


@pages.route("/journal")
def journal() -> str:
    """Journal: recent events, by physician, event and date."""
    db = store()
    who = request.args.get("medecin", "").strip()
    rpps: tuple[str, ...] = ()
    if who:
        matches = queries.search_physicians(_physician_rows(), who)
        rpps = tuple(r.rpps for r in matches) or ("-",)
    wanted = queries.JournalFilter(
        rpps=rpps,
        event=request.args.get("evenement", ""),
        since=_date(request.args.get("du")),
        until=_date(request.args.get("au")),
    )
    page = queries.journal_page(db, wanted, int_arg(request.args.get("page"), 1))
    names = {r.rpps: f"{r.last_name} {r.first_name}" for r in _physician_rows()}
    return render_template(
        "journal.html",
        page=page,
        events=queries.journal_events(db),
        wanted=wanted,
        medecin=who,
        names=names,
        args={k: v for k, v in request.args.items() if k != "page"},
    )


# ------------------------------------------------------------------------------ files


@pages.route("/fichier/<kind>/<int:ident>")
def served(kind: str, ident: int) -> BaseResponse:
    """A PDF (inline) or another received file (as an attachment), by id only."""
    db = store()
    found = files.find(db, web_state().config.paths, kind, ident) if db is not None else None
    if found is None:
        abort(404)
    if found.is_pdf:
        return send_file(found.path, mimetype="application/pdf", download_name=found.name)
    return send_file(
        found.path,
        mimetype="application/octet-stream",
        as_attachment=True,
        download_name=found.name,
    )


@pages.route("/apercu/<kind>/<int:ident>/<int:number>.png")
def preview(kind: str, ident: int, number: int) -> BaseResponse:
    """One page of a served PDF as an image (by id, as :func:`served`)."""
    db = store()
    found = files.find(db, web_state().config.paths, kind, ident) if db is not None else None
    if found is None or not found.is_pdf:
        abort(404)
    image = files.preview_png(found, number)
    if image is None:
        abort(404)
    return Response(image, mimetype="image/png", headers={"Cache-Control": "private, max-age=60"})


# ---------------------------------------------------------------------------- helpers


def int_arg(value: str | None, default: int) -> int:
    """A whole number from the query string (a page number), ``default`` if it is not one."""
    try:
        return int(value or default)
    except ValueError:
        return default


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


#: The sections of the page, in the order of the menu.
NAV_ITEMS = (
    ("pages.home", "Accueil"),
    ("pages.upload_form", "Déposer"),
    ("pages.review_list", "À vérifier"),
    ("pages.labels", "Labellisations"),
    ("pages.physicians", "Médecins"),
    ("pages.journal", "Journal"),
)
#: Pages that belong to a section of the menu.
SECTIONS = {
    "pages.upload": "pages.upload_form",
    "pages.physician": "pages.physicians",
    "pages.review_item": "pages.review_list",
    "pages.review_first": "pages.review_list",
    "pages.labels_csv": "pages.labels",
}


@pages.app_context_processor
def _everywhere() -> dict[str, Any]:
    """Names every template may use."""
    state = web_state()
    return {
        "user": current_user(),
        "accounts": state.accounts is not None,
        "nav_items": NAV_ITEMS,
        "section": SECTIONS.get(request.endpoint or "", request.endpoint),
        "referentiel": _referentiel(),
        "action_label": _action_label,
    }


def _referentiel() -> Referentiel:
    return web_state().workspace.referentiel


def _action_label(bloc: int, letter: str) -> str:
    try:
        return _referentiel().action(bloc, letter).label
    except KeyError:
        return ""


@pages.app_template_filter("when")
def when(value: str | None) -> str:
    """An ISO time of the database (UTC) as local French text: ``01/12/2026 14:10``."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime("%d/%m/%Y %H:%M")


@pages.app_template_filter("day")
def day(value: str | None) -> str:
    """An ISO date as ``12/03/2025``."""
    if not value:
        return "date non lue"
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


@pages.app_template_filter("dpc_type")
def _dpc_type(code: str, names: dict[str, str]) -> str:
    """A DPC type's name."""
    return names.get(code, code)


@pages.app_template_filter("shown_name")
def _shown_name(name: str) -> str:
    """An uploaded file's name without the server's prefix (``depot-<token>-``)."""
    if name.startswith(uploads.PREFIX):
        _, _, rest = name[len(uploads.PREFIX) :].partition("-")
        return rest or name
    return name
