"""The physician's summary: a PDF in French, one or two pages, for the physician or the Ordre.

Identity and RPPS, the cycle, the four blocs with their actions (dates, issuer,
labellisation), what remains to do, the DPC status, the list of proofs with their SHA-256,
and the date it was produced.

Written with reportlab's layout engine (paragraphs and tables wrap long names and titles
instead of overflowing) in Bitstream Vera, the TrueType family shipped inside reportlab
itself, embedded in the file: it covers French (accents, œ, « », ’) and needs no system
font. When the content would take more than two pages, the text is set smaller, down to
the smallest of :data:`SIZES`; a dossier that still does not fit continues on a third page
rather than losing lines.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from attest_pipeline.service.dpc import DpcStatus, dpc_of
from attest_pipeline.service.export import file_sha256
from attest_pipeline.service.progress import Entry, Progress, physician_progress
from attest_pipeline.service.workspace import Workspace

#: The font sizes tried, largest first, until the summary fits on two pages.
SIZES = (9.0, 8.5, 8.0, 7.5)
MAX_PAGES = 2

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_FONT = "AttestVera"
_STATES = {
    "counted": "compté",
    "surplus": "en plus",
    "pending": "non compté (en attente du CNP)",
    "refused": "non compté (refusé par le CNP)",
    "outside_cycle": "non compté (hors cycle)",
}
_TYPES_FR = {"formation_continue": "formation continue", "epp": "EPP", "gestion_risques": "GDR"}


def french_date(day: date | str | None) -> str:
    """``2025-03-01`` -> ``1er mars 2025``."""
    if day is None:
        return "—"
    if isinstance(day, str):
        day = date.fromisoformat(day)
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {_MONTHS[day.month - 1]} {day.year}"


def _dates(start: str | None, end: str | None) -> str:
    if start and end and start != end:
        return f"du {french_date(start)} au {french_date(end)}"
    return french_date(start or end)


def _short_dates(start: str | None, end: str | None) -> str:
    """``du 12/03/2025 au 14/03/2025`` (two lines in a table), or the one day."""

    def short(text: str) -> str:
        return date.fromisoformat(text).strftime("%d/%m/%Y")

    if start and end and start != end:
        return f"du {short(start)}<br/>au {short(end)}"
    day = start or end
    return f"le {short(day)}" if day else "—"


def _labellisation(entry: Entry) -> str:
    if entry.labellisation == "de_fait":
        return "de fait"
    return {
        "granted": "accordée par le CNP",
        "pending": "à demander, en attente",
        "refused": "refusée par le CNP",
    }.get(entry.label_status, entry.label_status)


def _register_fonts() -> None:
    from reportlab import rl_config
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if _FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(rl_config.__file__).parent / "fonts"
    faces = {
        "": "Vera.ttf",
        "-Bold": "VeraBd.ttf",
        "-Italic": "VeraIt.ttf",
        "-BoldItalic": "VeraBI.ttf",
    }
    for suffix, name in faces.items():
        pdfmetrics.registerFont(TTFont(_FONT + suffix, str(folder / name)))
    addMapping(_FONT, 0, 0, _FONT)
    addMapping(_FONT, 1, 0, _FONT + "-Bold")
    addMapping(_FONT, 0, 1, _FONT + "-Italic")
    addMapping(_FONT, 1, 1, _FONT + "-BoldItalic")


def _escape(text: str | None) -> str:
    from xml.sax.saxutils import escape

    return escape(text or "")


def _story(
    ws: Workspace, progress: Progress, dpc: DpcStatus, size: float, produced: date
) -> list[Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

    base = ParagraphStyle("base", fontName=_FONT, fontSize=size, leading=size * 1.3)
    small = ParagraphStyle("small", parent=base, fontSize=size - 1, leading=(size - 1) * 1.25)
    title = ParagraphStyle(
        "title", parent=base, fontName=_FONT + "-Bold", fontSize=size + 7, leading=(size + 7) * 1.2
    )
    heading = ParagraphStyle(
        "heading",
        parent=base,
        fontName=_FONT + "-Bold",
        fontSize=size + 2,
        leading=(size + 2) * 1.3,
        spaceBefore=size * 0.9,
        spaceAfter=size * 0.3,
        textColor=colors.HexColor("#1f3a5f"),
    )
    right = ParagraphStyle("right", parent=small, alignment=TA_RIGHT)
    muted = colors.HexColor("#666666")
    rule = colors.HexColor("#b8c4d3")
    cycle = progress.cycle
    story: list[Any] = [
        Paragraph("Certification périodique des médecins généralistes", title),
        Paragraph(f"Relevé des actions du dossier, établi le {french_date(produced)}", small),
        Spacer(1, size),
    ]
    identity = [
        [
            "Médecin",
            Paragraph(
                f"<b>Dr {_escape(progress.first_name)} {_escape(progress.last_name)}</b>", base
            ),
        ],
        ["RPPS", Paragraph(progress.rpps, base)],
        [
            "Cycle",
            Paragraph(
                f"{_dates(cycle.start.isoformat(), cycle.end.isoformat())}"
                + (
                    " <i>(cycle supposé : date d’inscription à l’Ordre non connue)</i>"
                    if cycle.assumed
                    else ""
                ),
                base,
            ),
        ],
        [
            "Situation",
            Paragraph(_situation(progress), base),
        ],
    ]
    table = Table(identity, colWidths=[28 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (0, -1), _FONT, size),
                ("TEXTCOLOR", (0, 0), (0, -1), muted),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    story.append(table)

    proofs: list[Entry] = []
    for bloc in progress.blocs:
        entries = [e for e in progress.entries if (e.counted_in or e.bloc) == bloc.bloc]
        mark = "complet" if bloc.missing == 0 else f"{bloc.counted} sur {bloc.required}"
        parts: list[Any] = [
            Paragraph(
                f"Bloc {bloc.bloc} — {_escape(bloc.title)} <font size={size}>({mark})</font>",
                heading,
            )
        ]
        if not entries:
            parts.append(Paragraph("<i>Aucune action.</i>", small))
        else:
            rows: list[list[Any]] = [
                [
                    Paragraph(f"<b>{h}</b>", small)
                    for h in ("Action", "Intitulé", "Organisme", "Dates", "Labellisation")
                ]
            ]
            for entry in entries:
                proofs.append(entry)
                shown = entry.counted_as or entry.action
                state = _STATES.get(entry.state, entry.state)
                if entry.counted_as and entry.counted_as != entry.action:
                    state += f" au titre de {entry.counted_as} (déposée en {entry.action})"
                rows.append(
                    [
                        Paragraph(f"<b>{shown}</b>", small),
                        Paragraph(
                            f"{_escape(entry.title or '—')}<br/><font color='#666666'>"
                            f"{state} · preuve n° {len(proofs)}</font>",
                            small,
                        ),
                        Paragraph(_escape(entry.issuer or "—"), small),
                        Paragraph(_short_dates(entry.start, entry.end), small),
                        Paragraph(_labellisation(entry), small),
                    ]
                )
            grid = Table(
                rows, colWidths=[14 * mm, 64 * mm, 42 * mm, 28 * mm, 26 * mm], repeatRows=1
            )
            grid.setStyle(
                TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LINEBELOW", (0, 0), (-1, 0), 0.6, rule),
                        ("LINEBELOW", (0, 1), (-1, -1), 0.3, rule),
                        ("LEFTPADDING", (0, 0), (-1, -1), 2),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                        ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ]
                )
            )
            parts.append(grid)
        story.append(KeepTogether(parts))

    story.append(Paragraph("Développement professionnel continu (DPC)", heading))
    for period in dpc.periods:
        done = ", ".join(_TYPES_FR.get(t, t) for t in period.types_done) or "aucun"
        verdict = "obligation remplie" if period.valid else "obligation non démontrée"
        orientation = period.orientation or "non indiquée sur les attestations"
        story.append(
            Paragraph(
                f"<b>Période {period.name}</b>{' (en cours)' if period.current else ''} : "
                f"{len(period.actions)} action(s) DPC ; types couverts : {done} "
                f"({len(period.types_done)}, pour {period.min_types} requis) ; orientation "
                f"prioritaire : {_escape(orientation)} — {verdict}.",
                base,
            )
        )

    story.append(Paragraph("Preuves", heading))
    if not proofs:
        story.append(Paragraph("<i>Aucune preuve au dossier.</i>", small))
    else:
        rows = [[Paragraph(f"<b>{h}</b>", small) for h in ("N°", "Fichier", "SHA-256")]]
        for number, entry in enumerate(proofs, 1):
            digest = file_sha256(Path(entry.path)) or "fichier introuvable"
            rows.append(
                [
                    Paragraph(str(number), small),
                    Paragraph(
                        f"<font size={min(size - 2, 6)}>{_escape(Path(entry.path).name)}</font>",
                        small,
                    ),
                    Paragraph(
                        f"<font face='Courier' size={6}>{digest}</font>", small
                    ),
                ]
            )
        grid = Table(rows, colWidths=[8 * mm, 78 * mm, 88 * mm], repeatRows=1)
        grid.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.6, rule),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        story.append(grid)
    story.append(Spacer(1, size))
    story.append(
        Paragraph(
            f"Référentiel {ws.referentiel.version} ({_escape(ws.referentiel.status)}) ; règles de "
            f"certification {ws.certification.version}, DPC {ws.dpc.version}.",
            right,
        )
    )
    return story


def _situation(progress: Progress) -> str:
    if progress.complete:
        text = "<b>dossier complet</b> : chaque bloc compte ses actions requises."
    else:
        missing = "; ".join(
            f"bloc {b.bloc} : {b.missing} action{'s' if b.missing > 1 else ''}"
            for b in progress.blocs
            if b.missing
        )
        text = f"<b>reste à faire</b> — {missing}."
    if progress.pending:
        text += f" {progress.pending} action(s) en attente de labellisation par le CNP."
    if progress.at_risk:
        text += " <font color='#a01010'><b>Dossier à risque.</b></font>"
    return text


def _build(story: Sequence[Any], footer: str) -> tuple[bytes, int]:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    pages: list[int] = []

    def on_page(canvas: Any, doc: Any) -> None:
        pages.append(doc.page)
        canvas.saveState()
        canvas.setFont(_FONT, 7.5)
        canvas.setFillGray(0.4)
        canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"page {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title="Relevé de certification périodique",
        author="Secrétariat du CMG",
        invariant=True,
    )
    document.build(list(story), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue(), len(pages)


def summary_pdf(ws: Workspace, rpps: str) -> bytes:
    """The summary PDF of one physician (raises ``NotFound`` without dossier or roster entry)."""
    _register_fonts()
    progress = physician_progress(ws, rpps)
    dpc = dpc_of(ws, progress)
    produced = ws.day()
    footer = f"RPPS {progress.rpps} — relevé établi le {french_date(produced)}"
    data = b""
    for size in SIZES:
        data, pages = _build(_story(ws, progress, dpc, size, produced), footer)
        if pages <= MAX_PAGES:
            break
    return data
