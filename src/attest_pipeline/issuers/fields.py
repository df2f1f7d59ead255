"""Field rules: how a data file's ``[fields.NAME]`` and ``[extras.NAME]`` tables read a value.

A rule locates text (``pattern``, ``after``/``until``), then turns it into the field's
value: by a shared helper (:data:`~attest_pipeline.issuers.helpers.HELPERS`), by a
``map``, or by converting it to the field's type
(:data:`~attest_pipeline.recognition.FIELD_TYPES`, the same table the core checks
extractions with). A rule may also name a helper alone (it reads the whole attestation) or
give a ``constant``. A value that cannot be read or converted is left out, never guessed.
:class:`_FieldChecks` checks the tables into rules, key by key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from attest_pipeline.issuers._checker import Checker
from attest_pipeline.issuers.helpers import HELPERS
from attest_pipeline.issuers.markers import loose_phrase, matchable
from attest_pipeline.models import Found, Nature
from attest_pipeline.recognition import FIELD_TYPES
from attest_pipeline.text import dates, identifiers, quantities
from attest_pipeline.text.fold import fold, normalise

if TYPE_CHECKING:
    from attest_pipeline.issuers.base import Reading

__all__ = ["FieldRule", "after_pattern", "convert"]


# ------------------------------------------------------------------------- conversions

_INTEGER = re.compile(r"\d+")
_EDGES = " \t\n:;,.-–—«»\"'()"


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(_EDGES)


def convert(rule: FieldRule, text: str) -> object | None:
    """Convert the located ``text`` to the field's type (``None`` when it is not one).

    Dates: :func:`~attest_pipeline.text.dates.parse_date` (with the rule's
    ``date_formats`` when it has some); hours:
    :func:`~attest_pipeline.text.quantities.parse_hours`; meetings: the first whole
    number; a nature: its value or the rule's
    ``map``; an RPPS cleaned by :func:`~attest_pipeline.text.identifiers.normalise_rpps`.
    """
    if rule.kind is date:
        return dates.parse_date(text, rule.date_formats)
    if rule.kind is float:
        return quantities.parse_hours(text)
    if rule.kind is int:
        match = _INTEGER.search(text)
        return int(match.group(0)) if match else None
    value = _clean(text)
    if not value:
        return None
    if rule.mapping:
        return rule.mapping.get(normalise(value))
    if rule.kind is Nature:
        try:
            return Nature(normalise(value).replace(" ", "_"))
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


def after_pattern(labels: Sequence[str]) -> re.Pattern[str]:
    """Return the regex of a value after one of ``labels`` (folded text).

    The separator is optional: ``Stagiaire :`` and ``Stagiaire`` are one label. The value
    is the rest of the line (group ``value``), or the next line (``next``).
    """
    alternatives = "|".join(loose_phrase(label.rstrip(" :")) for label in labels)
    return re.compile(
        rf"(?:{alternatives})[ \t]*(?:[:.]|\s-\s)?[ \t]*(?P<value>[^\n\f]*)"
        r"(?:\n[ \t]*(?P<next>[^\n\f]*))?"
    )


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

    def read(self, reading: Reading) -> Found[Any] | None:
        """Read the field's value in the attestation ``reading`` holds."""
        if self.constant is not None:
            return Found(self.constant, reading.keywords)
        text = reading.text
        located = self._locate(text)
        if located is None:
            if self.helper is None:
                return None
            return HELPERS[self.helper].run(reading, text, self)
        for piece in located:
            if self.helper is not None:
                found = HELPERS[self.helper].run(reading, piece.value, self)
                value = None if found is None else found.value
            else:
                value = convert(self, piece.value)
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
            return self._after(text, self.labels_after)
        return None

    def _after(self, text: str, labels: re.Pattern[str]) -> list[_Located]:
        folded = fold(text)
        located = []
        for match in labels.finditer(folded.text):
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


# ------------------------------------------------------------------------------ checks

_FIELD_KEYS = frozenset(
    {
        "pattern", "after", "until", "helper", "labels", "markers", "date_formats", "map",
        "constant", "ignore_case",
    }
)  # fmt: skip


class _FieldChecks(Checker):
    """The checks of a data file's ``[fields]`` and ``[extras]`` tables, into rules.

    ``tables`` are the reader tables of the file, by name: a helper that needs one
    (``title``, ``organisation``, ``nature``) is refused without it.
    """

    def rules(
        self, raw: Mapping[str, Any], section: str, tables: Mapping[str, Mapping[str, Any]]
    ) -> list[FieldRule]:
        """Check the tables of ``[fields]`` or ``[extras]`` (``section``) into rules."""
        specs = raw.get(section, {})
        if not isinstance(specs, Mapping):
            raise self.fail(f"{section} must be a table of tables ([{section}.NAME])", key=section)
        rules = []
        for name, spec in specs.items():
            where = (section, name)
            if section == "fields" and name not in FIELD_TYPES:
                known = ", ".join(FIELD_TYPES)
                raise self.fail(
                    f"unknown field [fields.{name}] (known: {known}; put issuer-specific "
                    "values in [extras.NAME])",
                    where,
                )
            if not isinstance(spec, Mapping):
                raise self.fail(f"[{section}.{name}] must be a table", (section,), name)
            kind = FIELD_TYPES[name][0] if section == "fields" else str
            rules.append(self.rule(name, spec, where, kind, tables))
        return rules

    def rule(
        self,
        name: str,
        spec: Mapping[str, Any],
        where: tuple[str, ...],
        kind: type,
        tables: Mapping[str, Mapping[str, Any]],
    ) -> FieldRule:
        """Check one field's table ``spec`` into its rule (the field's type is ``kind``)."""
        label = f"[{'.'.join(where)}]"
        self.known(spec, _FIELD_KEYS, where)
        if "constant" in spec:
            others = sorted(set(spec) - {"constant"})
            if others:
                raise self.fail(f"{label}: constant excludes {', '.join(others)}", where, others[0])
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
            if not all(matchable(phrase) for phrase in phrases):
                raise self.fail(f"{label} {key}: a label needs letters or digits", where, key)
        helper = spec.get("helper")
        labels = self.strings(spec, "labels", label, where)
        markers = self.strings(spec, "markers", label, where)
        located = bool(patterns or after)
        if helper is not None:
            self.check_helper(helper, name, kind, label, where, located, bool(labels), tables)
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
            labels_after=after_pattern(after) if after else None,
            until=re.compile("|".join(loose_phrase(u) for u in until)) if until else None,
            helper=helper,
            labels=labels,
            markers=markers,
            date_formats=date_formats,
            mapping=mapping,
        )

    def check_helper(
        self,
        helper: object,
        name: str,
        kind: type,
        label: str,
        where: tuple[str, ...],
        located: bool,
        labelled: bool,
        tables: Mapping[str, Mapping[str, Any]],
    ) -> None:
        """Raise unless ``helper`` exists and may fill the field ``name`` as written."""
        if not isinstance(helper, str) or helper not in HELPERS:
            raise self.fail(
                f"{label}: unknown helper {helper!r} (known: {', '.join(HELPERS)})",
                where,
                "helper",
            )
        info = HELPERS[helper]
        if kind not in info.kinds or (info.only and name not in info.only):
            raise self.fail(f"{label}: the {helper} helper cannot fill this field", where, "helper")
        if info.needs_labels and not labelled:
            raise self.fail(f"{label}: the {helper} helper needs labels", where, "helper")
        if helper == "date" and not labelled and not located:
            raise self.fail(
                f"{label}: the date helper needs labels, or a pattern or after to locate it",
                where,
                "helper",
            )
        if info.whole and located:
            raise self.fail(
                f"{label}: the {helper} helper reads the whole attestation (no pattern or after)",
                where,
                "helper",
            )
        if info.table and not tables[info.table]:
            raise self.fail(
                f"{label}: the {helper} helper needs a [{info.table}] table", where, "helper"
            )

    def constant(
        self, value: object, kind: type, label: str, where: Sequence[str], key: str
    ) -> object:
        """Return ``value`` as a constant of type ``kind``, or raise naming what was expected."""
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
                raise self.fail(problem, tuple(where), key) from None
        elif isinstance(value, str) and value.strip():
            result = value
        if result is None:
            raise self.fail(f"{label}: {value!r} is not a {kind.__name__}", tuple(where), key)
        return result

    def mapping(
        self, value: object, kind: type, label: str, where: tuple[str, ...]
    ) -> Mapping[str, object]:
        """Return a ``map`` table with folded keys and values of type ``kind``."""
        if value is None:
            return {}
        if kind not in (str, Nature):
            raise self.fail(f"{label}: map applies to text and nature fields", where, "map")
        if not isinstance(value, Mapping) or not value:
            raise self.fail(f"{label}: map must be a table of text = value", where, "map")
        return {
            normalise(key): self.constant(target, kind, label, where, "map")
            for key, target in value.items()
        }
