"""Attendance attestations of congresses and scientific days, one page per participant."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from reportlab.lib.colors import white
from reportlab.lib.pagesizes import A4, landscape

from gen import dates
from gen.common import Sample, meta, rgb, signed_at
from gen.draw import GREY, Pdf
from gen.expect import Att
from gen.people import Person, name_as


@dataclass(frozen=True)
class Event:
    """A congress or scientific day."""

    name: str
    edition: str
    listed: bool
    start: date
    end: date
    form: str
    city: str
    venue: str
    organiser: str
    head: str
    head_title: str
    hours: str
    color: tuple[int, int, int]


EVENTS = {
    "cmgf25": Event("Congrès de la Médecine Générale France", "CMGF 2025", True,
                    date(2025, 3, 26), date(2025, 3, 28), "long", "Paris",
                    "Palais des Congrès de Paris", "Collège de la Médecine Générale",
                    "Dr Anne VERGNES", "Présidente du comité d'organisation", "18 heures",
                    (0, 120, 110)),
    "cmgf24": Event("Congrès de la Médecine Générale France", "CMGF 2024", True,
                    date(2024, 3, 20), date(2024, 3, 22), "num", "Paris",
                    "Palais des Congrès de Paris", "Collège de la Médecine Générale",
                    "Dr Anne VERGNES", "Présidente du comité d'organisation", "18 heures",
                    (0, 120, 110)),
    "mgfrance24": Event("Congrès MG France", "Congrès MG France 2024", True, date(2024, 11, 28),
                        date(2024, 11, 30), "long", "Nantes", "Cité des Congrès de Nantes",
                        "MG France", "Dr Yves LAPORTE", "Président", "15 heures",
                        (220, 80, 20)),
    "cnge23": Event("22e Congrès national du CNGE", "CNGE 2023", False, date(2023, 11, 29),
                    date(2023, 12, 1), "long", "Lille", "Lille Grand Palais",
                    "Collège National des Généralistes Enseignants (CNGE)",
                    "Pr Luc MARTINEAU", "Président du CNGE", "16 heures", (30, 60, 130)),
    "cnge24": Event("23e Congrès national du CNGE", "CNGE 2024", True, date(2024, 11, 27),
                    date(2024, 11, 29), "long", "Tours", "Vinci - Centre international de "
                    "congrès", "Collège National des Généralistes Enseignants (CNGE)",
                    "Pr Luc MARTINEAU", "Président du CNGE", "16 heures", (30, 60, 130)),
    "reagjir25": Event("Rencontres nationales ReAGJIR", "ReAGJIR 2025", True, date(2025, 6, 12),
                       date(2025, 6, 13), "les", "Bordeaux", "Palais des Congrès de Bordeaux",
                       "ReAGJIR", "Dr Clémence VASSEUR", "Présidente de ReAGJIR", "12 heures",
                       (120, 30, 120)),
    "reagjir23": Event("Rencontres nationales ReAGJIR", "ReAGJIR 2023", True, date(2023, 6, 1),
                       date(2023, 6, 2), "le", "Lyon", "Centre de Congrès de Lyon", "ReAGJIR",
                       "Dr Clémence VASSEUR", "Présidente de ReAGJIR", "12 heures",
                       (120, 30, 120)),
    "cpts24": Event("Journées nationales des CPTS", "JNCPTS 2024", True, date(2024, 5, 16),
                    date(2024, 5, 17), "long", "Lyon", "Centre de Congrès de Lyon",
                    "Fédération nationale des CPTS (FCPTS)", "M. Julien ARNAUD",
                    "Délégué général", "12 heures", (0, 140, 70)),
    "cds25": Event("Congrès national des centres de santé", "61e édition", True,
                   date(2025, 10, 16), date(2025, 10, 17), "long", "Paris",
                   "Espace Charenton", "Fédération nationale des centres de santé",
                   "Dr Hélène COLOMBANI", "Présidente", "12 heures", (200, 30, 60)),
    "jmgb25": Event("Journées de Médecine Générale de Bretagne", "JMGB 2025", False,
                    date(2025, 9, 30), date(2025, 10, 2), "long", "Saint-Malo",
                    "Palais du Grand Large", "Association des Généralistes de Bretagne",
                    "Dr Loïc TANGUY", "Président", "14 heures", (10, 80, 150)),
    "assises24": Event("Assises de la pédiatrie ambulatoire", "édition 2024", False,
                       date(2024, 2, 8), date(2024, 2, 10), "list3", "Angers",
                       "Centre de congrès Jean Monnier", "Pédiatrie Ambulatoire Ouest",
                       "Dr Sophie LANOË", "Présidente du comité scientifique", "17 heures",
                       (230, 150, 0)),
    "geriatrie25": Event("Journée régionale de gériatrie en soins primaires", "7e édition",
                         False, date(2025, 1, 14), date(2025, 1, 14), "weekday", "Dijon",
                         "Amphithéâtre de la Faculté des Sciences de Santé",
                         "Réseau Gériatrie Bourgogne", "Dr Paul VIDAL", "Coordonnateur",
                         "7 heures", (90, 90, 90)),
    "tabaco23": Event("Congrès francophone de tabacologie", "CFT 2023", False,
                      date(2023, 11, 16), date(2023, 11, 17), "num", "Marseille",
                      "Palais du Pharo", "Société francophone de tabacologie",
                      "Pr Alain DUROC", "Président", "12 heures", (100, 60, 30)),
}


def _when(e: Event) -> str:
    if e.form == "weekday":
        return f"le {dates.long(e.start, weekday=True)}"
    return dates.span(e.start, e.end, e.form)


def _banner(pdf: Pdf, e: Event, p: Person, style: str, rpps: bool, rng: random.Random,
            signed: date) -> None:
    s = pdf.page()
    color = rgb(*e.color)
    s.band(s.h - 150, 150, color)
    s.logo("rings", 50, s.h - 110, 60, white, "")
    s.text(130, s.h - 65, e.edition.upper(), "Helvetica-Bold", 26, color=white)
    s.text(130, s.h - 88, e.name, "Helvetica", 12, color=white)
    s.text(130, s.h - 106, f"{_when(e)} - {e.venue}", "Helvetica", 10, color=white)
    s.text(s.w / 2, s.h - 215, "ATTESTATION DE PRÉSENCE", "Helvetica-Bold", 20, "center")
    y = s.para(70, s.h - 270, s.w - 140, "Nous certifions que", "Helvetica", 12,
               align="center", after=8)
    s.text(s.w / 2, y, name_as(p, style), "Helvetica-Bold", 16, "center", color)
    y -= 22
    if rpps:
        s.text(s.w / 2, y, f"N° RPPS : {p.rpps}", "Helvetica", 11, "center")
        y -= 20
    y = s.para(70, y - 6, s.w - 140, f"a participé au {e.name} ({e.edition}) qui s'est tenu "
               f"{{{_when(e)}}} à {e.city} ({e.venue}).", "Helvetica", 12, align="center",
               after=6)
    y = s.para(70, y, s.w - 140, f"Durée de présence : {e.hours}.", "Helvetica", 12,
               align="center", after=40)
    s.text(s.w - 80, y, f"Fait à {e.city}, le {dates.num(signed)}", "Helvetica", 10.5, "right")
    s.text(s.w - 80, y - 16, f"{e.head}, {e.head_title.lower()}", "Helvetica", 10.5, "right")
    s.scribble(s.w - 200, y - 55, 110, rng)
    s.text(s.w / 2, 40, f"{e.organiser} - {e.edition}", "Helvetica", 8, "center", GREY)


def _landscape(pdf: Pdf, e: Event, p: Person, style: str, rpps: bool, rng: random.Random,
               signed: date) -> None:
    s = pdf.page(landscape(A4))
    color = rgb(*e.color)
    s.frame(25, color)
    s.logo("hexagon", 60, s.h - 120, 56, color, e.edition.split()[0][:4])
    s.text(s.w / 2, s.h - 90, e.organiser, "Times-Italic", 13, "center")
    s.text(s.w / 2, s.h - 150, "Attestation de présence", "Times-Bold", 30, "center", color)
    s.text(s.w / 2, s.h - 200, name_as(p, style), "Times-Bold", 22, "center")
    y = s.h - 226
    if rpps:
        s.text(s.w / 2, y, f"RPPS {p.rpps}", "Times-Roman", 12, "center")
        y -= 22
    y = s.para(100, y - 8, s.w - 200, f"a assisté aux {e.name} ({e.edition}), {{{_when(e)}}}, "
               f"{e.venue}, {e.city}.", "Times-Roman", 15, align="center", after=40) \
        if e.name.startswith(("Journées", "Rencontres", "Assises")) else s.para(
        100, y - 8, s.w - 200, f"a assisté au {e.name} ({e.edition}), {{{_when(e)}}}, "
        f"{e.venue}, {e.city}.", "Times-Roman", 15, align="center", after=40)
    s.text(s.w - 140, y, e.head_title, "Times-Italic", 12, "center")
    s.text(s.w - 140, y - 16, e.head, "Times-Roman", 12, "center")
    s.scribble(s.w - 190, y - 55, 100, rng)
    s.text(140, y, f"{e.city}, le {dates.long(signed)}", "Times-Roman", 12, "center")


def _letter(pdf: Pdf, e: Event, p: Person, style: str, rpps: bool, rng: random.Random,
            signed: date) -> None:
    s = pdf.page()
    s.lines(60, 790, [e.organiser, e.venue, e.city], "Times-Roman", 11)
    s.text(s.w - 60, 700, f"{e.city}, le {dates.long(signed)}", "Times-Roman", 11.5, "right")
    s.text(60, 640, "Objet : attestation de présence", "Times-Bold", 12)
    who = "Je soussignée" if e.head_title.startswith("Présidente") else "Je soussigné"
    ident = f" (RPPS {{{p.rpps}}})" if rpps else ""
    y = s.para(60, 600, s.w - 120, f"{who}, {e.head}, {e.head_title}, atteste que "
               f"{{{name_as(p, style)}}}{ident} a assisté à l'intégralité du {e.name} "
               f"({e.edition}), qui s'est déroulé {{{_when(e)}}} à {e.city}.", "Times-Roman",
               12, align="justify", after=10)
    y = s.para(60, y, s.w - 120, f"Le programme scientifique représentait {e.hours} de "
               "sessions plénières et d'ateliers.", "Times-Roman", 12, align="justify",
               after=10)
    y = s.para(60, y, s.w - 120, "Attestation établie à la demande de l'intéressé(e) pour "
               "servir et valoir ce que de droit.", "Times-Roman", 12, after=40)
    s.text(350, y, e.head, "Times-Roman", 12)
    s.text(350, y - 15, e.head_title, "Times-Italic", 11)
    s.scribble(355, y - 55, 100, rng)


def _ticket(pdf: Pdf, e: Event, p: Person, style: str, rpps: bool, rng: random.Random,
            signed: date) -> None:
    s = pdf.page()
    color = rgb(*e.color)
    s.logo("bars", 50, 770, 36, color, "billetterie")
    s.text(s.w - 50, 790, f"Commande n° {rng.randrange(10**7, 10**8)}", "Courier", 9, "right")
    s.rule(50, 755, s.w - 50, 1, color)
    s.text(50, 720, "Attestation de présence", "Helvetica-Bold", 18)
    s.text(50, 702, f"{e.name} - {e.edition}", "Helvetica", 11, color=color)
    rows = [["Participant", name_as(p, style)]]
    if rpps:
        rows.append(["RPPS", p.rpps])
    rows += [["Événement", e.name], ["Dates", _when(e)], ["Lieu", f"{e.venue}, {e.city}"],
             ["Badge", f"{rng.randrange(10**5, 10**6)} - contrôlé à l'entrée"],
             ["Présence", e.hours]]
    y = s.table(50, 680, [130, s.w - 230], rows, "Courier", 10, pad=6, shade_first=True)
    y = s.para(50, y - 25, s.w - 100, f"L'organisateur, {e.organiser}, certifie la présence "
               "du participant ci-dessus, attestée par le scan de son badge à chaque "
               "journée.", "Helvetica", 10, after=14)
    s.text(50, y, f"Document généré le {dates.num(signed)} - ne nécessite pas de signature.",
           "Helvetica-Oblique", 8.5, color=GREY)


LAYOUTS = {"banner": _banner, "landscape": _landscape, "letter": _letter, "ticket": _ticket}

# (event, layout, style, rpps, software)
_SINGLES: tuple[tuple[str, str, str, bool, str], ...] = (
    ("cmgf24", "banner", "dr", False, "indesign"),
    ("cnge23", "letter", "le_docteur", False, "word"),
    ("cnge24", "letter", "le_docteur", True, "word"),
    ("reagjir25", "landscape", "dr", False, "libreoffice"),
    ("reagjir23", "ticket", "plain", False, "chrome"),
    ("cpts24", "ticket", "mixed", False, "wkhtml"),
    ("cds25", "banner", "civ", True, "indesign"),
    ("jmgb25", "landscape", "upper", False, "quartz"),
    ("assises24", "letter", "docteur", False, "word2016"),
    ("geriatrie25", "banner", "dr_mixed", False, "libreoffice"),
    ("tabaco23", "ticket", "last_first", False, "chrome"),
    ("cnge24", "landscape", "dr", False, "pdfcreator"),
    ("cmgf25", "letter", "married", False, "word"),
)


def _att(e: Event, person: Person, page: int) -> Att:
    return Att("congress", e.start, e.end, "congres", "general", e.listed, person=person,
               pages=[page])


def _stranger(e: Event, person: Person, page: int, rpps: bool) -> Att:
    printed = {"last_name": person.last, "first_name": person.first}
    if rpps:
        printed = {"rpps": person.rpps, **printed}
    return Att("congress", e.start, e.end, "congres", "general", e.listed, status="review",
               reasons=["unknown_participant"], printed=printed, pages=[page])


def samples(roster: list[Person], strangers: list[Person], rng: random.Random) -> list[Sample]:
    """The congress part of the corpus."""
    from gen.andpc import _slug

    singles = [p for p in roster if p.last != "BERNARD"]
    chosen = rng.sample(singles, len(_SINGLES))
    married = next(p for p in roster if p.maiden)
    out = []
    for index, (key, layout, style, rpps, software) in enumerate(_SINGLES):
        e = EVENTS[key]
        person = married if style == "married" else chosen[index]
        signed = signed_at(e.end, rng, (1, 30)).date()
        pdf = Pdf(meta(software, signed_at(e.end, random.Random(index), (1, 30)),
                       title=f"Attestation {e.edition}"),
                  pagesize=landscape(A4) if layout == "landscape" else A4)
        LAYOUTS[layout](pdf, e, person, style, rpps, rng, signed)
        name = f"congress_{index + 1:02d}_{key}_{layout}"
        out.append(Sample("congress", name, pdf.finish(), [_att(e, person, 1)], pdf.pages))
    # A whole congress's attestations in one PDF, with the RPPS of each participant.
    e = EVENTS["cmgf25"]
    people = list(roster) + strangers[:3]
    rng.shuffle(people)
    pdf = Pdf(meta("indesign", signed_at(e.end, rng, (10, 11)), title="Attestations CMGF 2025",
                   author="Collège de la Médecine Générale"))
    atts = []
    signed = signed_at(e.end, rng, (10, 11)).date()
    for page, person in enumerate(people, start=1):
        _banner(pdf, e, person, "dr", True, rng, signed)
        atts.append(_att(e, person, page) if person in roster else
                    _stranger(e, person, page, True))
    out.append(Sample("congress", "congress_14_cmgf25_all_participants", pdf.finish(), atts,
                      pdf.pages))
    # Another one without RPPS: names only.
    e = EVENTS["mgfrance24"]
    people = [*rng.sample(singles, 11), strangers[3]]
    rng.shuffle(people)
    pdf = Pdf(meta("word", signed_at(e.end, rng, (5, 6)), title="Attestations de présence"))
    signed = signed_at(e.end, rng, (5, 6)).date()
    atts = []
    for page, person in enumerate(people, start=1):
        _letter(pdf, e, person, "dr_last_first", False, rng, signed)
        atts.append(_att(e, person, page) if person in roster else
                    _stranger(e, person, page, False))
    out.append(Sample("congress", f"congress_15_mgfrance24_{_slug('attestations presence')}",
                      pdf.finish(), atts, pdf.pages))
    return out
