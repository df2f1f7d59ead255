"""Expected results: the mapping spec applied to what a sample's generator printed."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from gen.people import Person

FIRST_DAY = date(2023, 1, 1)
LAST_DAY = date(2026, 10, 31)

DE_FAIT = "de_fait"
A_DEMANDER = "a_demander"


def candidates(family: str, nature: str, theme: str, listed: bool) -> tuple[
        list[tuple[int, str]], str]:
    """The candidates (most specific first) and the labellisation, per the mapping spec."""
    if family == "andpc":
        if theme == "professional_risks":
            second = (1, "A") if nature == "formation_continue" else (2, "A")
            return [(4, "E"), second], DE_FAIT
        if nature == "formation_continue":
            return [(1, "A")], DE_FAIT
        if nature == "epp" and theme == "relation_patients":
            return [(3, "A"), (2, "A")], DE_FAIT
        assert nature in ("epp", "gestion_risques", "programme_integre"), nature
        return [(2, "A")], DE_FAIT
    if family == "qualiopi":
        if theme == "professional_risks":
            return [(4, "A")], A_DEMANDER
        if nature == "epp" and theme == "relation_patients":
            return [(3, "B"), (2, "B")], A_DEMANDER
        if nature in ("epp", "gestion_risques"):
            return [(2, "B")], A_DEMANDER
        assert nature == "formation_continue", nature
        return [(1, "B")], A_DEMANDER
    if family == "university":
        # The Annexe 1 and 2 lists are not published: every diploma is to be labelled.
        if theme == "relation_patients":
            return [(3, "C")], A_DEMANDER
        return [(1, "C")], A_DEMANDER
    if family == "congress":
        label = DE_FAIT if listed else A_DEMANDER
        if nature == "congres_international":  # WONCA: also in 1.E's list (domain.md)
            return [(1, "D"), (1, "E")], label
        return [(1, "D")], label
    if family == "journal_test":
        return [(1, "H")], DE_FAIT if listed else A_DEMANDER
    if family == "peer_group":
        return [(2, "J"), (3, "G"), (4, "G")], DE_FAIT
    raise ValueError(family)


@dataclass
class Att:
    """One attestation as printed, and what the pipeline must conclude about it.

    ``person`` is the roster physician it is about when the pipeline must file it. For a
    review, ``printed`` holds the participant's fields as printed that are certain.
    """

    family: str
    start: date | None
    end: date | None
    nature: str = ""
    theme: str = "general"
    listed: bool = False
    person: Person | None = None
    status: str = "file"
    reasons: list[str] = field(default_factory=list)
    printed: dict[str, str] = field(default_factory=dict)
    pages: list[int] = field(default_factory=lambda: [1])
    check_theme: bool = True

    def expected(self) -> dict[str, Any]:
        """The JSON object of this attestation's expected result."""
        out: dict[str, Any] = {"pages": self.pages}
        if self.status == "reject":
            return {"pages": [], "status": "reject", "reasons": self.reasons}
        if self.family:
            out["family"] = self.family
        if self.status == "file":
            assert self.person is not None and self.start and self.end
            assert FIRST_DAY <= self.start <= self.end <= LAST_DAY, (self.start, self.end)
            out["participant"] = {"rpps": self.person.rpps, "last_name": self.person.last,
                                  "first_name": self.person.first}
        elif self.printed:
            out["participant"] = dict(self.printed)
        if self.start:
            out["start"] = self.start.isoformat()
        if self.end:
            out["end"] = self.end.isoformat()
        if self.status == "file":
            cands, label = candidates(self.family, self.nature, self.theme, self.listed)
            out["bloc"], out["action"] = cands[0]
            out["labellisation"] = label
            out["candidates"] = [[b, a] for b, a in cands]
        out["status"] = self.status
        out["reasons"] = list(self.reasons)
        return out


# ------------------------------------------------------------------ theme self-check


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("\u2019", "'")
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", text).split()) + " "


@dataclass
class _Theme:
    name: str
    plain: list[str]
    acronyms: list[re.Pattern[str]]
    exclude: list[str]


def _load_themes() -> list[_Theme]:
    path = (Path(__file__).resolve().parents[2] / "src" / "attest_pipeline" / "data"
            / "mapping.toml")
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))["themes"]
    themes = []
    for name in data["order"]:
        keywords = data[name]["keywords"]
        themes.append(_Theme(
            name,
            [_fold(k) for k in keywords if not k.isupper()],
            [re.compile(rf"\b{re.escape(k)}\b") for k in keywords if k.isupper()],
            [_fold(k) for k in data[name].get("exclude", [])],
        ))
    return themes


_THEMES = _load_themes()


def detect_theme(text: str) -> str:
    """The theme the shared keyword lists give for ``text`` (``general`` when none)."""
    folded = _fold(text)
    for theme in _THEMES:
        if any(e in folded for e in theme.exclude):
            continue
        if any(k in folded for k in theme.plain) or any(p.search(text) for p in theme.acronyms):
            return theme.name
    return "general"


def check_theme(att: Att, text: str, where: str) -> None:
    """Fail loudly when the printed text would give another theme than intended."""
    if not _THEMES or not att.check_theme:
        return
    found = detect_theme(text)
    if found != att.theme:
        raise AssertionError(f"{where}: theme {found!r} detected, {att.theme!r} intended")
