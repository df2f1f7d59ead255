"""Variation mode: attestations generated along independent axes, for measuring generality.

Each document draws one value on every axis, independently:

- ``family``: andpc, qualiopi, congress, university (their fixed wording: issuer,
  markers, nature; a university's diplomas in general medicine or in the patient
  relationship, whose bloc differs);
- ``style``: the participant in a sentence (``certifie que Dr X a participé``) or in fields;
- ``arrangement`` (fields style): label and value on the same line, value on the next
  line, a dot leader, table columns (a header row over a value row), form fields
  (a filled, unflattened AcroForm; a DPC action's type then a ticked box, drawn at
  random among formation continue, EPP and risk management);
- ``label``: the wording of the participant's label (synonyms);
- ``name``: name order, case and civility (the sample roster's names: particles,
  apostrophes, compound and multi-word names);
- ``rpps``: the RPPS printed (plain, in groups, as IdNatPS) or not;
- ``dates``: slashes, dots, ISO, written; one day or several, across months; times beside;
- ``extra``: sentences of the wording holding the label words (``le participant nommé
  ci-après``...);
- ``signatory``: none named, a stranger, a physician of the roster;
- ``esign``: an electronic signature's time stamp, or none;
- ``count``: one to three attestations in the PDF; ``cover``: a cover letter in front;
- ``scan``: one document in twenty scanned (rendered, degraded, an image-only PDF, by
  ``samples/scan.py``), read by OCR.

- ``renderer``: reportlab or fpdf2 (another text layer: an embedded TrueType font, other
  text operators); a form is always written by reportlab (fpdf2 writes no form fields),
  and the axes say so. LibreOffice and Chromium renderers are not written.
The expected result of each document is derived from what was generated, and written
beside it with its axes (``"axes"``), so that ``scripts/accuracy.py --variations`` can
report per axis.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import reportlab
from reportlab.pdfgen import canvas

from gen.congress import EVENTS
from gen.expect import Att
from gen.people import Person, build_roster, name_as

AXES: dict[str, tuple[str, ...]] = {
    "family": ("andpc", "qualiopi", "congress", "university"),
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
    "esign": ("none", "timestamp"),
    "count": ("1", "2", "3"),
    "cover": ("none", "letter"),
    "renderer": ("reportlab", "fpdf2"),
    "scan": ("none", "scanned"),
}  # fmt: skip
#: Axes whose values are not drawn evenly: a scan costs a second of OCR a page.
WEIGHTS: dict[str, tuple[int, ...]] = {"scan": (19, 1)}
PAGE_WIDTH, PAGE_HEIGHT = 595.27, 841.89
RIGHT_MARGIN = 40.0

TITLES = (
    "Prise en charge de l'insuffisance cardiaque en ville",
    "Antibiothérapie raisonnée en soins primaires",
    "Asthme de l'enfant : diagnostic et traitement",
    "Hypertension artérielle : nouvelles recommandations",
    "Dépistage et suivi du diabète de type 2",
    "Lombalgies communes : prise en charge",
)
#: University diplomas: (title, theme); the theme decides 1.C or 3.C.
DIPLOMAS = (
    ("Médecine d'urgence", "general"),
    ("Échographie générale", "general"),
    ("Gynécologie-obstétrique pour le médecin généraliste", "general"),
    ("Éducation thérapeutique du patient", "relation_patients"),
    ("Médecine narrative et humanités médicales", "relation_patients"),
    ("Relation de soin et communication", "relation_patients"),
)
EXTRA = {
    "none": [],
    "named_below": ["Le participant nommé ci-après a suivi l'intégralité de l'action."],
    "each_participant": ["Chaque participant a reçu : le support de la formation."],
    "names_below": ["Le nom du participant et les dates figurent ci-dessous."],
}
#: The types of a DPC action a form offers as check boxes: (label, nature).
_DPC_TYPES = {
    "fc": ("Formation continue", "formation_continue"),
    "epp": ("Évaluation des pratiques professionnelles (EPP)", "epp"),
    "gdr": ("Gestion des risques", "gestion_risques"),
}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")  # fmt: skip
_FIRST, _LAST = date(2023, 2, 1), date(2026, 6, 30)


@dataclass
class Doc:
    """One generated document: its axes, PDF and expected attestations."""

    axes: dict[str, str]
    data: bytes
    atts: list[Att]


def _date(day: date, form: str) -> str:
    if form.startswith("slash"):
        return day.strftime("%d/%m/%Y")
    if form == "dotted":
        return day.strftime("%d.%m.%Y")
    if form == "iso":
        return day.isoformat()
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def _period(start: date, end: date, form: str) -> str:
    times = form.endswith("_times")
    if start == end:
        text = f"le {_date(start, form)}"
        return text + (" de 9h00 à 17h30" if times else "")
    first, last = _date(start, form), _date(end, form)
    if times:
        return f"du {first} à 9h00 au {last} à 17h30"
    return f"du {first} au {last}"


def _rpps(person: Person, form: str) -> str:
    r = person.rpps
    if form == "grouped":
        return f"{r[:3]} {r[3:6]} {r[6:9]} {r[9:]}"
    if form == "idnat":
        return "8" + r
    return r


class _Reportlab:
    """A PDF written by reportlab (form fields included)."""

    name = "reportlab"

    def __init__(self, title: str) -> None:
        self.buffer = io.BytesIO()
        self.pdf = canvas.Canvas(self.buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
                                 invariant=True)
        self.pdf.setTitle(title)
        self.fresh = True

    def text(self, x: float, y: float, text: str) -> None:
        if self.fresh:  # set on the page's first text: a font alone would make a page
            self.pdf.setFont("Helvetica", 10)
            self.fresh = False
        self.pdf.drawString(x, y, text)

    def width(self, text: str) -> float:
        return float(self.pdf.stringWidth(text, "Helvetica", 10))

    def field(self, name: str, label: str, value: str, x: float, y: float) -> None:
        self.pdf.acroForm.textfield(name=name, tooltip=label.rstrip(" :"), x=x, y=y - 4,
                                    width=300, height=15, value=value, borderWidth=0,
                                    fontSize=10)

    def checkbox(self, name: str, x: float, y: float, checked: bool) -> None:
        self.pdf.acroForm.checkbox(name=name, x=x, y=y - 2, size=10, checked=checked)

    def end_page(self) -> None:
        self.pdf.showPage()
        self.fresh = True

    def finish(self) -> bytes:
        self.pdf.save()
        return self.buffer.getvalue()


class _Fpdf:
    """A PDF written by fpdf2 (another text layer: embedded TrueType, other operators)."""

    name = "fpdf2"

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.set_title(title)
        self.pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=UTC))
        self.pdf.add_font("Vera", fname=str(Path(reportlab.__file__).parent / "fonts"
                                            / "Vera.ttf"))
        self.pdf.set_font("Vera", size=10)
        self.pdf.add_page()

    def text(self, x: float, y: float, text: str) -> None:
        self.pdf.text(x, PAGE_HEIGHT - y, text)

    def width(self, text: str) -> float:
        return float(self.pdf.get_string_width(text))

    def field(self, name: str, label: str, value: str, x: float, y: float) -> None:
        raise NotImplementedError("fpdf2 writes no form fields")  # never drawn: see axes

    def checkbox(self, name: str, x: float, y: float, checked: bool) -> None:
        raise NotImplementedError("fpdf2 writes no form fields")  # never drawn: see axes

    def end_page(self) -> None:
        self.pdf.add_page()

    def finish(self) -> bytes:
        # The page opened after the last one is left empty: drop it.
        self.pdf.pages.pop(self.pdf.page)
        self.pdf.page -= 1
        return bytes(self.pdf.output())


class _Page:
    """Lines written top to bottom, at a left margin, with fields when asked."""

    def __init__(self, surface: _Reportlab | _Fpdf) -> None:
        self.surface = surface
        self.y = 780.0

    def line(self, text: str, x: float = 60) -> None:
        # A line wider than the page is wrapped, as a word processor does: a text layer
        # would hold what runs off the page, a scan of it would not.
        while self.surface.width(text) > PAGE_WIDTH - RIGHT_MARGIN - x and " " in text:
            cut = text.rindex(" ")
            while self.surface.width(text[:cut]) > PAGE_WIDTH - RIGHT_MARGIN - x:
                cut = text.rindex(" ", 0, cut)
            self.surface.text(x, self.y, text[:cut])
            self.y -= 16
            text = text[cut + 1 :]
        self.surface.text(x, self.y, text)
        self.y -= 16

    def cells(self, values: list[str], columns: list[float]) -> None:
        for x, value in zip(columns, values, strict=False):
            self.surface.text(x, self.y, value)
        self.y -= 18

    def field(self, label: str, name: str, value: str) -> None:
        self.surface.text(60, self.y, label)
        self.surface.field(name, label, value, 170, self.y)
        self.y -= 22

    def boxes(self, question: str, options: list[tuple[str, str]], ticked: str) -> None:
        """A question over a group of check boxes, ``ticked`` the one ticked."""
        self.line(question)
        for name, label in options:
            self.surface.checkbox(name, 60, self.y, name == ticked)
            self.surface.text(76, self.y, label)
            self.y -= 18


class _Maker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        roster = build_roster()
        self.roster = roster
        # Without an RPPS only a name identifies: leave out the homonyms.
        self.unique = [p for p in roster if p.last != "BERNARD"]

    def axes(self) -> dict[str, str]:
        return {
            axis: self.rng.choices(values, WEIGHTS.get(axis, (1,) * len(values)))[0]
            for axis, values in AXES.items()
        }

    def dates(self) -> tuple[date, date]:
        start = _FIRST + timedelta(days=self.rng.randrange((_LAST - _FIRST).days))
        return start, start + timedelta(days=self.rng.choice((0, 0, 1, 2)))

    def document(self, index: int) -> Doc:
        axes = self.axes()
        if axes["style"] == "fields" and axes["arrangement"] == "form":
            axes["renderer"] = "reportlab"  # the only renderer here that writes form fields
            axes["scan"] = "none"  # a scan of a form would show its values: not drawn here
        pdf: _Reportlab | _Fpdf = (_Fpdf if axes["renderer"] == "fpdf2" else _Reportlab)(
            f"variation {index}"
        )
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
        title = self.rng.choice(TITLES)
        for person in people:
            att = self.attestation(pdf, axes, person, signer, start, end, title)
            att.pages = [page]
            atts.append(att)
            page += 1
        data = pdf.finish()
        if axes["scan"] == "scanned":
            from scan import Scan, scan_pdf

            data = scan_pdf(data, Scan(f"variation/{index}"))
        return Doc(axes, data, atts)

    def cover(self, pdf: _Reportlab | _Fpdf, person: Person) -> None:
        p = _Page(pdf)
        for text in ("Secrétariat des formations", "Rennes, le 2 juillet 2026",
                     f"Docteur {person.first} {person.last}", "12 rue des Lilas",
                     "35000 Rennes", "Objet : envoi de votre document",
                     "Chère Consœur, cher Confrère,",
                     "Nous avons le plaisir de vous adresser ci-joint le document demandé.",
                     "Veuillez agréer nos salutations confraternelles.", "Le secrétariat"):
            p.line(text)
        pdf.end_page()

    def attestation(self, pdf: _Reportlab | _Fpdf, axes: dict[str, str], person: Person,
                    signer: Person, start: date, end: date, title: str) -> Att:
        family = axes["family"]
        event: Any = None
        theme = "general"
        if family == "congress":
            event = EVENTS[self.rng.choice(sorted(k for k, e in EVENTS.items() if e.listed))]
            start, end = event.start, event.end
        if family == "university":
            # The academic year runs from September to the jury, which proves the diploma.
            title, theme = self.rng.choice(DIPLOMAS)
            start = date(self.rng.choice((2023, 2024, 2025)), 9, 1)
            end = start.replace(year=start.year + 1, month=6, day=self.rng.randrange(1, 29))
            event = start.year
        p = _Page(pdf)
        heading, wording, nature = self.header(p, family, title, event)
        ticked = ""
        if family == "andpc" and axes["style"] == "fields" and axes["arrangement"] == "form":
            # A form states the type of the action by a ticked box, not in its wording.
            ticked = self.rng.choice(sorted(_DPC_TYPES))
            nature = _DPC_TYPES[ticked][1]
            wording = wording.replace(", de type formation continue", "")
        for text in EXTRA[axes["extra"]]:
            p.line(text)
        name = name_as(person, axes["name"])
        rpps = _rpps(person, axes["rpps"]) if axes["rpps"] != "none" else ""
        dates = _period(start, end, axes["dates"])
        verb, done = "a participé à", "qui s'est déroulée"
        if family == "university":
            verb, done = "a été déclaré(e) admis(e) au", "après délibération du jury"
            dates = _period(end, end, axes["dates"]).replace("le ", "du ", 1)
        first, *rest = wording.split("\n")
        if axes["style"] == "sentence":
            with_rpps = f", RPPS {rpps}," if rpps else ""
            p.line(f"{heading} certifie que {name}{with_rpps}")
            p.line(f"{verb} {first}")
            for text in rest:
                p.line(text)
            p.line(f"{done} {dates}.")
        else:
            who = "le candidat désigné ci-dessous" if family == "university" else (
                "le participant désigné ci-dessous")
            p.line(f"{heading} atteste que {who} {verb}")
            p.line(first)
            for text in rest:
                p.line(text)
            if axes["arrangement"] != "table" or family == "university":
                p.line(f"{done} {dates}.")
            self.fields(p, axes, person, name, rpps, start, end)
            if ticked:
                options = [(key, label) for key, (label, _) in sorted(_DPC_TYPES.items())]
                p.boxes("Type d'action :", options, ticked)
        self.signature(p, axes, signer, end)
        pdf.end_page()
        if family == "andpc":
            return Att("andpc", start, end, nature, "general", person=person)
        if family == "qualiopi":
            return Att("qualiopi", start, end, nature, "general", person=person)
        if family == "university":
            return Att("university", start, end, "diplome", theme, person=person)
        return Att("congress", start, end, "congres", "general", True, person=person)

    def header(self, p: _Page, family: str, title: str, event: Any) -> tuple[str, str, str]:
        """Write the family's heading; the signatory's words, the action's, the nature."""
        if family == "andpc":
            for text in ("Association Formation Santé Ouest",
                         "Organisme de DPC enregistré auprès de l'ANDPC sous le n° 1187",
                         "ATTESTATION DE PARTICIPATION A UNE ACTION DE DPC"):
                p.line(text)
            number = f"1187{self.rng.randrange(10**6, 10**7)}"
            return ("L'organisme", f"l'action de DPC n° {number}, de type formation continue,\n"
                    f"« {title} »", "formation_continue")
        if family == "qualiopi":
            for text in ("Cap Santé Formation", "Organisme de formation certifié Qualiopi",
                         "ATTESTATION DE FIN DE FORMATION",
                         "(article L. 6353-1 du Code du travail)",
                         "Nature de l'action : action de formation"):
                p.line(text)
            return ("L'organisme de formation", f"la formation « {title} »",
                    "formation_continue")
        if family == "university":
            for text in ("UNIVERSITÉ DE RENNES", "Faculté de Médecine",
                         "ATTESTATION DE RÉUSSITE"):
                p.line(text)
            return ("Le Doyen de la Faculté de Médecine",
                    f"Diplôme d'université « {title} »,\n"
                    f"au titre de l'année universitaire {event}-{event + 1},", "diplome")
        for text in (f"{event.name} ({event.edition})", "ATTESTATION DE PRÉSENCE"):
            p.line(text)
        return ("Le comité d'organisation", f"{event.name} ({event.edition}) à {event.city}",
                "congres")

    def fields(self, p: _Page, axes: dict[str, str], person: Person, name: str, rpps: str,
               start: date, end: date) -> None:
        arrangement, label = axes["arrangement"], axes["label"]
        dates = _period(start, end, axes["dates"]).removeprefix("le ").removeprefix("du ")
        if arrangement == "table":
            header, values = ["Nom", "Prénom"], [person.last, person.first]
            if rpps:
                header.append("N° RPPS")
                values.append(rpps)
            if axes["family"] != "university":  # its dates are the academic year's
                header.append("Date(s)")
                values.append(dates)
            columns = [60.0, 190.0, 300.0, 400.0][: len(header)]
            if p.surface.width(values[-1]) > PAGE_WIDTH - RIGHT_MARGIN - columns[-1]:
                # A long last cell (dates written out, with times) would run off the
                # page (see _Page.line): it goes in a table of its own below.
                p.cells(header[:-1], columns)
                p.cells(values[:-1], columns)
                header, values, columns = header[-1:], values[-1:], columns[:1]
            p.cells(header, columns)
            p.cells(values, columns)
            return
        if arrangement == "form":
            p.field("Nom :", "nom", person.last)
            p.field("Prénom :", "prenom", person.first)
            if rpps:
                p.field("N° RPPS :", "rpps", rpps)
            return
        if arrangement == "same_line":
            p.line(f"{label} : {name}")
        elif arrangement == "next_line":
            p.line(f"{label} :")
            p.line(name)
        else:
            p.line(f"{label} ........................ {name}")
        if rpps:
            p.line(f"N° RPPS : {rpps}")

    def signature(self, p: _Page, axes: dict[str, str], signer: Person, end: date) -> None:
        signed = end + timedelta(days=6)
        p.line(f"Fait à Rennes, le {signed.strftime('%d/%m/%Y')}")
        if axes["signatory"] == "stranger":
            p.line("Le Président, Dr Paul LEROY")
        elif axes["signatory"] == "roster":
            p.line(f"Le Président, Dr {signer.first} {signer.last}")
        else:
            p.line("Le Président")
        if axes["esign"] == "timestamp":
            p.line(f"Signé électroniquement le {signed.isoformat()} 10:12:33")


def generate_variations(out: Path, n: int, seed: int) -> list[Path]:
    """Write ``n`` documents drawn along the axes, each beside its expected JSON and axes."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    maker = _Maker(random.Random(f"{seed}/variations"))
    paths = []
    for index in range(1, n + 1):
        doc = maker.document(index)
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
    return paths
