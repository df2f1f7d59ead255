"""The secretariat's commands: review, labels, dpc, export, summary.

Each command calls one function of :mod:`attest_pipeline.service` (the web page calls the
same ones) and prints its result; refusals are :class:`~attest_pipeline.errors.UsageError`
subclasses, which :func:`attest_pipeline.cli.main` turns into one line and exit code 2.
Registered on the ``attest`` group by :mod:`attest_pipeline.cli`. A little over 400 lines
kept whole: every command is a thin shell over one service function, sharing the helpers
above (``--by``, dates, how a decision is printed); apart, they would import them back.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from attest_pipeline.cli import Options, pass_options, say

if TYPE_CHECKING:
    from attest_pipeline.service.decisions import Decision
    from attest_pipeline.service.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


def workspace(options: Options) -> Workspace:
    """The workspace of the configuration named by the global options."""
    from attest_pipeline.service import open_workspace

    return open_workspace(options.config())


def by_option(function: F) -> F:
    """The ``--by NAME`` option of every command that decides something."""
    return click.option(
        "--by",
        "by",
        metavar="NAME",
        default=None,
        help="Who decides (default: the OS user).",
    )(function)


def _who(by: str | None) -> str:
    from attest_pipeline.service import current_user

    return by if by is not None else current_user()


def _date(value: str | None, name: str) -> date | None:
    from attest_pipeline.service.review import parse_date

    return parse_date(value, name) if value is not None else None


def _decided(decision: Decision, as_json: bool, what: str) -> None:
    if as_json:
        click.echo(json.dumps(decision.to_json(), ensure_ascii=False, indent=2))
        return
    changed = "".join(
        f"; {key}: {value['read'] or '-'} -> {value['decided']}"
        for key, value in decision.overrides.items()
    )
    where = f" -> {decision.path}" if decision.path else ""
    say(f"{what} {decision.item} by {decision.by}{changed}{where}")


def _out(text: str, out: Path | None, what: str) -> None:
    """Write ``text`` to ``out`` (durably) or to standard output."""
    if out is None:
        sys.stdout.write(text)
        return
    from attest_pipeline.filing import durable_write

    durable_write(out, text.encode("utf-8"))
    say(f"{what} written to {out}", err=True)


# --------------------------------------------------------------------------------- review


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON.")
@click.option("--reason", metavar="CODE", default=None, help="Only the items with this reason.")
@click.option(
    "--state",
    type=click.Choice(["review", "resolved", "rejected", "all"]),
    default="review",
    show_default=True,
    help="Which items: waiting, filed by a person, closed without filing, or all.",
)
@click.pass_context
def review(ctx: click.Context, as_json: bool, reason: str | None, state: str) -> None:
    """What waits in review, one line each (then show, resolve, reject, reopen an item)."""
    if ctx.invoked_subcommand is not None:
        return
    from attest_pipeline.reports import table
    from attest_pipeline.service.review import list_review

    items = list_review(workspace(ctx.obj), reason=reason, state=state)
    if as_json:
        click.echo(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2))
        return
    if not items:
        say("nothing in review" if state == "review" else f"no {state} item")
        return
    rows = [
        [
            str(i.id),
            i.state,
            i.document + (f" p{','.join(map(str, i.pages))}" if i.pages else ""),
            ",".join(i.reasons),
            f"{i.participant or '-'} {i.rpps or ''}".strip(),
            f"{i.start or '?'} → {i.end or '?'}",
            i.action or "-",
            i.issuer or "-",
        ]
        for i in items
    ]
    say(
        table(["id", "state", "file", "reasons", "participant", "dates", "action", "issuer"], rows)
    )


@review.command(name="show")
@click.argument("item_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the item as JSON.")
@pass_options
def review_show(options: Options, item_id: int, as_json: bool) -> None:
    """Everything about one item: fields read with their evidence, candidates, reasons."""
    from attest_pipeline.service.review import show_review

    detail = show_review(workspace(options), item_id)
    if as_json:
        click.echo(json.dumps(detail.to_json(), ensure_ascii=False, indent=2))
        return
    item = detail.item
    lines = [
        f"item {item.id} ({item.state}): {item.document} received {item.received_at}",
        f"pdf: {item.path}",
        f"archive: {detail.archive}",
        f"participant: {item.participant or '-'}  RPPS {item.rpps or '-'}",
        f"dates: {item.start or '?'} → {item.end or '?'}",
        f"issuer: {item.issuer or '-'}",
        f"title: {item.title or '-'}",
        f"action: {item.action or '-'}  candidates: {', '.join(detail.candidates) or '-'}",
        "reasons:",
        *(f"  {d['code']}: {d.get('detail', '')}" for d in detail.details),
        "evidence:",
        *(f"  {name}: {text!r}" for name, text in detail.evidence.items()),
    ]
    if detail.mail is not None:
        from attest_pipeline.mail.parse import mail_summary

        lines.append(mail_summary(detail.mail))
    if detail.history:
        lines.append("history:")
        lines += [
            f"  {d.at} {d.kind} by {d.by}{': ' + d.note if d.note else ''}" for d in detail.history
        ]
    say("\n".join(lines))


@review.command(name="resolve")
@click.argument("item_id", metavar="ID", type=int)
@click.option("--rpps", default=None, help="The physician (on the roster).")
@click.option("--action", "action", metavar="BLOC.LETTER", default=None, help="E.g. 1.D.")
@click.option("--start", default=None, metavar="YYYY-MM-DD", help="First day of the action.")
@click.option("--end", default=None, metavar="YYYY-MM-DD", help="Last day of the action.")
@click.option(
    "--labellisation", type=click.Choice(["de_fait", "a_demander"]), default=None, help="Override."
)
@click.option("--note", default=None, help="Why, for the journal.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@by_option
@pass_options
def review_resolve(
    options: Options,
    item_id: int,
    rpps: str | None,
    action: str | None,
    start: str | None,
    end: str | None,
    labellisation: str | None,
    note: str | None,
    as_json: bool,
    by: str | None,
) -> None:
    """File an item with what you say; what was read is kept where not given."""
    from attest_pipeline.service.review import resolve

    decision = resolve(
        workspace(options),
        item_id,
        by=_who(by),
        rpps=rpps,
        action=action,
        start=_date(start, "start"),
        end=_date(end, "end"),
        labellisation=labellisation,
        note=note,
    )
    _decided(decision, as_json, "filed item")


@review.command(name="reject")
@click.argument("item_id", metavar="ID", type=int)
@click.option("--why", required=True, help="Why it is not filed (not an attestation...).")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@by_option
@pass_options
def review_reject(options: Options, item_id: int, why: str, as_json: bool, by: str | None) -> None:
    """Close an item without filing it (the PDF stays archived, in review/rejected/)."""
    from attest_pipeline.service.review import reject

    _decided(reject(workspace(options), item_id, by=_who(by), why=why), as_json, "rejected item")


@review.command(name="reopen")
@click.argument("item_id", metavar="ID", type=int)
@click.option("--why", default=None, help="Why, for the journal.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@by_option
@pass_options
def review_reopen(
    options: Options, item_id: int, why: str | None, as_json: bool, by: str | None
) -> None:
    """Undo a resolve or a reject: the item leaves the dossier and waits in review again."""
    from attest_pipeline.service.review import reopen

    _decided(reopen(workspace(options), item_id, by=_who(by), why=why), as_json, "reopened item")


# --------------------------------------------------------------------------------- labels


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the committee's CSV (decision and why columns to fill in) to this file.",
)
@click.option(
    "--status",
    "status",
    type=click.Choice(["pending", "granted", "refused", "all"]),
    default="pending",
    show_default=True,
    help="Which labellisations.",
)
@click.pass_context
def labels(ctx: click.Context, as_json: bool, csv_path: Path | None, status: str) -> None:
    """The actions waiting for the CNP's labellisation (then grant, refuse, reopen, import)."""
    if ctx.invoked_subcommand is not None:
        return
    from attest_pipeline.reports import table
    from attest_pipeline.service.labels import labels_csv, list_labels

    items = list_labels(workspace(ctx.obj), status=status)
    if csv_path is not None:
        _out(labels_csv(items), csv_path, f"{len(items)} labellisation(s)")
        return
    if as_json:
        click.echo(json.dumps([i.to_json() for i in items], ensure_ascii=False, indent=2))
        return
    if not items:
        say(f"no {status} labellisation")
        return
    rows = [
        [
            str(i.id),
            f"{i.last_name} {i.first_name} {i.rpps}",
            i.action,
            i.status,
            i.title or "-",
            i.issuer or "-",
            f"{i.start or '?'} → {i.end or '?'}",
            "-" if i.hours is None else f"{i.hours:g} h",
            i.path,
        ]
        for i in items
    ]
    say(
        table(
            ["id", "physician", "action", "status", "title", "issuer", "dates", "hours", "pdf"],
            rows,
        )
    )


@labels.command(name="grant")
@click.argument("item_id", metavar="ID", type=int)
@click.option("--note", default=None, help="The committee's note.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@by_option
@pass_options
def labels_grant(
    options: Options, item_id: int, note: str | None, as_json: bool, by: str | None
) -> None:
    """The CNP grants the labellisation: the action counts."""
    from attest_pipeline.service.labels import grant

    _decided(grant(workspace(options), item_id, by=_who(by), note=note), as_json, "granted")


@labels.command(name="refuse")
@click.argument("item_id", metavar="ID", type=int)
@click.option("--why", required=True, help="Why the CNP refuses it.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@by_option
@pass_options
def labels_refuse(options: Options, item_id: int, why: str, as_json: bool, by: str | None) -> None:
    """The CNP refuses the labellisation: the action stays in the dossier, not counted."""
    from attest_pipeline.service.labels import refuse

    _decided(refuse(workspace(options), item_id, by=_who(by), why=why), as_json, "refused")


@labels.command(name="reopen")
@click.argument("item_id", metavar="ID", type=int)
@click.option("--why", default=None, help="Why, for the journal.")
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON.")
@by_option
@pass_options
def labels_reopen(
    options: Options, item_id: int, why: str | None, as_json: bool, by: str | None
) -> None:
    """Undo a grant or a refusal: the action waits for the CNP again."""
    from attest_pipeline.service.labels import reopen_label

    _decided(reopen_label(workspace(options), item_id, by=_who(by), why=why), as_json, "reopened")


@labels.command(name="import")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@by_option
@pass_options
def labels_import(options: Options, csv_file: str, as_json: bool, by: str | None) -> None:
    """Apply the committee's CSV (decision: grant/refuse, why), all or nothing."""
    from attest_pipeline.service.labels import import_decisions

    report = import_decisions(workspace(options), Path(csv_file), by=_who(by))
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    say(f"{report.granted} granted, {report.refused} refused")
    for d in report.decisions:
        say(f"  {d.item}: {d.kind}{': ' + d.note if d.note else ''}")


# ------------------------------------------------------------------------ dpc, export, pdf


@click.command()
@click.argument("rpps")
@click.option("--json", "as_json", is_flag=True, help="Print the DPC periods as JSON.")
@pass_options
def dpc(options: Options, rpps: str, as_json: bool) -> None:
    """The DPC of one physician, per triennial period: types done, orientation prioritaire."""
    from attest_pipeline.service.dpc import dpc_status

    status = dpc_status(workspace(options), rpps)
    if as_json:
        click.echo(json.dumps(status.to_json(), ensure_ascii=False, indent=2))
        return
    say(f"{status.last_name} {status.first_name}  RPPS {status.rpps}")
    for period in status.periods:
        done = ", ".join(status.type_labels[t] for t in period.types_done) or "aucun"
        say(
            f"\n{period.name} ({period.start} → {period.end}){' current' if period.current else ''}"
        )
        say(f"  types: {done} ({len(period.types_done)}/{period.min_types} needed)")
        say(f"  orientation prioritaire: {period.orientation or 'not shown'}")
        say(f"  {'valid' if period.valid else 'not shown valid'}")
        for action in period.actions:
            say(
                f"  {action.id}: {action.action} {action.start} {action.nature or '-'} "
                f"({', '.join(action.types) or 'no type'}) {action.title or ''}".rstrip()
            )


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File to write."
)
@click.option(
    "--sep",
    type=click.Choice([",", ";"]),
    default=",",
    show_default=True,
    help="CSV separator (; for a French Excel).",
)
@pass_options
def export(options: Options, fmt: str, out: Path | None, sep: str) -> None:
    """One row per dossier entry (CSV in UTF-8 with BOM, or JSON), for a spreadsheet."""
    from attest_pipeline.service.export import export_rows, to_csv, to_json

    rows = export_rows(workspace(options))
    _out(to_csv(rows, delimiter=sep) if fmt == "csv" else to_json(rows), out, f"{len(rows)} row(s)")


@click.command()
@click.argument("rpps")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The PDF to write (default: summary_RPPS.pdf here).",
)
@pass_options
def summary(options: Options, rpps: str, out: Path | None) -> None:
    """The physician's summary PDF in French: cycle, blocs, DPC, proofs with their SHA-256."""
    from attest_pipeline.filing import durable_write
    from attest_pipeline.service.summary import summary_pdf

    data = summary_pdf(workspace(options), rpps)
    target = out or Path(f"summary_{rpps}.pdf")
    durable_write(target, data)
    say(f"summary written to {target} ({len(data)} bytes)")


COMMANDS = (review, labels, dpc, export, summary)
