"""The roster of physicians, and how an attestation's participant is matched against it.

Two file formats are read, told apart by their header:

- a CSV file whose header names at least ``rpps``, ``last_name`` and ``first_name``, and
  optionally ``registered_on`` (the date of registration with the Ordre, ``2024-09-01`` or
  ``01/09/2024``; it decides the certification cycle); other columns are ignored; ``;``,
  ``,`` or tab as delimiter; UTF-8 with or without BOM, or Windows-1252 as Excel writes it;
- the ANS open-data extract of the RPPS directory (``PS_LibreAcces_Personne_activite``,
  ``|``-separated, one row per activity): rows of other professions than physicians
  (``Code profession`` 10) and rows identified by ADELI are skipped, and each RPPS is kept
  once.

A row whose RPPS fails its check makes the whole roster unusable: :class:`ConfigError`
names the line, so that the secretariat fixes the file rather than have attestations
filed against a wrong list.

One module (about 430 lines): the roster and the files it is read from, because the
matching relies on what loading guarantees (each RPPS valid and once, names as written).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from attest_pipeline.errors import ConfigError
from attest_pipeline.models import Physician, Problem
from attest_pipeline.reasons import Reason
from attest_pipeline.text.fold import fold
from attest_pipeline.text.identifiers import normalise_rpps, rpps_valid
from attest_pipeline.text.names import (
    NameKey,
    PersonName,
    compatible_person,
    could_be_a_name,
    name_key,
    name_readings,
)

if TYPE_CHECKING:
    from attest_pipeline.roster_search import RosterEvidence, RosterIndex

#: How many roster names a problem's detail lists at most.
_DETAIL_NAMES = 5


@dataclass(frozen=True, slots=True)
class Match:
    """The outcome of matching an attestation's participant against the roster.

    ``physician`` is the roster entry to file under, ``None`` whenever there is a
    problem. ``candidates`` are the roster entries concerned by the problem: the holder
    of the RPPS on ``participant_mismatch``, the homonyms on ``ambiguous_participant``.
    """

    physician: Physician | None
    problems: tuple[Problem, ...] = ()
    candidates: tuple[Physician, ...] = ()


def describe(physicians: Iterable[Physician]) -> str:
    """Name physicians for a problem's detail: ``NAME First (RPPS)``, at most a few."""
    listed = [f"{p.last_name} {p.first_name} ({p.rpps})" for p in physicians]
    if len(listed) > _DETAIL_NAMES:
        listed = [*listed[:_DETAIL_NAMES], f"and {len(listed) - _DETAIL_NAMES} more"]
    return ", ".join(listed)


class Roster:
    """The physicians whose attestations are filed, looked up by RPPS or by name.

    The name index is built on the first name lookup: a run that only meets RPPS never
    pays for it.
    """

    __slots__ = ("_by_family", "_by_name", "_by_rpps", "_keys", "_search", "physicians")

    def __init__(self, physicians: Iterable[Physician]) -> None:
        self.physicians: tuple[Physician, ...] = tuple(physicians)
        self._by_rpps = {p.rpps: p for p in self.physicians}
        self._keys: dict[str, NameKey] = {}
        self._by_name: dict[tuple[str, str], list[Physician]] = {}
        self._by_family: dict[str, list[Physician]] = {}
        self._search: RosterIndex | None = None

    def __len__(self) -> int:
        return len(self.physicians)

    def by_rpps(self, rpps: str) -> Physician | None:
        """Return the physician with this RPPS (as stored: 11 digits), if on the roster."""
        return self._by_rpps.get(rpps)

    def search(self, text: str, pages: Sequence[int] = ()) -> RosterEvidence:
        """Every physician of the roster that ``text`` names (see :mod:`.roster_search`).

        The search index is built on the first call.
        """
        if self._search is None:
            from attest_pipeline.roster_search import RosterIndex

            self._search = RosterIndex(self.physicians)
        return self._search.search(text, pages)

    def _index(self) -> None:
        if self._keys or not self.physicians:
            return
        for physician in self.physicians:
            key = name_key(physician.last_name, physician.first_name)
            self._keys[physician.rpps] = key
            for piece in key.pieces | {key.whole}:
                self._by_family.setdefault(piece, []).append(physician)
                if key.first:
                    self._by_name.setdefault((piece, key.first), []).append(physician)

    def by_name(self, last_name: str, first_name: str) -> tuple[Physician, ...]:
        """Return the physicians named so (see :func:`~attest_pipeline.text.names.same_person`)."""
        self._index()
        key = name_key(last_name, first_name)
        if not key.first:
            return ()
        found: dict[str, Physician] = {}
        for piece in key.pieces | {key.whole}:
            for physician in self._by_name.get((piece, key.first), ()):
                if key.same_family(self._keys[physician.rpps]):
                    found[physician.rpps] = physician
        return tuple(found.values())

    def by_family_name(self, last_name: str) -> tuple[Physician, ...]:
        """Return the physicians who share a family name with ``last_name``."""
        self._index()
        key = name_key(last_name, "")
        found: dict[str, Physician] = {}
        for piece in key.pieces | {key.whole}:
            for physician in self._by_family.get(piece, ()):
                if key.same_family(self._keys[physician.rpps]):
                    found[physician.rpps] = physician
        return tuple(found.values())

    def match(
        self,
        *,
        rpps: str | None,
        name: str | None,
        last_name: str | None = None,
        first_name: str | None = None,
    ) -> Match:
        """Match an attestation's participant against the roster.

        With an RPPS: ``invalid_rpps`` when it fails its check, ``unknown_participant``
        when it is not on the roster, ``participant_mismatch`` when the name read
        contradicts the roster's (a first name shortened or written with initials does
        not; a family name alone must be the holder's) or cannot be a person's name
        (digits, an endless word), else the physician. Without an RPPS, by name, ignoring
        case, accents, hyphens, apostrophes, civilities, order and married or compound names: one
        physician, ``ambiguous_participant`` (candidates listed) or
        ``unknown_participant``; no fuzzy matching (a typo goes to review). Neither an
        RPPS nor a name: ``missing_field`` with detail ``participant``. ``last_name`` and
        ``first_name``, when both given, are used instead of ``name``.
        """
        readings = _readings(name, last_name, first_name)
        shown = _shown(name, last_name, first_name)
        if rpps is not None and rpps.strip():
            return self._match_rpps(rpps, readings, shown)
        if not readings:
            return Match(None, (Problem(Reason.MISSING_FIELD, "participant"),))
        return self._match_name(readings, shown)

    def _match_rpps(self, raw: str, readings: Sequence[PersonName], shown: str) -> Match:
        rpps = normalise_rpps(raw)
        if not rpps_valid(rpps):
            cleaned = f" (read as {rpps})" if rpps != raw.strip() else ""
            detail = (
                f"RPPS {raw.strip()!r}{cleaned} is not 11 digits starting with 1 with a valid key"
            )
            return Match(None, (Problem(Reason.INVALID_RPPS, detail),))
        physician = self.by_rpps(rpps)
        if physician is None:
            detail = f"RPPS {rpps} is not on the roster"
            homonyms = self._name_matches(readings)
            if homonyms:
                detail += f"; the name {shown!r} matches {describe(homonyms)}"
            return Match(None, (Problem(Reason.UNKNOWN_PARTICIPANT, detail),))
        if shown and not (readings and could_be_a_name(shown)):
            # Something was read where the name stands, and it is no one's name (digits,
            # one endless word): it cannot confirm the RPPS, which may be misprinted.
            detail = (
                f"the attestation names {shown!r} with RPPS {rpps}, which cannot be a "
                f"person's name; the roster gives the RPPS to "
                f"{physician.last_name} {physician.first_name}"
            )
            return Match(None, (Problem(Reason.PARTICIPANT_MISMATCH, detail),), (physician,))
        agrees = any(
            compatible_person(r.last_name, r.first_name, physician.last_name, physician.first_name)
            for r in readings
        )
        if readings and not agrees:
            detail = (
                f"the attestation names {shown!r} with RPPS {rpps}, which the roster gives to "
                f"{physician.last_name} {physician.first_name}"
            )
            return Match(None, (Problem(Reason.PARTICIPANT_MISMATCH, detail),), (physician,))
        return Match(physician)

    def _name_matches(self, readings: Sequence[PersonName]) -> tuple[Physician, ...]:
        found: dict[str, Physician] = {}
        for reading in readings:
            for physician in self.by_name(reading.last_name, reading.first_name):
                found[physician.rpps] = physician
        return tuple(found.values())

    def _match_name(self, readings: Sequence[PersonName], shown: str) -> Match:
        found = self._name_matches(readings)
        if len(found) == 1:
            return Match(found[0])
        if found:
            detail = f"{len(found)} physicians of the roster match {shown!r}: {describe(found)}"
            return Match(None, (Problem(Reason.AMBIGUOUS_PARTICIPANT, detail),), found)
        family: dict[str, Physician] = {}
        for reading in readings:
            for physician in self.by_family_name(reading.last_name):
                family[physician.rpps] = physician
        if not any(name_key(r.last_name, r.first_name).first for r in readings) and family:
            same = tuple(family.values())
            detail = f"only a family name was read ({shown!r}); the roster has {describe(same)}"
            return Match(None, (Problem(Reason.AMBIGUOUS_PARTICIPANT, detail),), same)
        detail = f"no physician of the roster is named {shown!r}"
        if family:
            detail += f"; same family name: {describe(family.values())}"
        return Match(None, (Problem(Reason.UNKNOWN_PARTICIPANT, detail),))


def _readings(
    name: str | None, last_name: str | None, first_name: str | None
) -> tuple[PersonName, ...]:
    last = (last_name or "").strip()
    first = (first_name or "").strip()
    if last and first:
        return (PersonName(last, first),)
    if name and name.strip():
        readings = name_readings(name)
        if readings:
            return readings
    return (PersonName(last, first),) if last else ()


def _shown(name: str | None, last_name: str | None, first_name: str | None) -> str:
    if last_name and first_name:
        return f"{last_name.strip()} {first_name.strip()}"
    return " ".join((name or last_name or "").split())


# ------------------------------------------------------------------------------ loading

_REQUIRED = ("rpps", "last_name", "first_name")
#: The optional column with the date of registration with the Ordre.
_REGISTERED = "registered_on"
_ANS_ID = "identifiant pp"
_ANS_NATIONAL_ID = "identification nationale pp"
_ANS_LAST = "nom d'exercice"
_ANS_FIRST = "prenom d'exercice"
_ANS_ID_TYPE = "type d'identifiant pp"
_ANS_PROFESSION = "code profession"
_ANS_SHOWN = {_ANS_LAST: '"Nom d\'exercice"', _ANS_FIRST: '"Prénom d\'exercice"'}
#: In the ANS extract: identifier type of an RPPS, profession code of a physician.
_ANS_RPPS_TYPE = "8"
_ANS_PHYSICIAN = "10"


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ConfigError(path, "the roster is neither UTF-8 nor Windows-1252 text") from error


def _header(text: str) -> tuple[int, str]:
    """Return the 1-based number and the text of the first non-blank line."""
    for number, line in enumerate(io.StringIO(text), start=1):
        if line.strip():
            return number, line.rstrip("\r\n")
    return 0, ""


def _column(name: str) -> str:
    return " ".join(fold(name.strip().strip('"')).text.split())


def load_roster(path: Path) -> Roster:
    """Read the roster: a CSV with ``rpps,last_name,first_name`` or the ANS RPPS extract.

    Raises :class:`~attest_pipeline.errors.ConfigError` when the file cannot be read, a
    required column is missing, or a row holds an invalid RPPS, no family name, or an RPPS
    already given to another name (the message names the line).
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(path, f"cannot read the roster: {error.strerror or error}") from error
    text = _decode(path, data)
    header_line, header = _header(text)
    if not header:
        raise ConfigError(path, "the roster is empty")
    columns = [_column(c) for c in header.split("|")]
    if "|" in header and (_ANS_ID in columns or _ANS_NATIONAL_ID in columns):
        return Roster(_read_ans(path, text, header_line, columns))
    return Roster(_read_csv(path, text, header))


def _check(path: Path, line: int, raw_rpps: str, last_name: str) -> str:
    rpps = normalise_rpps(raw_rpps)
    if not rpps_valid(rpps):
        problem = f"invalid RPPS {raw_rpps.strip()!r} (11 digits starting with 1, Luhn key)"
        raise ConfigError(path, problem, line)
    if not last_name:
        raise ConfigError(path, f"RPPS {rpps} has no family name", line)
    return rpps


def _read_csv(path: Path, text: str, header: str) -> list[Physician]:
    delimiter = max(";,\t", key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns: list[str] = []
    for row in reader:
        if any(cell.strip() for cell in row):
            columns = [_column(cell).replace(" ", "_") for cell in row]
            break
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise ConfigError(
            path,
            f"missing column(s) {', '.join(missing)}: the header must name "
            "rpps, last_name and first_name",
            reader.line_num,
        )
    at = {name: columns.index(name) for name in _REQUIRED}
    registered_at = columns.index(_REGISTERED) if _REGISTERED in columns else None
    width = max(at.values()) + 1
    physicians: dict[str, tuple[Physician, int]] = {}
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        line = reader.line_num
        if len(row) < width:
            raise ConfigError(path, f"{len(row)} column(s) where {width} are needed", line)
        last_name = " ".join(row[at["last_name"]].split())
        first_name = " ".join(row[at["first_name"]].split())
        rpps = _check(path, line, row[at["rpps"]], last_name)
        registered = (
            _registered(path, line, row[registered_at])
            if registered_at is not None and registered_at < len(row)
            else None
        )
        physician = Physician(rpps, last_name, first_name, registered)
        known = physicians.get(rpps)
        if known is None:
            physicians[rpps] = (physician, line)
        elif name_key(*_names(known[0])) != name_key(last_name, first_name):
            problem = f"RPPS {rpps} is already given to another name on line {known[1]}"
            raise ConfigError(path, problem, line)
    return [physician for physician, _ in physicians.values()]


def _registered(path: Path, line: int, cell: str) -> date | None:
    """The registration date of a roster row (empty: not given)."""
    text = cell.strip()
    if not text:
        return None
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    raise ConfigError(
        path, f"registration date {text!r} is not a date (2024-09-01 or 01/09/2024)", line
    )


def _names(physician: Physician) -> tuple[str, str]:
    return physician.last_name, physician.first_name


def _read_ans(path: Path, text: str, header_line: int, columns: list[str]) -> list[Physician]:
    missing = [c for c in (_ANS_LAST, _ANS_FIRST) if c not in columns]
    if missing:
        names = ", ".join(_ANS_SHOWN[c] for c in missing)
        raise ConfigError(path, f"RPPS extract without the column(s) {names}", header_line)
    last_at, first_at = columns.index(_ANS_LAST), columns.index(_ANS_FIRST)
    id_at = columns.index(_ANS_ID) if _ANS_ID in columns else None
    national_at = columns.index(_ANS_NATIONAL_ID) if _ANS_NATIONAL_ID in columns else None
    type_at = columns.index(_ANS_ID_TYPE) if _ANS_ID_TYPE in columns else None
    profession_at = columns.index(_ANS_PROFESSION) if _ANS_PROFESSION in columns else None
    width = (
        max(
            i
            for i in (last_at, first_at, id_at, national_at, type_at, profession_at)
            if i is not None
        )
        + 1
    )
    physicians: dict[str, Physician] = {}
    lines = text.splitlines()
    for line_number in range(header_line, len(lines)):
        line = lines[line_number]
        if not line.strip():
            continue
        cells = line.split("|")
        if len(cells) < width:
            raise ConfigError(
                path, f"{len(cells)} field(s) where {width} are needed", line_number + 1
            )
        if type_at is not None and cells[type_at].strip() not in (_ANS_RPPS_TYPE, ""):
            continue
        if profession_at is not None and cells[profession_at].strip() not in (_ANS_PHYSICIAN, ""):
            continue
        raw = cells[id_at].strip() if id_at is not None else ""
        if not raw and national_at is not None:
            raw = cells[national_at].strip()
        if raw in physicians:
            continue
        last_name = " ".join(cells[last_at].split())
        rpps = _check(path, line_number + 1, raw, last_name)
        if rpps not in physicians:
            physicians[rpps] = Physician(rpps, last_name, " ".join(cells[first_at].split()))
    return list(physicians.values())
