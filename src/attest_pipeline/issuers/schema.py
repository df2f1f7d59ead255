r"""The data file of an issuer: its schema, checked key by key, and what it compiles to.

One schema serves the built-in plugins, third-party plugins and the declarative templates
(a template is a data file that needs no Python). Tables (every one optional unless said):

- ``[issuer]``: ``name`` (a-z, 0-9, ``-``, ``_``), ``version``, ``family``, ``covers``,
  ``score`` (the ``[match]`` score, in ]0, 1], 0.8), ``nature`` (a constant nature). A
  template needs ``name`` and ``family``; a Python issuer's class attributes take their
  place.
- ``[match]`` ``all`` / ``any`` / ``none`` (phrases) or ``[identify]`` (weighted markers:
  ``markers``, ``exclude``, ``defer``, ``window_pages``, ``max_score``): how the issuer
  recognises its documents (:mod:`attest_pipeline.issuers.markers`); one of them.
- ``[split]``: ``per_page``, ``starts`` or ``participants`` (:mod:`.splitting`).
- ``[participant] markers``, ``[dates] start`` / ``end``, ``[title]``, ``[organisation]``,
  ``[nature]`` (with ``[[nature.rules]]``): the rules of the shared readers that the
  ``person``, ``period``, ``title``, ``organisation`` and ``nature`` helpers use.
- ``[fields.NAME]``, ``[extras.NAME]``: one rule per value (:mod:`.fields`).
- ``[own]``: tables the issuer's own Python reads; the engine leaves them unchecked.

Every other table or key is an error, reported with the file and the line, so that a typo
never passes silently. The field tables are checked by
:class:`~attest_pipeline.issuers.fields._FieldChecks`; the rest is here, whole, because the
tables refer to each other (a helper needs its reader's table, ``[issuer] nature`` and
``[fields.nature]`` exclude each other, ``[match]`` and ``[identify]`` too).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from attest_pipeline.datafile import REQUIRED, DataFile, Table
from attest_pipeline.errors import ConfigError
from attest_pipeline.issuers.common import common_rules
from attest_pipeline.issuers.fields import FieldRule, _check_rules, _constant, _strings
from attest_pipeline.issuers.markers import Marker, PhraseMatch, Scorer, matchable
from attest_pipeline.issuers.natures import NatureRule, NatureRules
from attest_pipeline.issuers.organisations import Organisations
from attest_pipeline.issuers.people import People
from attest_pipeline.issuers.splitting import (
    split_at_phrases,
    split_by_participant,
    split_per_page,
)
from attest_pipeline.issuers.titles import Titles
from attest_pipeline.models import Document, Family, Identification, Nature
from attest_pipeline.recognition import FIELD_TYPES
from attest_pipeline.text.scan import gated

__all__ = ["DEFAULT_SCORE", "IssuerData", "check_data_file", "read_data_file"]

#: The identification score of a ``[match]`` when ``[issuer] score`` is not given.
DEFAULT_SCORE = 0.8

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_KEYS: Mapping[str, frozenset[str]] = {
    "issuer": frozenset({"name", "version", "family", "covers", "score", "nature"}),
    "match": frozenset({"all", "any", "none"}),
    "identify": frozenset({"markers", "exclude", "defer", "window_pages", "max_score"}),
    "split": frozenset({"per_page", "starts", "participants"}),
    "participant": frozenset({"markers"}),
    "dates": frozenset({"start", "end"}),
    "title": frozenset({"labels", "cells", "triggers", "phrases", "cut", "strip"}),
    "organisation": frozenset(
        {"labels", "sentences", "patterns", "letterhead", "not_letterhead"}
    ),
    "nature": frozenset({"labels", "cells", "rules"}),
}
_MARKER_KEYS = frozenset({"reason", "pattern", "weight", "anchor", "case_sensitive", "group"})
_DEFER_KEYS = frozenset({"signature", "cap"})
_RULE_KEYS = frozenset({"value", "patterns", "label_only", "first"})
_TOP_KEYS = frozenset({*_KEYS, "fields", "extras", "own"})


@dataclass(frozen=True, slots=True)
class IssuerData:
    """A checked data file: the issuer's identity, identification, splitting and readers.

    ``name``, ``version``, ``family`` and ``covers`` are ``None`` (or empty) when the file
    does not give them; ``identification`` is ``None`` when it has neither ``[match]`` nor
    ``[identify]``. ``own`` holds the ``[own]`` tables, for the issuer's own Python.
    """

    path: Path
    name: str | None
    version: str | None
    family: Family | None
    covers: str
    identification: Scorer | PhraseMatch | None
    per_page: bool
    starts: tuple[str, ...]
    participants: bool
    people: People
    titles: Titles | None
    organisations: Organisations | None
    natures: NatureRules | None
    fields: tuple[FieldRule, ...]
    extras: tuple[FieldRule, ...]
    own: Mapping[str, Any]

    @property
    def scorer(self) -> Scorer:
        """The ``[identify]`` markers (``ValueError`` when the file identifies otherwise)."""
        if not isinstance(self.identification, Scorer):
            raise ValueError(f"{self.path} has no [identify] table")
        return self.identification

    def identify(self, document: Document) -> Identification | None:
        """Answer for ``document`` by the file's ``[match]`` or ``[identify]``."""
        if self.identification is None:
            return None
        return self.identification.identify(document)

    def split(self, document: Document) -> list[list[int]] | None:
        """Split ``document`` as ``[split]`` says; ``None`` for one attestation."""
        if self.per_page:
            return split_per_page(document)
        if self.starts:
            return split_at_phrases(document, self.starts)
        if self.participants:
            return split_by_participant(document, self.people)
        return None


def read_data_file(
    source: Path | Traversable,
    *,
    identity: bool = False,
    check_patterns: bool = True,
    what: str = "data file",
) -> IssuerData:
    """Read and check the data file ``source`` (a path, or a package's resource).

    With ``identity`` the file must name its issuer (``[issuer] name`` and ``family``) and
    say how it identifies documents, as a template must; ``check_patterns`` compiles every
    regex now rather than on first use. Raises
    :class:`~attest_pipeline.errors.ConfigError` with the file and the line.
    """
    if isinstance(source, Path):
        file = DataFile.read(source, what)
    else:
        file = DataFile(Path(str(source)), source.read_text(encoding="utf-8"))
    return _Builder(file, check_patterns).build(identity=identity)


def check_data_file(
    source: Path | Traversable, *, identity: bool = False
) -> ConfigError | None:
    """Check the data file ``source`` fully (regexes compiled); the problem, or ``None``."""
    try:
        read_data_file(source, identity=identity, check_patterns=True)
    except ConfigError as error:
        return error
    return None


class _Builder:
    """Checks one data file, table by table, and builds its :class:`IssuerData`."""

    def __init__(self, file: DataFile, check_patterns: bool) -> None:
        self.file = file
        self.check_patterns = check_patterns

    def build(self, *, identity: bool) -> IssuerData:
        root = self.file.root
        root.check_keys(_TOP_KEYS)
        tables = {name: root.table(name, keys) for name, keys in _KEYS.items()}
        issuer = tables["issuer"]
        name = issuer.value("name", None)
        if (identity or name is not None) and (not isinstance(name, str) or not _NAME.match(name)):
            raise issuer.error("is required: lower-case letters, digits, '-' and '_'", "name")
        version = issuer.value("version", "1" if identity else None)
        if version is not None and (
            not isinstance(version, str | int | float) or isinstance(version, bool)
        ):
            raise issuer.error("must be a string", "version")
        families = [family.value for family in Family]
        family = issuer.choice("family", families, REQUIRED if identity else None)
        identification = self.identification(root, tables, identity)
        split = tables["split"]
        per_page = split.flag("per_page", False)
        participants = split.flag("participants", False)
        starts = self.phrases(split, "starts")
        if sum((per_page, bool(starts), participants)) > 1:
            raise split.error("per_page, starts and participants exclude each other")
        readers = {key for key in ("title", "organisation", "nature") if key in root}
        rules = _check_rules(root.table("fields"), self.field_type, readers)
        if "nature" in issuer:
            if any(rule.name == "nature" for rule in rules):
                raise issuer.error("and [fields.nature] exclude each other: give one", "nature")
            value = _constant(issuer, "nature", Nature)
            rules.append(FieldRule("nature", Nature, constant=value))
        dates = tables["dates"]
        return IssuerData(
            path=self.file.path,
            name=name,
            version=None if version is None else str(version),
            family=None if family is None else Family(family),
            covers=issuer.text("covers", ""),
            identification=identification,
            per_page=per_page,
            starts=starts,
            participants=participants,
            people=People(
                _strings(tables["participant"], "markers"),
                _strings(dates, "start"),
                _strings(dates, "end"),
            ),
            titles=self.titles(tables["title"]) if "title" in readers else None,
            organisations=self.organisations(tables["organisation"])
            if "organisation" in readers
            else None,
            natures=self.natures(tables["nature"]) if "nature" in readers else None,
            fields=tuple(rules),
            extras=tuple(_check_rules(root.table("extras"), lambda name: str, readers)),
            own=root.table("own").data,
        )

    def field_type(self, name: str) -> type:
        if name not in FIELD_TYPES:
            known = ", ".join(FIELD_TYPES)
            raise self.file.error(
                f"is not a field (known: {known}; put issuer-specific values in "
                "[extras.NAME])",
                "fields",
                name,
            )
        return FIELD_TYPES[name][0]

    # ------------------------------------------------------------------ identification

    def identification(
        self, root: Table, tables: Mapping[str, Table], identity: bool
    ) -> Scorer | PhraseMatch | None:
        issuer, match = tables["issuer"], tables["match"]
        if "identify" in root and "match" in root:
            raise root.error("and [match] exclude each other: give one", "identify")
        if "identify" in root:
            if "score" in issuer:
                raise issuer.error("goes with [match]; [identify] has max_score", "score")
            return self.scorer(tables["identify"])
        score = issuer.value("score", DEFAULT_SCORE)
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not 0 < score <= 1
            or score != score
        ):
            raise issuer.error("must be a number in ]0, 1]", "score")
        all_, any_, none = (self.phrases(match, key) for key in ("all", "any", "none"))
        if not all_ and not any_:
            if not identity and "match" not in root:
                return None
            raise match.error(
                "needs 'all' or 'any': a template that matches everything would claim "
                "every document"
            )
        source = f"{'template' if identity else 'data file'} {self.file.path.name}"
        return PhraseMatch(source, float(score), all_, any_, none)

    def scorer(self, table: Table) -> Scorer:
        markers = []
        for item in table.tables("markers", _MARKER_KEYS):
            pattern = item.text("pattern", empty=False)
            self.regexes(item, "pattern")
            markers.append(
                Marker(
                    reason=item.text("reason", empty=False),
                    pattern=gated(pattern, re.MULTILINE),
                    weight=self.share(item, "weight"),
                    anchor=item.flag("anchor", False),
                    case_sensitive=item.flag("case_sensitive", False),
                    group=item.text("group", ""),
                )
            )
        if not any(marker.anchor for marker in markers):
            raise table.error("needs a marker with anchor = true")
        rules = common_rules()
        exclude = _strings(table, "exclude")
        for name in exclude:
            if name not in rules.exclusions:
                known = ", ".join(rules.exclusions)
                problem = f"names an unknown exclusion {name!r} (known: {known})"
                raise table.error(problem, "exclude")
        defer = []
        for item in table.tables("defer", _DEFER_KEYS):
            signature = item.text("signature")
            if signature not in rules.signatures:
                known = ", ".join(rules.signatures)
                problem = f"{signature!r} is an unknown signature (known: {known})"
                raise item.error(problem, "signature")
            defer.append((signature, self.share(item, "cap")))
        return Scorer(
            markers,
            exclude=exclude,
            defer=defer,
            window_pages=table.integer("window_pages", 4, minimum=1),
            max_score=self.share(table, "max_score", 0.95),
        )

    @staticmethod
    def share(table: Table, key: str, default: float | None = None) -> float:
        """Return ``table[key]``, a number in [0, 1] (required without ``default``)."""
        value = table.number(key, REQUIRED if default is None else default, minimum=0)
        if value > 1:
            raise table.error(f"must be a number in [0, 1], not {value:g}", key)
        return value

    @staticmethod
    def phrases(table: Table, key: str) -> tuple[str, ...]:
        value = table.value(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str) and matchable(v) for v in value
        ):
            raise table.error("must be a list of phrases (with letters or digits)", key)
        return tuple(value)

    # ----------------------------------------------------------------------- readers

    def regexes(self, table: Table, key: str) -> tuple[str, ...]:
        """Return ``table[key]`` as regex sources, each compiled to check it when asked."""
        sources = _strings(table, key)
        if self.check_patterns:
            for source in sources:
                try:
                    re.compile(source)
                except re.error as error:
                    raise table.error(f"{source!r} is not a regex: {error}", key) from None
        return sources

    def titles(self, table: Table) -> Titles:
        strip = table.text("strip", None, empty=False)
        if strip is not None:
            self.regexes(table, "strip")
        return Titles(
            self.regexes(table, "labels"),
            cells=self.regexes(table, "cells"),
            triggers=self.regexes(table, "triggers"),
            phrases=self.regexes(table, "phrases"),
            cut=self.regexes(table, "cut"),
            strip=strip,
        )

    def organisations(self, table: Table) -> Organisations:
        return Organisations(
            self.regexes(table, "labels"),
            sentences=self.regexes(table, "sentences"),
            patterns=self.regexes(table, "patterns"),
            letterhead=self.regexes(table, "letterhead"),
            not_letterhead=self.regexes(table, "not_letterhead"),
        )

    def natures(self, table: Table) -> NatureRules:
        rules = []
        for item in table.tables("rules", _RULE_KEYS):
            value = _constant(item, "value", Nature)
            assert isinstance(value, Nature)
            patterns = self.regexes(item, "patterns")
            if not patterns:
                raise item.error("needs patterns")
            label_only = self.regexes(item, "label_only")
            rules.append(NatureRule(value, patterns, label_only, item.flag("first", False)))
        return NatureRules(rules, self.regexes(table, "labels"), self.regexes(table, "cells"))
