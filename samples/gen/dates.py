"""French date writing, the way attestations print dates."""

from __future__ import annotations

from datetime import date

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def day(d: date) -> str:
    """``1er`` or ``12``."""
    return "1er" if d.day == 1 else str(d.day)


def long(d: date, weekday: bool = False) -> str:
    """``12 mars 2025`` / ``1er avril 2025`` (``mercredi 12 mars 2025`` with weekday)."""
    text = f"{day(d)} {MONTHS[d.month - 1]} {d.year}"
    return f"{WEEKDAYS[d.weekday()]} {text}" if weekday else text


def num(d: date) -> str:
    """``12/03/2025``."""
    return d.strftime("%d/%m/%Y")


def iso(d: date) -> str:
    """``2025-03-12``."""
    return d.isoformat()


def span(start: date, end: date, form: str = "long") -> str:
    """A period written in one of the usual forms.

    ``long``: ``du 12 au 14 mars 2025`` / ``du 30 septembre au 2 octobre 2025`` /
    ``du 28 décembre 2024 au 3 janvier 2025`` (``le 12 mars 2025`` for one day);
    ``num``: ``du 12/03/2025 au 14/03/2025``; ``dash``: ``12/03/2025 - 14/03/2025``;
    ``les``: ``les 3 et 4 juin 2025``; ``le``: ``le 3 et 4 juin 2025``;
    ``list3``: ``les 12, 13 et 14 mars 2025``.
    """
    if form == "num":
        return f"du {num(start)} au {num(end)}" if start != end else f"le {num(start)}"
    if form == "dash":
        return f"{num(start)} - {num(end)}" if start != end else num(start)
    if form in ("les", "le"):
        assert start.month == end.month and (end - start).days == 1
        return f"{form} {day(start)} et {end.day} {MONTHS[end.month - 1]} {end.year}"
    if form == "list3":
        assert start.month == end.month and (end - start).days == 2
        return (f"les {day(start)}, {start.day + 1} et {end.day} "
                f"{MONTHS[end.month - 1]} {end.year}")
    if start == end:
        return f"le {long(start)}"
    if start.year != end.year:
        return f"du {long(start)} au {long(end)}"
    if start.month != end.month:
        return f"du {day(start)} {MONTHS[start.month - 1]} au {long(end)}"
    return f"du {day(start)} au {long(end)}"
