"""Reading tests of a journal: Prescrire's "Test de lecture"."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from gen import dates
from gen.common import Sample, meta, rgb, signed_at
from gen.draw import GREY, Pdf
from gen.expect import Att
from gen.people import Person, name_as

RED = rgb(190, 20, 30)
ADDRESS = "Association Mieux Prescrire - 83 boulevard Voltaire - 75558 Paris Cedex 11"


@dataclass
class Test:
    """What a reading-test attestation says."""

    person: Person
    style: str
    rpps: bool
    year: int
    passed: bool
    period: str      # "year" (année 2024) or "span" (du 01/01/2024 au 31/12/2024)
    score: int
    subscriber: str

    @property
    def when(self) -> str:
        """The period as printed."""
        if self.period == "year":
            return f"l'année {self.year}"
        return (f"la période du {dates.num(date(self.year, 1, 1))} au "
                f"{dates.num(date(self.year, 12, 31))}")


def _result(t: Test) -> str:
    if t.passed:
        return (f"a satisfait aux épreuves du Test de lecture Prescrire pour {t.when}, avec un "
                f"taux de réponses exactes de {t.score} %, supérieur au seuil de réussite.")
    return (f"a participé au Test de lecture Prescrire pour {t.when} mais n'a pas atteint le "
            f"seuil de réussite (taux de réponses exactes : {t.score} %). Cette attestation ne "
            "vaut pas validation du Test de lecture.")


def _letter(pdf: Pdf, t: Test, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    s.text(50, 790, "Prescrire", "Times-Bold", 30, color=RED)
    s.text(52, 772, "Les Lectures Prescrire", "Times-Italic", 11, color=GREY)
    s.text(s.w - 50, 790, f"Abonné n° {t.subscriber}", "Helvetica", 9, "right")
    s.text(s.w / 2, 690, "ATTESTATION", "Helvetica-Bold", 18, "center")
    s.text(s.w / 2, 670, "Test de lecture Prescrire", "Helvetica", 13, "center", RED)
    ident = f" (RPPS {{{t.person.rpps}}})" if t.rpps else ""
    y = s.para(65, 610, s.w - 130, f"L'Association Mieux Prescrire, éditrice de la revue "
               f"Prescrire, atteste que **{{{name_as(t.person, t.style)}}}**{ident} {_result(t)}",
               "Helvetica", 11, align="justify", after=10)
    y = s.para(65, y, s.w - 130, "Le Test de lecture est un programme de formation "
               "individuelle par la lecture de la revue Prescrire : chaque mois, le participant "
               "répond à une série de questions portant sur le contenu du numéro.",
               "Helvetica", 10, align="justify", after=30)
    s.text(350, y, f"Paris, le {dates.long(signed)}", "Helvetica", 10.5)
    s.text(350, y - 15, "Pour l'Association Mieux Prescrire,", "Helvetica", 10.5)
    s.text(350, y - 29, "le Responsable des programmes", "Helvetica", 10.5)
    s.scribble(355, y - 65, 100, rng)
    s.text(s.w / 2, 40, ADDRESS, "Helvetica", 7.5, "center", GREY)


def _table(pdf: Pdf, t: Test, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    s.band(s.h - 70, 70, RED)
    s.text(50, s.h - 45, "Prescrire", "Times-Bold", 26, color=rgb(255, 255, 255))
    s.text(s.w - 50, s.h - 42, "Programme Les Lectures Prescrire", "Helvetica", 10, "right",
           rgb(255, 255, 255))
    s.text(s.w / 2, s.h - 130, "Attestation de réussite au Test de lecture", "Times-Bold", 18,
           "center")
    p = t.person
    rows = [["Nom", p.last], ["Prénom", p.first]]
    if t.rpps:
        rows.append(["N° RPPS", p.rpps])
    rows += [["N° d'abonné", t.subscriber], ["Programme", "Test de lecture Prescrire"],
             ["Année du test", str(t.year)] if t.period == "year" else
             ["Période", f"du {dates.num(date(t.year, 1, 1))} au "
              f"{dates.num(date(t.year, 12, 31))}"],
             ["Questions traitées", "11 séries"], ["Résultat", f"Réussi ({t.score} %)"]]
    y = s.table(90, s.h - 170, [150, s.w - 330], rows, "Times-Roman", 11.5, pad=6)
    y = s.para(90, y - 25, s.w - 180, "Le Test de lecture est réussi lorsque le taux de "
               "réponses exactes dépasse le seuil fixé par le comité pédagogique.",
               "Times-Roman", 10.5, after=30)
    s.text(s.w - 90, y, f"Paris, le {dates.num(signed)}", "Times-Roman", 11, "right")
    s.round_stamp(s.w - 150, y - 55, 34, "PRESCRIRE", "PARIS", RED)
    s.text(s.w / 2, 40, ADDRESS, "Times-Roman", 8, "center", GREY)


def _web(pdf: Pdf, t: Test, rng: random.Random, signed: date) -> None:
    s = pdf.page()
    s.text(50, 800, "prescrire.org - Espace abonné", "Courier-Bold", 11, color=RED)
    s.rule(50, 790, s.w - 50, 0.8, RED)
    s.text(50, 750, "Attestation - Test de lecture", "Helvetica-Bold", 15)
    p = t.person
    lines = [f"Participant : {name_as(p, t.style)}"]
    if t.rpps:
        lines.append(f"RPPS : {p.rpps}")
    lines += [f"Abonné : {t.subscriber}", f"Test de lecture {t.year}"]
    y = s.lines(50, 715, lines, "Courier", 10.5, 16)
    y = s.para(50, y - 10, s.w - 100, f"Le participant ci-dessus {_result(t)}", "Helvetica",
               10.5, after=14)
    s.text(50, y, f"Édité le {dates.iso(signed)} depuis l'espace abonné.", "Courier", 8.5,
           color=GREY)
    s.text(s.w / 2, 40, ADDRESS, "Helvetica", 7.5, "center", GREY)


LAYOUTS = {"letter": _letter, "table": _table, "web": _web}

# (layout, year, passed, period, style, rpps)
_SPECS = (
    ("letter", 2024, True, "year", "dr_mixed", False),
    ("table", 2023, True, "year", "plain", True),
    ("web", 2025, True, "year", "dr", False),
    ("table", 2024, True, "span", "plain", False),
    ("letter", 2025, False, "year", "dr", True),
)


def samples(roster: list[Person], rng: random.Random) -> list[Sample]:
    """The reading-test part of the corpus."""
    chosen = rng.sample([p for p in roster if p.last != "BERNARD"], len(_SPECS))
    out = []
    for index, (layout, year, passed, period, style, rpps) in enumerate(_SPECS):
        person = chosen[index]
        t = Test(person, style, rpps, year, passed, period,
                 rng.randrange(72, 95) if passed else rng.randrange(40, 60),
                 f"{rng.randrange(10**5, 10**6)}")
        end = date(year, 12, 31)
        signed = signed_at(date(year + 1, 1, 20), rng).date()
        pdf = Pdf(meta(("word", "acrobat", "chrome")[index % 3],
                       signed_at(date(year + 1, 1, 20), random.Random(index))))
        LAYOUTS[layout](pdf, t, rng, signed)
        start = date(year, 1, 1)
        if passed:
            att = Att("journal_test", start, end, "test_lecture", listed=True, person=person)
        else:
            printed = {"last_name": person.last, "first_name": person.first}
            if rpps:
                printed = {"rpps": person.rpps, **printed}
            att = Att("journal_test", start, end, "test_lecture", status="review",
                      reasons=["condition_not_shown"], printed=printed)
        state = "passed" if passed else "failed"
        out.append(Sample("journal_test", f"journal_test_{index + 1:02d}_prescrire_{year}_"
                          f"{layout}_{state}", pdf.finish(), [att], pdf.pages))
    return out
