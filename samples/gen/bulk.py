"""Bulk attestations for benchmarks: valid one-page attestations of the roster's physicians.

Each one takes a title, nature and theme the corpus already uses (so its expected result is
as certain as the corpus's), with a random physician, issuer, layout, name style and dates.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape

from gen import andpc, congress, journal, peers, qualiopi, university
from gen.common import Sample, meta, signed_at
from gen.corpus import DEFAULT_SEED, check
from gen.draw import Pdf
from gen.expect import Att
from gen.people import Person, build_roster

STYLES = ("dr", "docteur", "le_docteur", "civ", "civ_long", "last_first", "dr_last_first",
          "plain", "dr_mixed", "mixed", "upper")
SOFTWARE = ("word", "word2016", "libreoffice", "libreoffice24", "chrome", "wkhtml",
            "docusign", "acrobat", "quartz", "pdfcreator")
FIRST, LAST = date(2023, 1, 9), date(2026, 9, 30)


def _day(rng: random.Random, span_days: int = 0) -> date:
    latest = (LAST - FIRST).days - span_days
    return FIRST + timedelta(days=rng.randrange(latest))


class _Bulk:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.roster = build_roster()
        self.unique = [p for p in self.roster if p.last != "BERNARD"]
        self.odpcs = andpc.odpc_orgs(rng)
        self.fafs = andpc.faf_orgs(rng)
        self.trainers = qualiopi.orgs(rng)

    def person(self, named_only: bool) -> Person:
        return self.rng.choice(self.unique if named_only else self.roster)

    def pdf(self, end: date, pagesize: tuple[float, float] = A4) -> Pdf:
        return Pdf(meta(self.rng.choice(SOFTWARE), signed_at(end, self.rng)), pagesize,
                   compress=self.rng.random() < 0.8)

    def andpc(self) -> tuple[Pdf, Att]:
        rng = self.rng
        spec = rng.choice(andpc._SPECS)
        layout, nature, theme, title, start, end, form, _, _, _, esign = spec
        length = (end - start).days
        start = _day(rng, length)
        end = start + timedelta(days=length)
        if form in ("les", "le", "list3") and start.month != end.month:
            form = "long"
        ident = rng.choice(("rpps", "rpps", "rpps", "idnat", ""))
        person = self.person(named_only=not ident)
        org = rng.choice(self.fafs if layout == "faf" else self.odpcs)
        d = andpc.Dpc(org, person, rng.choice(STYLES), ident, title, nature, theme, start, end,
                      form, rng.choice((7, 14, 21)), rng.choice(("à Lyon", "à Paris", "à Lille")),
                      f"{org.odpc or '9900'}{start.year % 100:02d}{rng.randrange(1, 999):05d}",
                      str(rng.randrange(1, 9)), layout, "word", esign=esign)
        pdf = self.pdf(end)
        return pdf, andpc.render(pdf, d, rng)

    def qualiopi(self) -> tuple[Pdf, Att]:
        rng = self.rng
        layout, nature, theme, title, start, end, form, _, _, hours, objectives = rng.choice(
            qualiopi._SPECS)
        length = (end - start).days
        start = _day(rng, length)
        end = start + timedelta(days=length)
        if form in ("les", "le", "list3") and start.month != end.month:
            form = "long"
        rpps = rng.random() < 0.5
        person = self.person(named_only=not rpps)
        t = qualiopi.Training(rng.choice(self.trainers), person, rng.choice(STYLES), rpps, title,
                              nature, theme, start, end, form, hours, list(objectives),
                              rng.choice(qualiopi.CERTIFIERS), layout)
        pdf = self.pdf(end)
        qualiopi.LAYOUTS[layout](pdf, t, rng, signed_at(end, rng).date())
        return pdf, Att("qualiopi", start, end, nature, theme, person=person)

    def university(self) -> tuple[Pdf, Att]:
        rng = self.rng
        layout, kind, short, title, theme, year, jury, _, uni = rng.choice(university._SPECS)
        if year is not None:
            year = rng.choice((2023, 2024, 2025))
            jury = date(year + 1, rng.choice((6, 7, 9)), rng.randrange(1, 29))
        else:
            jury = _day(rng)
        person = self.person(named_only=True)
        d = university.Diploma(university.UNIVERSITIES[uni], person,
                               rng.choice(("civ", "civ_long", "plain", "last_first")), kind,
                               short, title, theme, year, jury, layout,
                               f"2{rng.randrange(10**6, 10**7)}")
        pdf = self.pdf(jury, landscape(A4) if layout == "diploma" else A4)
        university.LAYOUTS[layout](pdf, d, rng, signed_at(jury, rng, (10, 45)).date())
        start = date(year, 9, 1) if year else jury
        return pdf, Att("university", start, jury, "diplome", theme, person=person)

    def congress(self) -> tuple[Pdf, Att]:
        rng = self.rng
        e = congress.EVENTS[rng.choice(sorted(congress.EVENTS))]
        layout = rng.choice(sorted(congress.LAYOUTS))
        rpps = rng.random() < 0.3
        person = self.person(named_only=not rpps)
        pdf = self.pdf(e.end, landscape(A4) if layout == "landscape" else A4)
        congress.LAYOUTS[layout](pdf, e, person, rng.choice(STYLES), rpps, rng,
                                 signed_at(e.end, rng, (1, 30)).date())
        return pdf, Att("congress", e.start, e.end, "congres", "general", e.listed,
                        person=person)

    def journal(self) -> tuple[Pdf, Att]:
        rng = self.rng
        rpps = rng.random() < 0.4
        person = self.person(named_only=not rpps)
        year = rng.choice((2023, 2024, 2025))
        t = journal.Test(person, rng.choice(STYLES), rpps, year, True,
                         rng.choice(("year", "span")), rng.randrange(70, 98),
                         str(rng.randrange(10**5, 10**6)))
        pdf = self.pdf(date(year, 12, 31))
        journal.LAYOUTS[rng.choice(sorted(journal.LAYOUTS))](
            pdf, t, rng, signed_at(date(year + 1, 1, 20), rng).date())
        return pdf, Att("journal_test", date(year, 1, 1), date(year, 12, 31), "test_lecture",
                        listed=True, person=person)

    def peers(self) -> tuple[Pdf, Att]:
        rng = self.rng
        person = self.person(named_only=True)
        layout = rng.choice(sorted(peers.LAYOUTS))
        count = rng.randrange(4, 12)
        step = rng.choice((28, 35, 42))
        first = _day(rng, count * step)
        meetings = peers._meetings(first, count, step)
        society, short, group = {
            "sfmg": (peers.SFMG, "Groupe de Pairs®", "groupe de pairs de Quimper"),
            "balint": ("Société Médicale Balint", "Groupe Balint", "groupe Balint de Nantes"),
            "glap": ("Société de Formation Thérapeutique du Généraliste (SFTG)", "SFTG",
                     "groupe local d’amélioration des pratiques (GLAP) de Vincennes"),
        }[layout]
        g = peers.Group(society, short, group, "Dr Claire MOUTON", person,
                        rng.choice(STYLES), meetings, "list", layout, "general")
        pdf = self.pdf(meetings[-1])
        peers.LAYOUTS[layout](pdf, g, rng, signed_at(meetings[-1], rng, (3, 20)).date())
        return pdf, Att("peer_group", meetings[0], meetings[-1], "groupe_pairs",
                        person=person)


def generate_bulk(out: Path, n: int, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write ``n`` varied, valid one-page attestations of the roster's physicians.

    Files are ``bulk_00001_<family>.pdf`` with their ``.json`` expected result, directly
    under ``out``. Reproducible for a given seed.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    maker = _Bulk(random.Random(f"{seed}/bulk"))
    families: list[tuple[str, Callable[[], tuple[Pdf, Att]], int]] = [
        ("andpc", maker.andpc, 30), ("qualiopi", maker.qualiopi, 20),
        ("congress", maker.congress, 20), ("university", maker.university, 12),
        ("journal_test", maker.journal, 8), ("peer_group", maker.peers, 10),
    ]
    weights = [w for _, _, w in families]
    paths = []
    for index in range(1, n + 1):
        family, make, _ = maker.rng.choices(families, weights)[0]
        pdf, att = make()
        sample = Sample("", f"bulk_{index:05d}_{family}", pdf.finish(), [att], pdf.pages)
        check(maker.roster, [sample])
        path = out / f"{sample.name}.pdf"
        path.write_bytes(sample.data)
        expected = {"source": path.name, "attestations": [att.expected()]}
        path.with_suffix(".json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def generate_congress(out: Path, pages: int, seed: int = DEFAULT_SEED) -> Path:
    """Write one congress PDF of ``pages`` attendance attestations, one page each.

    The participants are the roster's physicians in turn, each with an RPPS; each round of
    the roster is a day earlier, so that every page is an attestation of its own (not the
    duplicate of another). For the splitting benchmark; reproducible for a given seed.
    """
    rng = random.Random(f"{seed}/congress/{pages}")
    roster = [p for p in build_roster() if p.last != "BERNARD"]
    e = congress.EVENTS["cmgf25"]
    pdf = Pdf(meta("indesign", signed_at(e.end, rng, (10, 11)), title=f"Attestations {e.edition}"))
    signed = signed_at(e.end, rng, (10, 11)).date()
    for page in range(pages):
        shift = timedelta(days=page // len(roster))
        day = replace(e, start=e.start - shift, end=e.end - shift, form="num")
        congress.LAYOUTS["banner"](pdf, day, roster[page % len(roster)], "dr", True, rng, signed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"congress_{pages}_pages.pdf"
    path.write_bytes(pdf.finish())
    return path
