r"""Declarative issuer templates: an issuer described in a TOML file instead of Python.

Many issuers only need "when these words are on the page, read these fields there". One
TOML file describes one issuer; every ``*.toml`` file of the configured template
directories (``[plugins] template_dirs``) becomes a :class:`TemplateIssuer` named
``template:<name>``, loaded after the Python plugins.

Schema (every key is checked; an unknown key is an error, so that a typo never passes
silently)::

    [issuer]
    name = "omnipratique"          # required: a-z, 0-9, "-", "_"; the issuer is template:<name>
    version = "1.0"                # shown as template:<name>@<version> in records
    family = "qualiopi"            # required: a Family value (andpc, qualiopi, university...)
    covers = "Omnipratique Académie, e-learning"   # shown by ``attest plugins``
    score = 0.85                   # identification score when it matches, in ]0, 1]; 0.8
    nature = "formation_continue"  # shortcut for [fields.nature] constant = ...

    [match]                        # phrases: case, accents, spacing, punctuation ignored
    all = ["Omnipratique", "certificat de réussite"]   # every one must be present
    any = ["e-learning", "en ligne"]                    # at least one, when given
    none = ["facture", "devis"]                          # none may be present

    [split]                        # optional: several attestations in one PDF
    per_page = true                # one attestation per page (pages without text skipped)
    # or: starts = ["Certificat de réussite"]  (a page holding one begins an attestation)

    [fields.participant]           # one table per field of Extraction
    after = "Stagiaire"            # the value follows this label (":" optional)...
    until = ["RPPS", "né le"]      # ...up to one of these, or the end of the line
    [fields.title]
    pattern = 'Formation\s*:\s*(?P<value>.+)'   # or a regex (the "value" group, else group 1)
    [fields.rpps]
    helper = "rpps"                # or one of the shared text helpers, on the whole text
    [fields.start]
    helper = "period"              # start and end of the action
    [fields.hours]
    after = "Durée"                # numbers: "7 h 30", "14 heures", "3,5"
    [fields.issuer]
    constant = "Omnipratique Académie"   # a fixed value (its evidence: the matched phrases)
    [extras.nda]
    helper = "nda"                 # extras: issuer-specific identifiers, kept as text

Field keys: ``pattern`` (a regex or a list, first match wins; case-insensitive unless
``ignore_case = false``), ``after`` (a label or a list of labels; the value is the rest of
the line, or the next line when the label ends its line), ``until`` (labels that end an
``after`` value), ``helper`` (see :data:`HELPERS`; with ``pattern`` or ``after`` it reads
the located text, else the whole attestation), ``labels`` (for the ``date`` and ``year``
helpers), ``markers`` (for ``person``), ``date_formats`` (``strptime`` formats tried on a
located date, ``%B`` accepting French month names; by default the shared French date
parser), ``map`` (located text to value, compared folded: an unmapped text gives nothing),
``constant``.

A value that cannot be read or converted is left out, never guessed: the core sends an
attestation with a missing required field to review.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, cast

from attest_pipeline.contract import Issuer
from attest_pipeline.errors import ConfigError, toml_error
from attest_pipeline.models import Document, Extraction, Family, Found, Identification, Nature
from attest_pipeline.text import dates, fold, identifiers, names, quantities

__all__ = [
    "HELPERS",
    "Template",
    "TemplateIssuer",
    "TemplateProblem",
    "load_template",
    "load_templates",
]

DEFAULT_SCORE = 0.8

#: The type of the value of each field of :class:`~attest_pipeline.models.Extraction`.
FIELD_KINDS: Mapping[str, type] = {
    "issuer": str,
    "participant": str,
    "last_name": str,
    "first_name": str,
    "rpps": str,
    "start": date,
    "end": date,
    "title": str,
    "reference": str,
    "nature": Nature,
    "theme": str,
    "event": str,
    "journal": str,
    "hours": float,
    "meetings": int,
}

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ISSUER_KEYS = frozenset({"name", "version", "family", "covers", "score", "nature"})
_MATCH_KEYS = frozenset({"all", "any", "none"})
_SPLIT_KEYS = frozenset({"per_page", "starts"})
_FIELD_KEYS = frozenset(
    {
        "pattern", "after", "until", "helper", "labels", "markers", "date_formats", "map",
        "constant", "ignore_case",
    }
)
_TOP_KEYS = frozenset({"issuer", "match", "split", "fields", "extras"})


# ------------------------------------------------------------------------------ helpers


@dataclass(frozen=True, slots=True)
class _Helper:
    """A shared text helper usable by name, and the kinds of field it can fill."""

    kinds: frozenset[type]
    run: Callable[[str, FieldRule], Found[Any] | None]
    needs_labels: bool = False
    only: frozenset[str] = frozenset()


def _as_text(found: Found[Any] | None) -> Found[Any] | None:
    return None if found is None else Found(str(found.value), found.evidence)


def _period(text: str, rule: FieldRule) -> Found[Any] | None:
    span = dates.find_period(text)
    if span is None:
        return None
    return Found(span.start if rule.name == "start" else span.end, span.evidence)


def _labelled_date(text: str, rule: FieldRule) -> Found[Any] | None:
    if rule.labels:
        return dates.find_labelled_date(text, rule.labels)
    value = dates.parse_date(text)
    return None if value is None else Found(value, text)


def _academic_year(text: str, rule: FieldRule) -> Found[Any] | None:
    found = dates.academic_year(text)
    if found is None:
        return None
    first, second = found.value
    return Found(f"{first}-{second}", found.evidence)


def _person(text: str, rule: FieldRule) -> Found[Any] | None:
    if rule.markers:
        return names.find_person(text, rule.markers)
    return names.find_person(text)


def _text_helper(function: Callable[[str], Found[Any] | None]) -> _Helper:
    return _Helper(frozenset({str}), lambda text, rule: _as_text(function(text)))


#: The shared helpers a template may name in ``helper = "..."``.
HELPERS: Mapping[str, _Helper] = {
    "person": _Helper(frozenset({str}), _person),
    "rpps": _text_helper(identifiers.find_rpps),
    "dpc_action": _text_helper(identifiers.find_dpc_action),
    "session": _text_helper(identifiers.find_session),
    "odpc": _text_helper(identifiers.find_odpc),
    "nda": _text_helper(identifiers.find_nda),
    "siret": _text_helper(identifiers.find_siret),
    "period": _Helper(frozenset({date}), _period, only=frozenset({"start", "end"})),
    "date": _Helper(frozenset({date}), _labelled_date),
    "year": _Helper(
        frozenset({str}),
        lambda text, rule: _as_text(dates.find_year(text, rule.labels)),
        needs_labels=True,
    ),
    "academic_year": _Helper(frozenset({str}), _academic_year),
    "hours": _Helper(frozenset({float}), lambda text, rule: quantities.find_hours(text)),
    "meetings": _Helper(frozenset({int}), lambda text, rule: quantities.find_meetings(text)),
}


# ------------------------------------------------------------------------- conversions

_FRENCH_MONTHS = {
    "janvier": "January", "fevrier": "February", "mars": "March", "avril": "April",
    "mai": "May", "juin": "June", "juillet": "July", "aout": "August",
    "septembre": "September", "octobre": "October", "novembre": "November",
    "decembre": "December", "janv": "Jan", "fevr": "Feb", "fev": "Feb", "avr": "Apr",
    "juil": "Jul", "sept": "Sep", "oct": "Oct", "nov": "Nov", "dec": "Dec",
}
_MONTH_WORD = re.compile(r"[a-z]+\.?")
_FIRST = re.compile(r"\b1er\b")
# A duration in hours: "7 h 30", "7h30", "14 heures", "3,5 h"; the unit must not begin a
# longer word ("2 hébergements").
_HOURS = re.compile(r"(\d+(?:[.,]\d+)?)\s*(?:heures?|hrs?|h)(?:\s*(\d{2})(?!\d)|(?![^\W\d_]))")
_NUMBER = re.compile(r"\s*(\d+(?:[.,]\d+)?)\s*")
_INTEGER = re.compile(r"\d+")
_EDGES = " \t\n:;,.-–—«»\"'()"


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(_EDGES)


def _strptime(text: str, formats: Sequence[str]) -> date | None:
    # strptime reads month names in the C locale: French names are turned into English
    # ones first, so that "%d %B %Y" reads "12 mars 2025".
    folded = fold.fold(_FIRST.sub("1", text)).text
    english = _MONTH_WORD.sub(
        lambda m: _FRENCH_MONTHS.get(m.group(0).rstrip("."), m.group(0)), folded
    )
    for form in formats:
        for candidate in (text, english):
            try:
                return datetime.strptime(candidate, form).date()
            except ValueError:
                continue
    return None


def _hours(text: str) -> float | None:
    match = _HOURS.search(text)
    if match is None:
        # A bare number is taken only when it is the whole value ("Durée (h) : 14").
        bare = _NUMBER.fullmatch(text)
        return float(bare.group(1).replace(",", ".")) if bare else None
    value = float(match.group(1).replace(",", "."))
    if match.group(2):
        minutes = int(match.group(2))
        if minutes >= 60:
            return None
        value += minutes / 60
    return value


def _convert(rule: FieldRule, text: str) -> object | None:
    """Convert the located ``text`` to the field's kind (``None`` when it is not one)."""
    if rule.kind is date:
        if rule.date_formats:
            return _strptime(text, rule.date_formats)
        return dates.parse_date(text)
    if rule.kind is float:
        return _hours(text)
    if rule.kind is int:
        match = _INTEGER.search(text)
        return int(match.group(0)) if match else None
    value = _clean(text)
    if not value:
        return None
    if rule.mapping:
        return rule.mapping.get(fold.normalise(value))
    if rule.kind is Nature:
        try:
            return Nature(fold.normalise(value).replace(" ", "_"))
        except ValueError:
            return None
    if rule.name == "rpps":
        return identifiers.normalise_rpps(value)
    return value


# ------------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class _Located:
    """A piece of the attestation a ``pattern`` or an ``after`` label points at."""

    value: str
    evidence: str


_NON_WORD = re.compile(r"[\W_]+")


def _tokens(text: str) -> list[str]:
    return _NON_WORD.sub(" ", fold.fold(text).text).split()


@lru_cache(maxsize=16)
def _words(text: str) -> str:
    """Reduce a text to its folded words between single spaces, padded with spaces.

    A phrase in the same form is then found with a plain substring search, a hundred
    times faster than a regex: every template's ``identify`` runs on every document.
    Cached, because every template asks for the same document's words in turn.
    """
    return " " + " ".join(_tokens(text)) + " "


def _phrase(phrase: str) -> str:
    """Return ``phrase`` in the form :func:`_words` gives, for a substring search."""
    return " " + " ".join(_tokens(phrase)) + " "


def _loose(phrase: str) -> str:
    """Return a regex source finding ``phrase`` in folded text, as :func:`_phrase` does.

    Case, accents, spacing and punctuation between the words do not matter.
    """
    body = r"[\W_]+".join(re.escape(word) for word in _tokens(phrase))
    return rf"(?<![^\W_]){body}(?![^\W_])"


@dataclass(frozen=True, slots=True)
class FieldRule:
    """How one field is read: where its text is, and how that text becomes a value."""

    name: str
    kind: type
    patterns: tuple[re.Pattern[str], ...] = ()
    labels_after: re.Pattern[str] | None = None
    until: re.Pattern[str] | None = None
    helper: str | None = None
    labels: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    mapping: Mapping[str, object] = field(default_factory=dict)
    constant: object | None = None

    def read(self, text: str, keywords: str) -> Found[Any] | None:
        """Read the field's value in ``text``; ``keywords`` is the evidence of a constant."""
        if self.constant is not None:
            return Found(self.constant, keywords)
        located = self._locate(text)
        if located is None:
            if self.patterns or self.labels_after is not None:
                return None
            assert self.helper is not None  # checked when the template was loaded
            return HELPERS[self.helper].run(text, self)
        for piece in located:
            if self.helper is not None:
                found = HELPERS[self.helper].run(piece.value, self)
                value = None if found is None else found.value
            else:
                value = _convert(self, piece.value)
            if value is not None:
                return Found(value, piece.evidence)
        return None

    def _locate(self, text: str) -> list[_Located] | None:
        """Every candidate the patterns or the labels point at (``None``: none given)."""
        if self.patterns:
            located = []
            for pattern in self.patterns:
                match = pattern.search(text)
                if match is None:
                    continue
                group: int | str = 0
                if "value" in pattern.groupindex:
                    group = "value"
                elif pattern.groups:
                    group = 1
                if match.group(group) is None:
                    continue
                located.append(
                    _Located(match.group(group), text[match.start() : match.end()].strip())
                )
            return located
        if self.labels_after is not None:
            return self._after(text)
        return None

    def _after(self, text: str) -> list[_Located]:
        assert self.labels_after is not None
        folded = fold.fold(text)
        located = []
        for match in self.labels_after.finditer(folded.text):
            value_start, end = match.start("value"), match.end("value")
            if not match.group("value").strip() and match.group("next"):
                value_start, end = match.start("next"), match.end("next")
            if self.until is not None:
                stop = self.until.search(folded.text, value_start, end)
                if stop is not None:
                    end = stop.start()
            value = folded.excerpt(value_start, end)
            if not _clean(value):
                continue
            first, last = folded.span(match.start(), end)
            located.append(_Located(value, text[first:last].strip()))
        return located


def _after_pattern(labels: Sequence[str]) -> re.Pattern[str]:
    # The separator is optional in the value's regex: "Stagiaire :" and "Stagiaire" are one label.
    alternatives = "|".join(_loose(label.rstrip(" :")) for label in labels)
    return re.compile(
        rf"(?:{alternatives})[ \t]*(?:[:.]|\s-\s)?[ \t]*(?P<value>[^\n\f]*)"
        r"(?:\n[ \t]*(?P<next>[^\n\f]*))?"
    )


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template: identity, matching phrases, splitting and field rules."""

    path: Path
    name: str
    version: str
    family: Family
    covers: str
    score: float
    all: tuple[str, ...]
    any: tuple[str, ...]
    none: tuple[str, ...]
    fields: tuple[FieldRule, ...]
    extras: tuple[FieldRule, ...]
    per_page: bool = False
    starts: tuple[str, ...] = ()
    all_words: tuple[str, ...] = ()
    any_words: tuple[str, ...] = ()
    none_words: tuple[str, ...] = ()
    starts_words: tuple[str, ...] = ()
    all_patterns: tuple[re.Pattern[str], ...] = ()
    any_patterns: tuple[re.Pattern[str], ...] = ()


class TemplateIssuer(Issuer):
    """The issuer a template describes. Build it with :func:`load_template`.

    Each template gets its own subclass, so that the class attributes the contract reads
    (``name``, ``version``, ``families``, ``covers``) are the template's. ``source`` is the
    template's path.
    """

    template: ClassVar[Template]
    source: ClassVar[str] = ""

    @classmethod
    def for_template(cls, template: Template) -> TemplateIssuer:
        """Build the issuer object of ``template``."""
        attributes = {
            "name": f"template:{template.name}",
            "version": template.version,
            "families": (template.family,),
            "covers": template.covers,
            "template": template,
            "source": str(template.path),
            "__doc__": f"The issuer of the template {template.path.name}.",
        }
        subclass = type(f"TemplateIssuer[{template.name}]", (cls,), attributes)
        return cast(TemplateIssuer, subclass())

    def identify(self, document: Document) -> Identification | None:
        """Match when every ``all`` phrase, one ``any`` phrase and no ``none`` phrase is found."""
        template = self.template
        words = _words(document.text)
        if any(phrase in words for phrase in template.none_words):
            return None
        if not all(phrase in words for phrase in template.all_words):
            return None
        reasons = [f"found {phrase!r}" for phrase in template.all]
        if template.any_words:
            hit = next(
                (p for p, w in zip(template.any, template.any_words, strict=True) if w in words),
                None,
            )
            if hit is None:
                return None
            reasons.append(f"found {hit!r}")
        return Identification(template.score, (f"template {template.path.name}", *reasons))

    def split(self, document: Document) -> Sequence[Sequence[int]] | None:
        """One attestation per page, or one starting at each page holding a ``starts`` phrase."""
        template = self.template
        if template.per_page:
            groups = [[page.number] for page in document.pages if page.text.strip()]
            return groups or None
        if not template.starts_words:
            return None
        groups = []
        for page in document.pages:
            words = _words(page.text)
            if any(phrase in words for phrase in template.starts_words):
                groups.append([page.number])
            elif groups:
                groups[-1].append(page.number)
        return groups or None

    def extract(self, document: Document) -> Extraction:
        """Apply every field rule to the text of this attestation."""
        template = self.template
        text = document.text
        keywords = self._keywords(text)
        values: dict[str, Any] = {}
        for rule in template.fields:
            found = rule.read(text, keywords)
            if found is not None:
                values[rule.name] = found
        extras = {}
        for rule in template.extras:
            found = rule.read(text, keywords)
            if found is not None:
                extras[rule.name] = found
        return Extraction(family=template.family, extras=extras, **values)

    def _keywords(self, text: str) -> str:
        """Quote the phrases that identified the document, as written in it."""
        template = self.template
        folded = fold.fold(text)
        excerpts = []
        for pattern in template.all_patterns:
            if match := pattern.search(folded.text):
                excerpts.append(folded.excerpt(match.start(), match.end()))
        for pattern in template.any_patterns:
            if match := pattern.search(folded.text):
                excerpts.append(folded.excerpt(match.start(), match.end()))
                break
        return "; ".join(excerpts) or f"template {template.path.name}"


# ------------------------------------------------------------------------------ loading


@dataclass(frozen=True, slots=True)
class TemplateProblem:
    """A template that could not be loaded: its file, and what is wrong.

    ``problem`` begins with ``line N:`` when the line is known.
    """

    path: Path
    problem: str


def load_templates(dirs: Sequence[Path]) -> tuple[list[TemplateIssuer], list[TemplateProblem]]:
    """Load every ``*.toml`` template of ``dirs``, in name order, directory by directory.

    A malformed template, a missing directory or a name already used is reported and
    skipped; it never stops the other templates.
    """
    issuers: list[TemplateIssuer] = []
    problems: list[TemplateProblem] = []
    seen: dict[str, Path] = {}
    for directory in dirs:
        if not directory.is_dir():
            problems.append(TemplateProblem(directory, "no such template directory"))
            continue
        for path in sorted(directory.glob("*.toml")):
            try:
                issuer = load_template(path)
            except ConfigError as error:
                where = f"line {error.line}: " if error.line is not None else ""
                problems.append(TemplateProblem(path, where + error.problem))
                continue
            name = issuer.template.name
            if name in seen:
                problems.append(
                    TemplateProblem(path, f"the name {name!r} is already used by {seen[name]}")
                )
                continue
            seen[name] = path
            issuers.append(issuer)
    return issuers, problems


def load_template(path: Path) -> TemplateIssuer:
    """Read one template file; raise :class:`ConfigError` naming the file and the line."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"cannot read the template: {error}") from None
    try:
        raw = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        raise toml_error(path, error) from None
    return TemplateIssuer.for_template(_Parser(path, source).template(raw))


class _Parser:
    """Checks the parsed TOML of one template and builds its :class:`Template`."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.lines = source.splitlines()

    def fail(self, problem: str, table: Sequence[str] = (), key: str | None = None) -> ConfigError:
        return ConfigError(self.path, problem, self.line(table, key))

    def line(self, table: Sequence[str], key: str | None) -> int | None:
        """Find the 1-based line of ``key`` in ``[table]`` (or of the table), if possible."""
        start = 0
        if table:
            header = re.compile(
                r"^\s*\[\s*"
                + r"\s*\.\s*".join(rf"[\"']?{re.escape(part)}[\"']?" for part in table)
                + r"\s*\]"
            )
            found = next((i for i, text in enumerate(self.lines) if header.match(text)), None)
            if found is None:
                return None
            if key is None:
                return found + 1
            start = found + 1
        if key is None:
            return None
        key_line = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=.]")
        for index in range(start, len(self.lines)):
            text = self.lines[index]
            if re.match(r"^\s*\[", text):
                break
            if key_line.match(text):
                return index + 1
        # The key may be a sub-table: [issuer.extra].
        sub_table = self.line((*table, key), None) if table else None
        return sub_table or (start if table else None)

    def table(self, raw: Mapping[str, Any], name: str, keys: frozenset[str]) -> Mapping[str, Any]:
        value = raw.get(name, {})
        if not isinstance(value, Mapping):
            raise self.fail(f"{name} must be a table ([{name}])", key=name)
        for key in value:
            if key not in keys:
                raise self.fail(
                    f"unknown key {key!r} in [{name}] (known: {', '.join(sorted(keys))})",
                    (name,),
                    key,
                )
        return value

    def phrases(self, table: Mapping[str, Any], name: str, key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and _tokens(v) for v in value):
            raise self.fail(
                f"[{name}] {key} must be a list of phrases (with letters or digits)", (name,), key
            )
        return tuple(value)

    def template(self, raw: Mapping[str, Any]) -> Template:
        for key in raw:
            if key not in _TOP_KEYS:
                raise self.fail(
                    f"unknown table [{key}] (known: {', '.join(sorted(_TOP_KEYS))})", (key,)
                )
        issuer = self.table(raw, "issuer", _ISSUER_KEYS)
        name = issuer.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise self.fail(
                "[issuer] name is required: lower-case letters, digits, '-' and '_'",
                ("issuer",),
                "name" if "name" in issuer else None,
            )
        version = issuer.get("version", "1")
        if not isinstance(version, str | int | float) or isinstance(version, bool):
            raise self.fail("[issuer] version must be a string", ("issuer",), "version")
        family = self.family(issuer.get("family"))
        covers = issuer.get("covers", "")
        if not isinstance(covers, str):
            raise self.fail("[issuer] covers must be a string", ("issuer",), "covers")
        score = issuer.get("score", DEFAULT_SCORE)
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not 0 < score <= 1
            or math.isnan(score)
        ):
            raise self.fail("[issuer] score must be a number in ]0, 1]", ("issuer",), "score")

        match = self.table(raw, "match", _MATCH_KEYS)
        all_, any_, none = (self.phrases(match, "match", key) for key in ("all", "any", "none"))
        if not all_ and not any_:
            raise self.fail(
                "[match] needs 'all' or 'any': a template that matches everything would claim "
                "every document",
                ("match",),
            )

        split = self.table(raw, "split", _SPLIT_KEYS)
        per_page = split.get("per_page", False)
        if not isinstance(per_page, bool):
            raise self.fail("[split] per_page must be true or false", ("split",), "per_page")
        starts = self.phrases(split, "split", "starts")
        if per_page and starts:
            raise self.fail("[split] per_page and starts exclude each other", ("split",), "starts")

        rules = self.rules(raw, "fields")
        if "nature" in issuer:
            if any(rule.name == "nature" for rule in rules):
                raise self.fail(
                    "nature is given twice ([issuer] nature and [fields.nature])",
                    ("issuer",),
                    "nature",
                )
            value = self.constant(
                issuer["nature"], Nature, "[issuer] nature", ("issuer",), "nature"
            )
            rules.append(FieldRule("nature", Nature, constant=value))
        extras = self.rules(raw, "extras")
        return Template(
            path=self.path,
            name=name,
            version=str(version),
            family=family,
            covers=covers,
            score=float(score),
            all=all_,
            any=any_,
            none=none,
            fields=tuple(rules),
            extras=tuple(extras),
            per_page=per_page,
            starts=starts,
            all_words=tuple(_phrase(p) for p in all_),
            any_words=tuple(_phrase(p) for p in any_),
            none_words=tuple(_phrase(p) for p in none),
            starts_words=tuple(_phrase(p) for p in starts),
            all_patterns=tuple(re.compile(_loose(p)) for p in all_),
            any_patterns=tuple(re.compile(_loose(p)) for p in any_),
        )

    def family(self, value: object) -> Family:
        try:
            return Family(str(value))
        except ValueError:
            known = ", ".join(f.value for f in Family)
            raise self.fail(
                f"[issuer] family must be one of {known}, not {value!r}",
                ("issuer",),
                "family" if value is not None else None,
            ) from None

    def rules(self, raw: Mapping[str, Any], section: str) -> list[FieldRule]:
        tables = raw.get(section, {})
        if not isinstance(tables, Mapping):
            raise self.fail(f"{section} must be a table of tables ([{section}.NAME])", key=section)
        rules = []
        for name, spec in tables.items():
            where = (section, name)
            if section == "fields" and name not in FIELD_KINDS:
                known = ", ".join(FIELD_KINDS)
                raise self.fail(
                    f"unknown field [fields.{name}] (known: {known}; put issuer-specific "
                    "values in [extras.NAME])",
                    where,
                )
            if not isinstance(spec, Mapping):
                raise self.fail(f"[{section}.{name}] must be a table", (section,), name)
            rules.append(self.rule(name, spec, where, FIELD_KINDS.get(name, str)))
        return rules

    def rule(
        self, name: str, spec: Mapping[str, Any], where: tuple[str, ...], kind: type
    ) -> FieldRule:
        label = f"[{'.'.join(where)}]" if len(where) > 1 else f"[{where[0]}] {name}"
        for key in spec:
            if key not in _FIELD_KEYS:
                raise self.fail(
                    f"unknown key {key!r} in {label} (known: {', '.join(sorted(_FIELD_KEYS))})",
                    where,
                    key,
                )
        if "constant" in spec:
            others = sorted(set(spec) - {"constant"})
            if others:
                raise self.fail(
                    f"{label}: constant excludes {', '.join(others)}", where, others[0]
                )
            value = self.constant(spec["constant"], kind, label, where, "constant")
            return FieldRule(name, kind, constant=value)
        if "pattern" in spec and "after" in spec:
            raise self.fail(f"{label}: give pattern or after, not both", where, "after")
        if not {"pattern", "after", "helper"} & set(spec):
            raise self.fail(f"{label} needs pattern, after, helper or constant", where)
        ignore_case = spec.get("ignore_case", True)
        if not isinstance(ignore_case, bool):
            raise self.fail(f"{label} ignore_case must be true or false", where, "ignore_case")
        patterns = []
        for source in self.strings(spec, "pattern", label, where):
            try:
                pattern = re.compile(source, re.MULTILINE | (re.IGNORECASE if ignore_case else 0))
            except re.error as error:
                raise self.fail(f"{label} pattern {source!r}: {error}", where, "pattern") from None
            patterns.append(pattern)
        after = self.strings(spec, "after", label, where)
        until = self.strings(spec, "until", label, where)
        if until and not after:
            raise self.fail(f"{label}: until needs after", where, "until")
        for key, phrases in (("after", after), ("until", until)):
            if not all(_tokens(phrase) for phrase in phrases):
                raise self.fail(f"{label} {key}: a label needs letters or digits", where, key)
        helper = spec.get("helper")
        labels = self.strings(spec, "labels", label, where)
        markers = self.strings(spec, "markers", label, where)
        located = bool(patterns or after)
        if helper is not None:
            if helper not in HELPERS:
                raise self.fail(
                    f"{label}: unknown helper {helper!r} (known: {', '.join(HELPERS)})",
                    where,
                    "helper",
                )
            info = HELPERS[helper]
            if kind not in info.kinds or (info.only and name not in info.only):
                raise self.fail(
                    f"{label}: the {helper} helper cannot fill this field", where, "helper"
                )
            if info.needs_labels and not labels:
                raise self.fail(f"{label}: the {helper} helper needs labels", where, "helper")
            if helper == "date" and not labels and not located:
                raise self.fail(
                    f"{label}: the date helper needs labels, or a pattern or after to locate it",
                    where,
                    "helper",
                )
        if labels and helper not in ("date", "year"):
            raise self.fail(f"{label}: labels go with the date and year helpers", where, "labels")
        if markers and helper != "person":
            raise self.fail(f"{label}: markers go with the person helper", where, "markers")
        date_formats = self.strings(spec, "date_formats", label, where)
        if date_formats and (kind is not date or helper is not None):
            raise self.fail(
                f"{label}: date_formats apply to a located date field without helper",
                where,
                "date_formats",
            )
        mapping = self.mapping(spec.get("map"), kind, label, where)
        if mapping and (helper is not None or not located):
            raise self.fail(f"{label}: map applies to a located value without helper", where, "map")
        return FieldRule(
            name=name,
            kind=kind,
            patterns=tuple(patterns),
            labels_after=_after_pattern(after) if after else None,
            until=re.compile("|".join(_loose(u) for u in until)) if until else None,
            helper=helper,
            labels=labels,
            markers=markers,
            date_formats=date_formats,
            mapping=mapping,
        )

    def strings(
        self, spec: Mapping[str, Any], key: str, label: str, where: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = spec.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"{label} {key} must be a string or a list of strings", where, key)
        return tuple(value)

    def constant(
        self, value: object, kind: type, label: str, where: tuple[str, ...], key: str
    ) -> object:
        result: object = None
        if kind is date:
            if isinstance(value, date) and not isinstance(value, datetime):
                result = value
            elif isinstance(value, str):
                try:
                    result = date.fromisoformat(value)
                except ValueError:
                    result = None
        elif kind is float:
            if isinstance(value, int | float) and not isinstance(value, bool):
                result = float(value)
        elif kind is int:
            if isinstance(value, int) and not isinstance(value, bool):
                result = value
        elif kind is Nature:
            try:
                result = Nature(str(value))
            except ValueError:
                known = ", ".join(n.value for n in Nature)
                problem = f"{label}: {value!r} is not a nature ({known})"
                raise self.fail(problem, where, key) from None
        elif isinstance(value, str) and value.strip():
            result = value
        if result is None:
            raise self.fail(f"{label}: {value!r} is not a {kind.__name__}", where, key)
        return result

    def mapping(
        self, value: object, kind: type, label: str, where: tuple[str, ...]
    ) -> Mapping[str, object]:
        if value is None:
            return {}
        if kind not in (str, Nature):
            raise self.fail(f"{label}: map applies to text and nature fields", where, "map")
        if not isinstance(value, Mapping) or not value:
            raise self.fail(f"{label}: map must be a table of text = value", where, "map")
        result = {}
        for key, target in value.items():
            result[fold.normalise(key)] = self.constant(target, kind, label, where, "map")
        return result
