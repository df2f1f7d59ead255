"""Peer groups: SFMG groupes de pairs, GLAP SFTG, FFGQ groupes qualité, Balint groups."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from gen import dates
from gen.common import Sample, meta, rgb, signed_at
from gen.draw import GREY, Pdf, register_ttf
from gen.expect import Att
from gen.people import Person, name_as


@dataclass
class Group:
    """What a peer-group attestation says."""

    society: str
    short: str
    group: str
    animator: str
    person: Person
    style: str
    meetings: list[date]
    show: str        # "list" (each meeting's date) or "period" (count and first-last)
    layout: str
    theme: str


def _meetings(start: date, count: int, step: int) -> list[date]:
    return [start + timedelta(days=step * k) for k in range(count)]


def _sfmg(pdf: Pdf, g: Group, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    color = rgb(0, 90, 160)
    s.logo("cross", 50, 755, 44, color, "")
    s.text(105, 790, g.society, "Helvetica-Bold", 12.5, color=color)
    s.text(105, 775, "141 avenue de Verdun - 92130 Issy-les-Moulineaux", "Helvetica", 8.5,
           color=GREY)
    s.text(s.w / 2, 690, "ATTESTATION DE PARTICIPATION", "Helvetica-Bold", 16, "center")
    s.text(s.w / 2, 672, f"{g.short}", "Helvetica", 12, "center", color)
    n = len(g.meetings)
    y = s.para(60, 620, s.w - 120, f"Je soussigné, {g.animator}, animateur du {g.group}, "
               f"atteste que **{{{name_as(g.person, g.style)}}}** a participé à **{n} "
               f"réunions** du groupe, aux dates suivantes :", "Helvetica", 11,
               align="justify", after=6)
    for meeting in g.meetings:
        s.text(90, y, f"- {dates.num(meeting)}", "Helvetica", 10.5)
        y -= 14
    y = s.para(60, y - 10, s.w - 120, "Les réunions suivent la méthode du groupe de pairs "
               "(présentation de cas tirés au sort, comparaison des pratiques aux données "
               "de la science) conforme aux méthodes de la HAS.", "Helvetica", 10,
               align="justify", after=30)
    s.text(340, y, f"Fait le {dates.num(signed)}", "Helvetica", 10.5)
    s.text(340, y - 15, g.animator, "Helvetica", 10.5)
    s.scribble(345, y - 50, 100, rng)


def _balint(pdf: Pdf, g: Group, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    color = rgb(110, 50, 20)
    s.text(s.w / 2, 795, g.society.upper(), "Times-Bold", 15, "center", color)
    s.text(s.w / 2, 779, "Association reconnue - formation à la relation médecin-malade",
           "Times-Italic", 10.5, "center")
    s.rule(120, 770, s.w - 120, 0.8, color)
    s.text(s.w / 2, 720, "Attestation de participation à un groupe Balint", "Times-Bold", 17,
           "center")
    p = g.person
    rows = [["Participant", name_as(p, g.style)], ["Groupe", g.group[0].upper() + g.group[1:]],
            ["Leader(s)", g.animator], ["Nombre de séances", str(len(g.meetings))],
            ["Période", dates.span(g.meetings[0], g.meetings[-1], "long")],
            ["Durée des séances", "2 heures"]]
    y = s.table(80, 680, [150, s.w - 310], rows, "Times-Roman", 11.5, pad=6)
    y = s.para(80, y - 25, s.w - 160, "Le groupe Balint réunit des médecins autour de la "
               "présentation de cas cliniques, pour travailler la relation médecin-malade.",
               "Times-Roman", 11, align="justify", after=30)
    s.text(s.w - 80, y, f"Le {dates.long(signed)}", "Times-Roman", 11, "right")
    s.text(s.w - 80, y - 15, f"{g.animator}, leader du groupe", "Times-Roman", 11, "right")
    s.scribble(s.w - 200, y - 50, 100, rng)


def _glap(pdf: Pdf, g: Group, rng: random.Random, signed: date) -> None:
    # Exported from a word processor with an embedded font and typographic apostrophes.
    register_ttf()
    font = "Vera"
    s = pdf.page()
    color = rgb(20, 120, 90)
    s.logo("leaf", 50, 770, 36, color, g.short)
    s.text(s.w - 50, 790, g.society, font, 8.5, "right", GREY)
    s.text(50, 720, "Attestation", "VeraBd", 19)
    s.text(50, 700, g.group, font, 11.5, color=color)
    n = len(g.meetings)
    name = name_as(g.person, g.style).replace("'", "’")
    y = s.para(50, 650, s.w - 100, f"{{{name}}} a participé à {n} "
               f"réunions du {g.group} {{{dates.span(g.meetings[0], g.meetings[-1], 'num')}}}"
               ".", font, 11, align="justify", after=10)
    y = s.para(50, y, s.w - 100, "Chaque réunion, d’une durée de deux heures, porte sur "
               "l’analyse de dossiers de patients et l’élaboration d’actions d’amélioration "
               "des pratiques selon une méthode validée par la HAS.", font, 10,
               align="justify", after=30)
    s.text(50, y, f"Le {dates.num(signed)}, pour le bureau : {g.animator}", font, 10)
    s.scribble(60, y - 40, 100, rng)
    s.text(s.w / 2, 40, g.society, font, 7, "center", GREY)


LAYOUTS = {"sfmg": _sfmg, "balint": _balint, "glap": _glap}

SFMG = "Société Française de Médecine Générale (SFMG)"


def samples(roster: list[Person], rng: random.Random) -> list[Sample]:
    """The peer-group part of the corpus."""
    chosen = rng.sample([p for p in roster if p.last != "BERNARD"], 6)
    specs = [
        ("sfmg", SFMG, "Groupe de Pairs®", "groupe de pairs de Vannes", "Dr Gwenaël RIOU",
         "dr", _meetings(date(2024, 1, 18), 8, 42), "general"),
        ("balint", "Société Médicale Balint", "Groupe Balint", "groupe Balint de Grenoble",
         "Dr Martine OLLIER et Dr Jacques BRUN", "plain",
         _meetings(date(2024, 9, 12), 10, 28), "relation_patients"),
        ("glap", "Société de Formation Thérapeutique du Généraliste (SFTG)", "SFTG",
         "groupe local d’amélioration des pratiques (GLAP) de Montreuil", "Dr Sarah COHEN",
         "dr_mixed", _meetings(date(2025, 1, 14), 6, 63), "general"),
        ("sfmg", SFMG, "Groupe de Pairs®", "groupe de pairs d'Aurillac", "Dr Bernard VIGIER",
         "civ", _meetings(date(2025, 3, 6), 3, 56), "general"),
        ("balint", "Société Médicale Balint", "Groupe Balint", "groupe Balint de Lille-Métropole",
         "Dr Hélène DEVOS", "plain", _meetings(date(2023, 1, 5), 12, 28), "relation_patients"),
        ("glap", "Fédération Française des Groupes Qualité (FFGQ)", "FFGQ",
         "groupe qualité de Chalon-sur-Saône", "Dr Marc PELLETIER", "docteur",
         _meetings(date(2025, 9, 10), 5, 70), "general"),
    ]
    out = []
    for index, (layout, society, short, group, animator, style, meetings, theme) in \
            enumerate(specs):
        person = chosen[index]
        g = Group(society, short, group, animator, person, style, meetings,
                  "list" if layout == "sfmg" else "period", layout, theme)
        signed = signed_at(meetings[-1], rng, (3, 20)).date()
        pdf = Pdf(meta(("libreoffice", "word", "word2016")[index % 3],
                       signed_at(meetings[-1], random.Random(index), (3, 20))))
        LAYOUTS[layout](pdf, g, rng, signed)
        if len(meetings) >= 4:
            att = Att("peer_group", meetings[0], meetings[-1], "groupe_pairs", theme,
                      person=person)
        else:
            att = Att("peer_group", meetings[0], meetings[-1], "groupe_pairs", theme,
                      status="review", reasons=["condition_not_shown"],
                      printed={"last_name": person.last, "first_name": person.first})
        kind = {"sfmg": "sfmg", "balint": "balint", "glap": short.lower()}[layout]
        suffix = "_3_meetings" if len(meetings) < 4 else ""
        out.append(Sample("peer_group", f"peer_group_{index + 1:02d}_{kind}{suffix}",
                          pdf.finish(), [att], pdf.pages))
    return out
