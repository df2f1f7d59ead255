"""Variation mode: attestations generated along independent axes, for measuring generality.

Each document draws one value on every axis, independently:

- ``family``: andpc, qualiopi, congress, university, journal_test (a journal's reading
  test, over a calendar year), peer_group (4 to 10 meetings of a peer, Balint, GLAP or
  quality group); their fixed wording is :mod:`gen.wording`'s;
- ``language``: fr, or en: a congress's certificate of attendance in English (WONCA
  Europe 2026 in Paris); the other families are always French, and the axes say so;
- ``style``: the participant in a sentence (``certifie que Dr X a participé``) or in fields;
- ``arrangement`` (fields style): label and value on the same line, value on the next
  line, a dot leader, table columns (a header row over a value row), form fields
  (a filled, unflattened AcroForm; a DPC action's type then a ticked box, drawn at
  random among formation continue, EPP and risk management);
- ``label``: the wording of the participant's label (synonyms, English ones in English);
- ``name``: name order, case and civility (the sample roster's names: particles,
  apostrophes, compound and multi-word names);
- ``rpps``: the RPPS printed (plain, in groups, as IdNatPS) or not;
- ``dates``: slashes, dots, ISO, written; one day or several, across months; times beside;
- ``extra``: sentences of the wording holding the label words (``le participant nommé
  ci-après``...);
- ``signatory``: none named, a stranger, a physician of the roster;
- ``esign``: none, an electronic signature's time stamp printed, or a PAdES signature
  (pyHanko, :mod:`gen.esign`) over a visible signature block that prints its date in
  the document's date format: a date that is never the action's;
- ``count``: one to three attestations in the PDF; ``cover``: a cover letter in front;
- ``renderer``: reportlab; fpdf2 (an embedded TrueType font, other text operators);
  LibreOffice (a flat ODT converted by ``soffice``) or Chromium (HTML printed to PDF),
  both laying out flowing paragraphs and real tables (:mod:`gen.render`). A form is
  always written by reportlab (the only one here writing form fields): the axes say so;
- ``scan``: one document in twenty scanned (rendered, degraded, an image-only PDF, by
  ``samples/scan.py``), read by OCR; never an e-signed or a form one.

A renderer or a signer absent from the machine is never dropped in silence: its
documents are written by reportlab (unsigned), their axes say what was written, and the
manifest ``variations.json`` names what was not run, and why, for the report to say.
The expected result of each document is derived from what was generated, and written
beside it with its axes (``"axes"``), so that ``scripts/accuracy.py --variations`` can
report per axis.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from gen import esign, render
from gen.expect import Att
from gen.people import Person, build_roster, name_as
from gen.render import Flow
from gen.surfaces import PAGE_WIDTH, RIGHT_MARGIN, Fpdf, Page, Reportlab
from gen.wording import DPC_TYPES, LABELS_EN, Wording, bare, date_as, period, wording

AXES: dict[str, tuple[str, ...]] = {
    "family": ("andpc", "qualiopi", "congress", "university", "journal_test", "peer_group"),
    "language": ("fr", "en"),
    "style": ("sentence", "fields"),
    "arrangement": ("same_line", "next_line", "leader", "table", "form"),
    "label": ("Participant", "Participant(e)", "Nom et prénom", "Nom du participant",
              "Stagiaire", "Bénéficiaire", "Identité du participant"),
    "name": ("dr", "docteur", "le_docteur", "civ", "civ_long", "last_first", "dr_last_first",
             "plain", "mixed", "dr_mixed", "upper"),
    "rpps": ("plain", "grouped", "idnat", "none"),
    "dates": ("slash", "dotted", "iso", "written", "written_times", "slash_times"),
    "extra": ("none", "named_below", "each_participant", "names_below"),
    "signatory": ("none", "stranger", "roster"),
    "esign": ("none", "timestamp", "pades"),
    "count": ("1", "2", "3"),
    "cover": ("none", "letter"),
    "renderer": ("reportlab", "fpdf2", "libreoffice", "chromium"),
    "scan": ("none", "scanned"),
}  # fmt: skip
#: Axes whose values are not drawn evenly: a scan costs a second of OCR a page; the
#: English certificate is one congress in three.
WEIGHTS: dict[str, tuple[int, ...]] = {"scan": (19, 1), "language": (2, 1)}
_FIRST, _LAST = date(2023, 2, 1), date(2026, 6, 30)
#: The time of day an e-signature prints beside its date.
SIGNED_AT = "10:12:33"


@dataclass
class Doc:
    """One generated document: its axes, PDF (or flow to render) and expected attestations."""

    axes: dict[str, str]
    data: bytes
    atts: list[Att]
    flow: Flow | None = None
    signed: str = ""  # the time stamp its e-signature blocks print
    not_run: dict[str, str] = field(default_factory=dict)


def _rpps(person: Person, form: str) -> str:
    r = person.rpps
    if form == "grouped":
        return f"{r[:3]} {r[3:6]} {r[6:9]} {r[9:]}"
    if form == "idnat":
        return "8" + r
    return r


class _Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        roster = build_roster()
        self.roster = roster
        # Without an RPPS only a name identifies: leave out the homonyms.
        self.unique = [p for p in roster if p.last != "BERNARD"]

    def axes(self) -> dict[str, str]:
        axes = {
            axis: self.rng.choices(values, WEIGHTS.get(axis, (1,) * len(values)))[0]
            for axis, values in AXES.items()
        }
        if axes["family"] != "congress":
            axes["language"] = "fr"  # only the international congress writes English
        if axes["style"] == "fields" and axes["arrangement"] == "form":
            axes["renderer"] = "reportlab"  # the only renderer here that writes form fields
            axes["scan"] = "none"  # a scan of a form would show its values: not drawn here
        if axes["esign"] == "pades":
            axes["scan"] = "none"  # a scan keeps no signature
        return axes

    def dates(self) -> tuple[date, date]:
        start = _FIRST + timedelta(days=self.rng.randrange((_LAST - _FIRST).days))
        return start, start + timedelta(days=self.rng.choice((0, 0, 1, 2)))

    @staticmethod
    def surface(axes: dict[str, str], index: int) -> Reportlab | Fpdf | Flow:
        """The drawn renderer's surface (a flow for those rendering in batches)."""
        name, title = axes["renderer"], f"variation {index}"
        if name == "fpdf2":
            return Fpdf(title)
        if name in ("libreoffice", "chromium"):
            return Flow(name, title)
        return Reportlab(title)

    def document(self, index: int) -> Doc:
        axes = self.axes()
        pdf = self.surface(axes, index)
        count = int(axes["count"])
        people = self.rng.sample(self.unique if axes["rpps"] == "none" else self.roster, count)
        if len({p.last + p.first for p in people}) < count:
            people = people[:1]
        others = [p for p in self.unique if p not in people]
        signer = self.rng.choice(others)
        page = 1
        if axes["cover"] == "letter":
            self.cover(pdf, people[0])
            page += 1
        atts = []
        start, end = self.dates()
        words = wording(self.rng, axes["family"], axes["language"], start, end)
        signed = ""
        for person in people:
            att, signed = self.attestation(pdf, axes, person, signer, words)
            att.pages = [page]
            atts.append(att)
            page += 1
        data = pdf.finish()
        return Doc(axes, data, atts, pdf if isinstance(pdf, Flow) else None, signed)

    def cover(self, pdf: Reportlab | Fpdf | Flow, person: Person) -> None:
        p = Page(pdf)
        for text in ("Secrétariat des formations", "Rennes, le 2 juillet 2026",
                     f"Docteur {person.first} {person.last}", "12 rue des Lilas",
                     "35000 Rennes", "Objet : envoi de votre document",
                     "Chère Consœur, cher Confrère,",
                     "Nous avons le plaisir de vous adresser ci-joint le document demandé.",
                     "Veuillez agréer nos salutations confraternelles.", "Le secrétariat"):
            p.line(text)
        pdf.end_page()

    def attestation(self, pdf: Reportlab | Fpdf | Flow, axes: dict[str, str],
                    person: Person, signer: Person, w: Wording) -> tuple[Att, str]:
        """Write one attestation's page; its expected result and its e-signature's stamp."""
        p = Page(pdf)
        for text in w.lines:
            p.line(text)
        nature, action = w.nature, list(w.action)
        ticked = ""
        if axes["family"] == "andpc" and axes["style"] == "fields" and (
                axes["arrangement"] == "form"):
            # A form states the type of the action by a ticked box, not in its wording.
            ticked = self.rng.choice(sorted(DPC_TYPES))
            nature = DPC_TYPES[ticked][1]
            action[0] = action[0].replace(", de type formation continue,", ",")
        for text in w.extra[axes["extra"]]:
            p.line(text)
        name = name_as(person, axes["name"])
        rpps = _rpps(person, axes["rpps"]) if axes["rpps"] != "none" else ""
        dates = period(w.start, w.end, axes["dates"], w.english)
        if w.jury:
            dates = period(w.end, w.end, axes["dates"]).replace("le ", "du ", 1)
        first, *rest = action
        if axes["style"] == "sentence":
            with_rpps = f", RPPS {rpps}," if rpps else ""
            p.line(f"{w.subject} {w.certifies} {name}{with_rpps}")
            p.line(f"{w.verb} {first}")
            for text in rest:
                p.line(text)
            p.line(f"{w.done} {dates}.")
        else:
            p.line(f"{w.subject} {w.attests} {w.who} {w.verb}")
            p.line(first)
            for text in rest:
                p.line(text)
            if axes["arrangement"] != "table" or not w.table_dates:
                p.line(f"{w.done} {dates}.")
            self.fields(p, axes, w, person, name, rpps)
            if ticked:
                options = [(key, label) for key, (label, _) in sorted(DPC_TYPES.items())]
                p.boxes("Type d'action :", options, ticked)
        signed = self.signature(p, axes, signer, w)
        pdf.end_page()
        att = Att(axes["family"], w.start, w.end, nature, w.theme, w.listed, person=person)
        return att, signed

    def fields(self, p: Page, axes: dict[str, str], w: Wording, person: Person, name: str,
               rpps: str) -> None:
        arrangement, label = axes["arrangement"], axes["label"]
        if w.english:
            label = LABELS_EN[AXES["label"].index(label)]
        dates = bare(period(w.start, w.end, axes["dates"], w.english))
        if arrangement == "table":
            header = ["Last name", "First name"] if w.english else ["Nom", "Prénom"]
            values = [person.last, person.first]
            if rpps:
                header.append("RPPS number" if w.english else "N° RPPS")
                values.append(rpps)
            if w.table_dates:  # a diploma's dates are the academic year's
                header.append("Date(s)")
                values.append(dates)
            columns = [60.0, 190.0, 300.0, 400.0][: len(header)]
            if p.surface.width(values[-1]) > PAGE_WIDTH - RIGHT_MARGIN - columns[-1]:
                # A long last cell (dates written out, with times) would run off the
                # page (see Page.line): it goes in a table of its own below.
                p.cells(header[:-1], columns)
                p.cells(values[:-1], columns)
                header, values, columns = header[-1:], values[-1:], columns[:1]
            p.cells(header, columns)
            p.cells(values, columns)
            return
        if arrangement == "form":
            english = ("Last name :", "First name :", "RPPS number :")
            french = ("Nom :", "Prénom :", "N° RPPS :")
            last, first, number = english if w.english else french
            p.field(last, "nom", person.last)
            p.field(first, "prenom", person.first)
            if rpps:
                p.field(number, "rpps", rpps)
            return
        if arrangement == "same_line":
            p.line(f"{label} : {name}")
        elif arrangement == "next_line":
            p.line(f"{label} :")
            p.line(name)
        else:
            p.line(f"{label} ........................ {name}")
        if rpps:
            p.line(f"{'RPPS number' if w.english else 'N° RPPS'} : {rpps}")

    def signature(self, p: Page, axes: dict[str, str], signer: Person, w: Wording) -> str:
        """The place and date, the signatory, an e-signature; the stamp it prints."""
        day = w.end + timedelta(days=6)
        when = date_as(day, axes["dates"], w.english)
        p.line(f"Paris, {when}" if w.english else f"Fait à Rennes, le {day:%d/%m/%Y}")
        president = "The President" if w.english else "Le Président"
        signatory = {"stranger": "Dr Paul LEROY", "roster": f"Dr {signer.first} {signer.last}",
                     "none": ""}[axes["signatory"]]
        p.line(f"{president}, {signatory}" if signatory else president)
        if axes["esign"] == "timestamp":
            p.line(f"Signé électroniquement le {day.isoformat()} {SIGNED_AT}")
        if axes["esign"] != "pades":
            return ""
        # The block a PAdES signature is placed over, its date in the document's format.
        p.y -= 10
        p.line(f"{esign.ANCHOR} le {when} à {SIGNED_AT}")
        p.line(f"par {signatory or 'le Président'} - signature électronique avancée (PAdES)")
        p.y -= 56  # room for the signer's stamp, under the block
        return f"{when} {SIGNED_AT}"


def _finish(docs: list[Doc], index0: int, cache: Path | None) -> None:
    """Render the flows in one batch, then sign and scan: every ``doc.data`` complete."""
    flows = [doc for doc in docs if doc.flow is not None]
    for doc, data in zip(flows, render.render([d.flow for d in flows if d.flow], cache),
                         strict=True):
        doc.data = data
    for number, doc in enumerate(docs, start=index0):
        if doc.axes["esign"] == "pades":
            doc.data = esign.sign(doc.data, doc.signed, cache)
        if doc.axes["scan"] == "scanned":
            from scan import Scan, scan_pdf

            doc.data = scan_pdf(doc.data, Scan(f"variation/{number}"))


def _fallback(doc: Doc, index: int, reasons: dict[str, str]) -> None:
    """Write with reportlab (unsigned) what this machine cannot render or sign."""
    renderer = doc.axes["renderer"]
    if doc.flow is not None and reasons.get(f"renderer={renderer}"):
        surface = Reportlab(f"variation {index}")
        doc.flow.replay(surface)
        doc.data, doc.flow = surface.finish(), None
        doc.axes["renderer"] = "reportlab"
        doc.not_run[f"renderer={renderer}"] = reasons[f"renderer={renderer}"]
    if doc.axes["esign"] == "pades" and reasons.get("esign=pades"):
        doc.axes["esign"] = "block"
        doc.not_run["esign=pades"] = reasons["esign=pades"]


def unavailable() -> dict[str, str]:
    """The axis values this machine cannot produce, each with the reason."""
    reasons = {f"renderer={name}": render.missing(name) for name in ("libreoffice", "chromium")}
    reasons["esign=pades"] = esign.missing()
    return {value: why for value, why in reasons.items() if why}


def generate_variations(out: Path, n: int, seed: int,
                        cache: Path | None = render.CACHE) -> list[Path]:
    """Write ``n`` documents drawn along the axes, each beside its expected JSON and axes.

    Also writes ``variations.json``: the seed, and the axis values not run on this
    machine with their reason and number of documents (written by reportlab instead).
    ``cache`` keeps the PDFs of the slow renderers and of the signer between runs.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    maker = _Maker(random.Random(f"{seed}/variations"))
    reasons = unavailable()
    paths = []
    not_run: dict[str, dict[str, Any]] = {}
    batch = 250  # documents rendered per renderer call: memory stays small
    for first in range(1, n + 1, batch):
        docs = [maker.document(index) for index in range(first, min(n, first + batch - 1) + 1)]
        for index, doc in enumerate(docs, start=first):
            _fallback(doc, index, reasons)
            for value, why in doc.not_run.items():
                not_run.setdefault(value, {"reason": why, "documents": 0})["documents"] += 1
        _finish(docs, first, cache)
        for index, doc in enumerate(docs, start=first):
            path = out / f"variation_{index:05d}_{doc.axes['family']}.pdf"
            path.write_bytes(doc.data)
            expected: dict[str, Any] = {
                "source": path.name,
                "axes": doc.axes,
                "attestations": [att.expected() for att in doc.atts],
            }
            path.with_suffix(".json").write_text(
                json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            paths.append(path)
    manifest = {"seed": seed, "documents": n, "not_run": not_run}
    (out / "variations.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return paths
