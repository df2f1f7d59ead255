"""University diplomas and attestations of success (DU, DIU, capacités, certificates)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4, landscape

from gen import dates
from gen.common import Sample, meta, rgb, signed_at
from gen.draw import GREY, Pdf
from gen.expect import Att
from gen.people import Person, name_as


@dataclass(frozen=True)
class University:
    """A university and its medical faculty."""

    name: str
    faculty: str
    city: str
    head: str
    dean: str
    color: tuple[int, int, int]


UNIVERSITIES = (
    University("Université de Rennes", "Faculté de Médecine", "Rennes", "Anne-Laure QUÉRÉ",
               "Pr Yves LE MOAL", (160, 20, 40)),
    University("Aix-Marseille Université", "Faculté des Sciences Médicales et Paramédicales",
               "Marseille", "Marc ORSINI", "Pr Laure SICARD", (0, 70, 140)),
    University("Université de Bordeaux", "Collège Sciences de la santé", "Bordeaux",
               "Hélène MARTY", "Pr Pierre DUBREUIL", (130, 0, 60)),
    University("Université Paris Cité", "UFR de Médecine", "Paris", "Vincent CARRÉ",
               "Pr Sophie NAVARRE", (0, 90, 90)),
    University("Université de Lille", "Faculté de Médecine Henri Warembourg", "Lille",
               "Bertrand DELAHAYE", "Pr Agnès WAUQUIER", (200, 60, 0)),
    University("Université de Montpellier", "Faculté de Médecine Montpellier-Nîmes",
               "Montpellier", "Christophe RAMEL", "Pr Isabelle VIDAL-PONS", (0, 110, 60)),
    University("Sorbonne Université", "Faculté de Santé", "Paris", "Claire ASTRUC",
               "Pr Henri VALLET", (40, 40, 110)),
    University("Université de Strasbourg", "Faculté de Médecine, Maïeutique et Sciences de la "
               "Santé", "Strasbourg", "Paul HEINTZ", "Pr Odile KLEIN", (90, 0, 90)),
    University("Université Claude Bernard Lyon 1", "UFR de Médecine Lyon-Est", "Lyon",
               "Mathilde BRUNEL", "Pr Gérard COSTE", (0, 60, 120)),
)


@dataclass
class Diploma:
    """What a university document says."""

    uni: University
    person: Person
    style: str
    kind: str          # "Diplôme d'Université", "Diplôme Inter-Universitaire", ...
    short: str         # "DU", "DIU", "Capacité", "Certificat"
    title: str
    theme: str
    year: int | None   # first year of the academic year, None when not shown
    jury: date
    layout: str
    student: str

    @property
    def academic(self) -> str:
        """``2023-2024``."""
        assert self.year
        return f"{self.year}-{self.year + 1}"

    def born(self, form: int) -> str:
        """The birth date and place in one of three forms."""
        p = self.person
        if form == 0:
            return f"{p.ne} le {dates.num(p.birth)} à {p.birthplace}"
        if form == 1:
            return f"{p.ne} le {dates.long(p.birth)} à {p.birthplace}"
        return f"{dates.num(p.birth)} - {p.birthplace}"


def _diploma(pdf: Pdf, d: Diploma, rng: random.Random, delivered: date) -> None:
    s = pdf.page(landscape(A4))
    color = rgb(*d.uni.color)
    s.frame(22, color)
    s.text(s.w / 2, s.h - 70, "RÉPUBLIQUE FRANÇAISE", "Times-Bold", 12, "center")
    s.text(s.w / 2, s.h - 86, "Ministère de l'Enseignement supérieur et de la Recherche",
           "Times-Italic", 10.5, "center")
    s.logo("shield", 60, s.h - 120, 52, color, "")
    s.text(s.w / 2, s.h - 120, d.uni.name.upper(), "Times-Bold", 17, "center", color)
    s.text(s.w / 2, s.h - 138, d.uni.faculty, "Times-Roman", 12, "center")
    s.text(s.w / 2, s.h - 185, d.kind.upper(), "Times-Bold", 24, "center")
    s.text(s.w / 2, s.h - 212, d.title, "Times-BoldItalic", 16, "center", color)
    visas = [
        "Vu le Code de l'éducation, notamment son article L. 613-2 ;",
        f"Vu la délibération du conseil d'administration portant création du {d.short} ;",
        f"Vu le procès-verbal du jury en date du {dates.long(d.jury)} ;",
    ]
    y = s.lines(90, s.h - 250, visas, "Times-Roman", 10.5, 14)
    p = d.person
    body = (f"Le {d.kind.lower()} est délivré à **{{{name_as(p, d.style)}}}**, "
            f"{{{d.born(0)}}}, au titre de {{l'année universitaire {d.academic}}}, "
            "pour en jouir avec les droits et prérogatives qui y sont attachés.")
    y = s.para(90, y - 14, s.w - 180, body, "Times-Roman", 13, align="center", after=16)
    s.text(s.w / 2, y, f"Fait à {d.uni.city}, le {dates.long(delivered)}", "Times-Roman", 11,
           "center")
    y -= 34
    s.text(150, y, "Le titulaire", "Times-Italic", 10.5, "center")
    s.text(s.w / 2, y, f"Le Doyen, {d.uni.dean}", "Times-Italic", 10.5, "center")
    s.text(s.w - 150, y, "Le Président de l'Université", "Times-Italic", 10.5, "center")
    s.text(s.w - 150, y - 13, d.uni.head, "Times-Roman", 10.5, "center")
    s.scribble(s.w / 2 - 40, y - 40, 80, rng)
    s.scribble(s.w - 190, y - 45, 80, rng)
    s.text(s.w - 40, 30, f"N° {rng.randrange(10**6, 10**7)}", "Courier", 8, "right", GREY)


def _letter(pdf: Pdf, d: Diploma, rng: random.Random, delivered: date) -> None:
    s = pdf.page()
    color = rgb(*d.uni.color)
    s.logo("shield", 50, 745, 46, color)
    s.text(108, 782, d.uni.name, "Helvetica-Bold", 13, color=color)
    s.text(108, 767, d.uni.faculty, "Helvetica", 10)
    s.text(108, 754, "Service de la formation continue - Diplômes d'université", "Helvetica",
           8.5, color=GREY)
    s.text(s.w / 2, 670, "ATTESTATION DE RÉUSSITE", "Helvetica-Bold", 17, "center")
    p = d.person
    when = (f"au titre de l'année universitaire {d.academic}, après délibération du jury du "
            f"{{{dates.long(d.jury)}}}") if d.year else (
            f"lors de la délibération du jury du {{{dates.long(d.jury)}}}")
    body = (f"Le Doyen de la {d.uni.faculty} ({d.uni.name}) atteste que "
            f"**{{{name_as(p, d.style)}}}**, {{{d.born(1)}}}, a été déclaré(e) admis(e) au "
            f"**{d.kind} {d.title}** {when}.")
    y = s.para(60, 610, s.w - 120, body, "Helvetica", 11, align="justify", after=10)
    y = s.para(60, y, s.w - 120, f"Mention : {rng.choice(('Passable', 'Assez bien', 'Bien'))}",
               "Helvetica", 11, after=10)
    y = s.para(60, y, s.w - 120, "Cette attestation est délivrée dans l'attente de la remise "
               "du diplôme et ne peut en aucun cas s'y substituer.", "Helvetica-Oblique", 10,
               after=30)
    s.text(330, y, f"{d.uni.city}, le {dates.num(delivered)}", "Helvetica", 10.5)
    s.text(330, y - 16, "Pour le Doyen et par délégation,", "Helvetica", 10.5)
    s.text(330, y - 30, "la Responsable du service", "Helvetica", 10.5)
    s.scribble(335, y - 66, 100, rng)
    s.text(s.w / 2, 40, f"{d.uni.faculty} - {d.uni.name} - {d.uni.city}", "Helvetica", 7.5,
           "center", GREY)


def _table(pdf: Pdf, d: Diploma, rng: random.Random, delivered: date) -> None:
    s = pdf.page()
    color = rgb(*d.uni.color)
    s.text(50, 795, d.uni.name.upper(), "Times-Bold", 14, color=color)
    s.text(50, 779, d.uni.faculty, "Times-Roman", 11)
    s.text(s.w - 50, 795, "Scolarité - Formation continue", "Times-Italic", 9.5, "right")
    s.rule(50, 768, s.w - 50, 1.2, color)
    s.text(s.w / 2, 720, "ATTESTATION", "Times-Bold", 20, "center")
    p = d.person
    rows = [
        ["Nom :", p.last if d.style != "married" else f"{p.married or p.maiden} née {p.last}"
         if p.married else f"{p.maiden} épouse {p.last}"],
        ["Prénom :", p.first],
        ["Date et lieu de naissance :", d.born(2)],
        ["N° étudiant :", d.student],
        ["Diplôme :", f"{d.kind} - {d.title}"],
    ]
    if d.year:
        rows.append(["Année universitaire :", d.academic])
    rows += [["Résultat :", "Admis(e)"], ["Date du jury :", dates.num(d.jury)]]
    y = s.table(70, 680, [170, s.w - 310], rows, "Times-Roman", 11.5, pad=6, grid=False)
    y = s.para(70, y - 25, s.w - 140, "La présente attestation est délivrée pour servir et "
               "valoir ce que de droit.", "Times-Roman", 11.5, after=30)
    s.text(330, y, f"À {d.uni.city}, le {dates.long(delivered)}", "Times-Roman", 11.5)
    s.text(330, y - 16, "Le Directeur de l'UFR,", "Times-Roman", 11.5)
    s.text(330, y - 32, d.uni.dean, "Times-Roman", 11.5)
    s.scribble(335, y - 70, 90, rng)
    s.text(s.w / 2, 40, f"Document édité le {dates.num(delivered)} - Apogée", "Times-Italic",
           8, "center", GREY)


def _certificate(pdf: Pdf, d: Diploma, rng: random.Random, delivered: date) -> None:
    s = pdf.page()
    color = rgb(*d.uni.color)
    s.band(s.h - 110, 110, color)
    s.logo("shield", 50, s.h - 95, 60, rgb(255, 255, 255))
    s.text(125, s.h - 55, d.uni.name, "Helvetica-Bold", 16, color=rgb(255, 255, 255))
    s.text(125, s.h - 74, d.uni.faculty, "Helvetica", 10.5, color=rgb(255, 255, 255))
    s.text(s.w / 2, s.h - 170, d.kind.upper(), "Helvetica-Bold", 15, "center")
    s.text(s.w / 2, s.h - 192, d.title, "Helvetica-Oblique", 13, "center", color)
    p = d.person
    y = s.para(70, s.h - 250, s.w - 140, f"Le jury, réuni le **{{{dates.long(d.jury)}}}**, a "
               f"déclaré admis(e) **{{{name_as(p, d.style)}}}**, {{{d.born(0)}}}, à l'issue "
               "des enseignements théoriques, du stage pratique et de la soutenance du mémoire.",
               "Helvetica", 11.5, align="justify", after=12)
    y = s.para(70, y, s.w - 140, "En foi de quoi le présent certificat lui est délivré.",
               "Helvetica", 11.5, after=40)
    s.text(90, y, "Le Responsable pédagogique", "Helvetica", 10)
    s.text(s.w - 90, y, "Le Président de l'Université", "Helvetica", 10, "right")
    s.text(s.w - 90, y - 14, d.uni.head, "Helvetica", 10, "right")
    s.scribble(100, y - 50, 90, rng)
    s.stamp(s.w - 300, y - 30, [f"Signé électroniquement par {d.uni.head}",
                                f"le {dates.iso(delivered)} 11:02:47",
                                "Service de signature de l'université"], 210)
    s.text(s.w / 2, 40, f"{d.uni.name} - {d.uni.city}", "Helvetica", 7.5, "center", GREY)


LAYOUTS = {"diploma": _diploma, "letter": _letter, "table": _table,
           "certificate": _certificate}

# (layout, kind, short, title, theme, year, jury, style, university index)
_SPECS: tuple[tuple[str, str, str, str, str, int | None, date, str, int], ...] = (
    ("diploma", "Diplôme d'Université", "DU",
     "Gynécologie-obstétrique pour le médecin généraliste", "general", 2023,
     date(2024, 6, 24), "civ", 0),
    ("letter", "Diplôme Inter-Universitaire", "DIU", "Échographie générale", "general", 2024,
     date(2025, 6, 26), "civ_long", 1),
    ("table", "Diplôme d'Université", "DU", "Médecine du sport", "general", 2023,
     date(2024, 9, 19), "plain", 2),
    ("diploma", "Diplôme d'Université", "DU", "Éducation thérapeutique du patient",
     "relation_patients", 2024, date(2025, 6, 12), "civ", 3),
    ("letter", "Diplôme d'Université", "DU",
     "Communication médecin-patient et relation de soin", "relation_patients", 2025,
     date(2026, 6, 18), "civ_long", 4),
    ("table", "Diplôme Inter-Universitaire", "DIU", "Soigner les soignants",
     "professional_risks", 2024, date(2025, 6, 5), "plain", 3),
    ("certificate", "Capacité de médecine", "Capacité", "Gérontologie", "general", None,
     date(2024, 10, 12), "civ", 5),
    ("diploma", "Diplôme d'Université", "DU", "Pédiatrie ambulatoire", "general", 2023,
     date(2024, 7, 2), "last_first", 5),
    ("letter", "Diplôme d'Université", "DU", "Tabacologie et aide au sevrage tabagique",
     "general", 2024, date(2025, 9, 25), "civ_long", 6),
    ("table", "Diplôme Inter-Universitaire", "DIU", "Entretien motivationnel",
     "relation_patients", 2025, date(2026, 6, 30), "plain", 7),
    ("certificate", "Certificat universitaire", "Certificat", "Soins palliatifs en ambulatoire",
     "general", None, date(2025, 10, 3), "civ_long", 8),
    ("letter", "Diplôme d'Université", "DU", "Allergologie pratique", "general", 2023,
     date(2024, 6, 20), "married", 8),
)


def samples(roster: list[Person], rng: random.Random) -> list[Sample]:
    """The university part of the corpus."""
    from gen.andpc import _slug

    chosen = rng.sample([p for p in roster if p.last != "BERNARD"], len(_SPECS))
    married = next(p for p in roster if p.married)
    software = {"diploma": "indesign", "letter": "word", "table": "dompdf",
                "certificate": "moodle"}
    out = []
    for index, spec in enumerate(_SPECS):
        layout, kind, short, title, theme, year, jury, style, uni = spec
        person = married if style == "married" else chosen[index]
        d = Diploma(UNIVERSITIES[uni], person, style, kind, short, title, theme, year, jury,
                    layout, f"2{rng.randrange(10**6, 10**7)}")
        delivered = signed_at(jury, rng, (10, 45)).date()
        pdf = Pdf(meta(software[layout], signed_at(jury, random.Random(index), (10, 45))),
                  pagesize=landscape(A4) if layout == "diploma" else A4)
        LAYOUTS[layout](pdf, d, rng, delivered)
        start = date(year, 9, 1) if year else jury
        att = Att("university", start, jury, "diplome", theme, person=person)
        out.append(Sample("university", f"university_{index + 1:02d}_{layout}_{_slug(title, 2)}",
                          pdf.finish(), [att], pdf.pages))
    return out
