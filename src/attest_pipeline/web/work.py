"""The pages where a person decides: À vérifier (review) and Labellisations (CNP).

Every decision calls the service layer (:mod:`attest_pipeline.service.review`,
:mod:`attest_pipeline.service.labels`), the same functions as ``attest review`` and
``attest labels``, with the person working in the page as the one who decides. A refusal
comes back as a message on the same item, in French (:func:`refusal_text`); after a
decision the next item comes.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from attest_pipeline.errors import NotFound, Refusal, UsageError
from attest_pipeline.web import app, files, queries
from attest_pipeline.web.app import current_user, store, web_state
from attest_pipeline.web.views import day, int_arg, pages, when

_RPPS = re.compile(r"\b(\d{11})\b")


class _RefusalText(string.Formatter):
    """Fills a French text of ``[refusals]`` with a refusal's values.

    ``{at:when}`` is a time of the database, ``{start:day}`` a date, and ``{kind:decisions}``
    the word of that table of ``labels.toml`` (a list of values: their words joined by "et").
    """

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "when":
            return when(str(value))
        if format_spec == "day":
            return day(str(value))
        words = app.labels().get(format_spec)
        if words is None:
            return str(super().format_field(value, format_spec))
        values = value if isinstance(value, Sequence) and not isinstance(value, str) else [value]
        return " et ".join(words.get(str(v), str(v)) for v in values)


def refusal_text(refused: UsageError) -> str:
    """Why nothing changed, in French: the ``[refusals]`` text of the refusal's code.

    The English message of the command line stands in for a code without a text, or for a
    text that names a value the refusal does not carry: a slip in the data file must not
    hide why nothing changed.
    """
    text = app.labels().get("refusals", {}).get(refused.code or "")
    if text is None:
        return str(refused)
    try:
        return _RefusalText().format(text, **refused.values)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        return str(refused)


def _by() -> str:
    user = current_user()
    if user is None:  # the guard lets no anonymous request this far
        abort(403)
    return user


# ------------------------------------------------------------------------------ review


def _waiting(reason: str | None = None) -> list[Any]:
    from attest_pipeline.service.review import list_review

    if store() is None:
        return []
    return list_review(web_state().workspace, reason=reason or None)


@pages.route("/a-verifier")
def review_list() -> str:
    """What waits in review, one line each, filterable by reason."""
    reason = request.args.get("raison") or None
    try:
        items = _waiting(reason)
    except UsageError:
        abort(404)
    page = queries.paginate(items, int_arg(request.args.get("page"), 1))
    return render_template("review_list.html", items=items, page=page, reason=reason)


@pages.route("/a-verifier/premier")
def review_first() -> BaseResponse:
    """The first item waiting (or the list, when nothing waits)."""
    try:
        items = _waiting(request.args.get("raison"))
    except UsageError:
        abort(404)
    if not items:
        return redirect(url_for("pages.review_list"))
    return redirect(url_for("pages.review_item", ident=items[0].id))


def _after(ident: int) -> BaseResponse:
    """The item after ``ident`` in the waiting list (wrapping round), else the list."""
    items = [i for i in _waiting() if i.id != ident]
    if not items:
        flash("Plus rien n'attend une vérification.", "ok")
        return redirect(url_for("pages.review_list"))
    following = next((i for i in items if i.id > ident), items[0])
    return redirect(url_for("pages.review_item", ident=following.id))


@pages.route("/a-verifier/<int:ident>")
def review_item(ident: int) -> str:
    """One item: the PDF beside what was read, its evidence, the reasons, the decisions."""
    from attest_pipeline.service.review import show_review

    ws = web_state().workspace
    if store() is None:
        abort(404)
    try:
        detail = show_review(ws, ident)
    except NotFound:
        abort(404)
    db = store()
    assert db is not None
    served = files.find(db, web_state().config.paths, "attestation", ident)
    count = files.page_count(served) if served is not None and served.is_pdf else 0
    waiting = [i.id for i in _waiting()]
    position = waiting.index(ident) + 1 if ident in waiting else None
    following = next((i for i in waiting if i > ident), waiting[0] if waiting else None)
    return render_template(
        "review_item.html",
        d=detail,
        item=detail.item,
        position=position,
        total=len(waiting),
        following=following if following != ident else None,
        preview=range(1, min(count, files.PREVIEW_PAGES) + 1),
        more_pages=max(count - files.PREVIEW_PAGES, 0),
        roster=sorted(ws.roster.physicians, key=lambda p: (p.last_name, p.first_name)),
        referentiel=ws.referentiel,
    )


@pages.route("/a-verifier/<int:ident>/classer", methods=["POST"])
def review_resolve(ident: int) -> BaseResponse:
    """File the item with what the person chose in the form."""
    from attest_pipeline.service.review import parse_date, resolve

    form = request.form
    try:
        rpps = _rpps_of(form.get("medecin", ""))
        start = parse_date(form["debut"], "start") if form.get("debut") else None
        end = parse_date(form["fin"], "end") if form.get("fin") else None
        decision = resolve(
            web_state().workspace,
            ident,
            by=_by(),
            rpps=rpps,
            action=form.get("action") or None,
            start=start,
            end=end,
            labellisation=form.get("labellisation") or None,
            note=form.get("note") or None,
        )
    except UsageError as refused:
        return _refused(ident, "Non classé", refused)
    flash(f"Élément {ident} classé par {decision.by}.", "ok")
    return _after(ident)


def _refused(ident: int, not_done: str, refused: UsageError) -> BaseResponse:
    """Say why nothing changed, back on the item (on the list when it has no page)."""
    flash(f"{not_done} : {refusal_text(refused)}", "error")
    if isinstance(refused, NotFound) or refused.code == Refusal.NOT_IN_REVIEW:
        return redirect(url_for("pages.review_list"))
    return redirect(url_for("pages.review_item", ident=ident))


def _rpps_of(text: str) -> str | None:
    """The RPPS in what the participant field holds (``NOM Prénom (RPPS)`` or the digits)."""
    text = text.strip()
    if not text:
        return None
    found = _RPPS.search(text)
    if found is None:
        raise UsageError(
            f"{text!r} names no physician: choose one of the list (name and RPPS)",
            code=Refusal.NOT_A_PHYSICIAN,
            text=text,
        )
    return found.group(1)


@pages.route("/a-verifier/<int:ident>/rejeter", methods=["POST"])
def review_reject(ident: int) -> BaseResponse:
    """Close the item without filing, with the reason given."""
    from attest_pipeline.service.review import reject

    try:
        reject(web_state().workspace, ident, by=_by(), why=request.form.get("raison", ""))
    except UsageError as refused:
        return _refused(ident, "Non rejeté", refused)
    flash(f"Élément {ident} rejeté.", "ok")
    return _after(ident)


@pages.route("/a-verifier/<int:ident>/rouvrir", methods=["POST"])
def review_reopen(ident: int) -> BaseResponse:
    """Undo a resolve or a reject: the item waits in review again."""
    from attest_pipeline.service.review import reopen

    try:
        reopen(web_state().workspace, ident, by=_by(), why=request.form.get("raison") or None)
    except UsageError as refused:
        return _refused(ident, "Non rouvert", refused)
    flash(f"Élément {ident} rouvert : il attend de nouveau une vérification.", "ok")
    return redirect(url_for("pages.review_item", ident=ident))


# ----------------------------------------------------------------------- labellisations

#: The lists of the labellisation page.
LABEL_TABS = (("pending", "En attente"), ("granted", "Accordées"), ("refused", "Refusées"))
#: What the page says of a labellisation decision that was refused, by decision.
LABEL_NOT_DONE = {
    "accorder": "Labellisation non accordée",
    "refuser": "Labellisation non refusée",
    "rouvrir": "Labellisation non rouverte",
}


@pages.route("/labellisations")
def labels() -> str:
    """The actions whose labellisation the CNP decides: pending first."""
    from attest_pipeline.service.labels import list_labels

    tab = request.args.get("statut", "pending")
    if tab not in dict(LABEL_TABS):
        abort(404)
    items = list_labels(web_state().workspace, status=tab) if store() is not None else []
    page = queries.paginate(items, int_arg(request.args.get("page"), 1))
    return render_template("labels.html", page=page, tab=tab, tabs=LABEL_TABS)


@pages.route("/labellisations.csv")
def labels_csv() -> BaseResponse:
    """The committee's CSV of what waits (the same file as ``attest labels --csv``)."""
    from attest_pipeline.service.labels import labels_csv as build
    from attest_pipeline.service.labels import list_labels

    items = list_labels(web_state().workspace) if store() is not None else []
    name = f"labellisations-{date.today().isoformat()}.csv"
    return Response(
        build(items),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@pages.route("/labellisations/<int:ident>/<decision>", methods=["POST"])
def label_decide(ident: int, decision: str) -> BaseResponse:
    """Grant, refuse (with a reason) or reopen one labellisation."""
    from attest_pipeline.service.labels import grant, refuse, reopen_label

    if decision not in LABEL_NOT_DONE:
        abort(404)
    ws = web_state().workspace
    note = request.form.get("note", "").strip() or None
    try:
        if decision == "accorder":
            grant(ws, ident, by=_by(), note=note)
            flash(f"Labellisation {ident} accordée.", "ok")
        elif decision == "refuser":
            refuse(ws, ident, by=_by(), why=note or "")
            flash(f"Labellisation {ident} refusée.", "ok")
        else:
            reopen_label(ws, ident, by=_by(), why=note)
            flash(f"Labellisation {ident} rouverte : elle attend de nouveau le CNP.", "ok")
    except UsageError as refused:
        flash(f"{LABEL_NOT_DONE[decision]} : {refusal_text(refused)}", "error")
    return redirect(url_for("pages.labels", statut=request.form.get("statut", "pending")))
