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

from attest_pipeline.errors import ConfigError
from attest_pipeline.issuers._checker import read_toml
from attest_pipeline.issuers.common import common_rules
from attest_pipeline.issuers.fields import FieldRule, _FieldChecks
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
    "organisation": frozenset({"labels", "sentences", "patterns", "letterhead"}),
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
        path, text = source, None
    else:
        path, text = Path(str(source)), source.read_text(encoding="utf-8")
    raw, lines = read_toml(path, text, what=what)
    return _Builder(path, lines, check_patterns).build(raw, identity=identity)


class _Builder(_FieldChecks):
    """Checks the parsed TOML of one data file and builds its :class:`IssuerData`."""

    def __init__(self, path: Path, source: str, check_patterns: bool) -> None:
        super().__init__(path, source)
        self.check_patterns = check_patterns

    def build(self, raw: Mapping[str, Any], *, identity: bool) -> IssuerData:
        for key in raw:
            if key not in _TOP_KEYS:
                raise self.fail(
                    f"unknown table [{key}] (known: {', '.join(sorted(_TOP_KEYS))})", (key,)
                )
        tables = {name: self.table(raw, name, keys) for name, keys in _KEYS.items()}
        issuer = tables["issuer"]
        name = issuer.get("name")
        if (identity or name is not None) and (not isinstance(name, str) or not _NAME.match(name)):
            raise self.fail(
                "[issuer] name is required: lower-case letters, digits, '-' and '_'",
                ("issuer",),
                "name" if "name" in issuer else None,
            )
        version = issuer.get("version", "1" if identity else None)
        if version is not None and (
            not isinstance(version, str | int | float) or isinstance(version, bool)
        ):
            raise self.fail("[issuer] version must be a string", ("issuer",), "version")
        family = self.family(issuer.get("family")) if identity or "family" in issuer else None
        covers = issuer.get("covers", "")
        if not isinstance(covers, str):
            raise self.fail("[issuer] covers must be a string", ("issuer",), "covers")
        identification = self.identification(raw, tables, identity)
        split = tables["split"]
        per_page = self.flag(split, "per_page", "[split]", ("split",))
        participants = self.flag(split, "participants", "[split]", ("split",))
        starts = self.phrases(split, "split", "starts")
        if sum((per_page, bool(starts), participants)) > 1:
            raise self.fail(
                "[split] per_page, starts and participants exclude each other", ("split",)
            )
        rules = self.rules(raw, "fields", tables)
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
        own = raw.get("own", {})
        if not isinstance(own, Mapping):
            raise self.fail("own must be a table ([own])", (), "own")
        return IssuerData(
            path=self.path,
            name=name,
            version=None if version is None else str(version),
            family=family,
            covers=covers,
            identification=identification,
            per_page=per_page,
            starts=starts,
            participants=participants,
            people=People(
                self.strings(tables["participant"], "markers", "[participant]", ("participant",)),
                self.strings(tables["dates"], "start", "[dates]", ("dates",)),
                self.strings(tables["dates"], "end", "[dates]", ("dates",)),
            ),
            titles=self.titles(tables["title"]) if tables["title"] else None,
            organisations=self.organisations(tables["organisation"])
            if tables["organisation"]
            else None,
            natures=self.natures(tables["nature"]) if tables["nature"] else None,
            fields=tuple(rules),
            extras=tuple(self.rules(raw, "extras", tables)),
            own=own,
        )

    # ------------------------------------------------------------------ identification

    def identification(
        self, raw: Mapping[str, Any], tables: Mapping[str, Mapping[str, Any]], identity: bool
    ) -> Scorer | PhraseMatch | None:
        issuer, match, identify = tables["issuer"], tables["match"], tables["identify"]
        if "identify" in raw and "match" in raw:
            raise self.fail("give [match] or [identify], not both", ("identify",))
        if "identify" in raw:
            if "score" in issuer:
                raise self.fail(
                    "[issuer] score goes with [match]; [identify] has max_score",
                    ("issuer",),
                    "score",
                )
            return self.scorer(identify)
        score = issuer.get("score", DEFAULT_SCORE)
        if (
            isinstance(score, bool)
            or not isinstance(score, int | float)
            or not 0 < score <= 1
            or score != score
        ):
            raise self.fail("[issuer] score must be a number in ]0, 1]", ("issuer",), "score")
        all_, any_, none = (self.phrases(match, "match", key) for key in ("all", "any", "none"))
        if not all_ and not any_:
            if not identity and "match" not in raw:
                return None
            raise self.fail(
                "[match] needs 'all' or 'any': a template that matches everything would claim "
                "every document",
                ("match",),
            )
        source = f"{'template' if identity else 'data file'} {self.path.name}"
        return PhraseMatch(source, float(score), all_, any_, none)

    def scorer(self, table: Mapping[str, Any]) -> Scorer:
        where = ("identify", "markers")
        markers = []
        for index, item in enumerate(self.array(table, "markers", "[identify]", ("identify",))):
            self.known(item, _MARKER_KEYS, where, index)
            reason = item.get("reason")
            if not isinstance(reason, str) or not reason.strip():
                raise self.fail("[[identify.markers]] needs a reason", where, "reason", index)
            label = "[[identify.markers]]"
            pattern = item.get("pattern")
            if not isinstance(pattern, str) or not pattern:
                raise self.fail(f"{label} needs one pattern (a string)", where, "pattern", index)
            self.regexes(item, "pattern", label, where, index, compile_them=self.check_patterns)
            if "weight" not in item:
                raise self.fail(f"{label} needs a weight", where, None, index)
            group = item.get("group", "")
            if not isinstance(group, str):
                raise self.fail(f"{label} group must be a string", where, "group", index)
            markers.append(
                Marker(
                    reason=reason,
                    pattern=gated(pattern, re.MULTILINE),
                    weight=self.number(item, "weight", 0.0, label, where, index=index),
                    anchor=self.flag(item, "anchor", label, where, index),
                    case_sensitive=self.flag(item, "case_sensitive", label, where, index),
                    group=group,
                )
            )
        if not any(marker.anchor for marker in markers):
            raise self.fail("[identify] needs a marker with anchor = true", ("identify",))
        rules = common_rules()
        exclude = self.strings(table, "exclude", "[identify]", ("identify",))
        for name in exclude:
            if name not in rules.exclusions:
                known = ", ".join(rules.exclusions)
                raise self.fail(
                    f"[identify] exclude: unknown exclusion {name!r} (known: {known})",
                    ("identify",),
                    "exclude",
                )
        defer = []
        for index, item in enumerate(self.array(table, "defer", "[identify]", ("identify",))):
            self.known(item, _DEFER_KEYS, ("identify",), index)
            signature = item.get("signature")
            if signature not in rules.signatures:
                known = ", ".join(rules.signatures)
                raise self.fail(
                    f"[identify] defer: unknown signature {signature!r} (known: {known})",
                    ("identify",),
                    "defer",
                )
            defer.append((str(signature), self.number(item, "cap", -1, "[identify] defer", ())))
        pages = table.get("window_pages", 4)
        if isinstance(pages, bool) or not isinstance(pages, int) or pages < 1:
            raise self.fail(
                "[identify] window_pages must be a whole number, 1 or more",
                ("identify",),
                "window_pages",
            )
        return Scorer(
            markers,
            exclude=exclude,
            defer=defer,
            window_pages=pages,
            max_score=self.number(table, "max_score", 0.95, "[identify]", ("identify",)),
        )

    def phrases(self, table: Mapping[str, Any], name: str, key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(
            isinstance(v, str) and matchable(v) for v in value
        ):
            raise self.fail(
                f"[{name}] {key} must be a list of phrases (with letters or digits)", (name,), key
            )
        return tuple(value)

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

    # ----------------------------------------------------------------------- readers

    def _regexes(self, table: Mapping[str, Any], key: str, name: str) -> tuple[str, ...]:
        return self.regexes(table, key, f"[{name}]", (name,), compile_them=self.check_patterns)

    def titles(self, table: Mapping[str, Any]) -> Titles:
        strip = table.get("strip")
        if strip is not None and (not isinstance(strip, str) or not strip):
            raise self.fail("[title] strip must be a regex (a string)", ("title",), "strip")
        if strip is not None and self.check_patterns:
            self._regexes(table, "strip", "title")
        return Titles(
            self._regexes(table, "labels", "title"),
            cells=self._regexes(table, "cells", "title"),
            triggers=self._regexes(table, "triggers", "title"),
            phrases=self._regexes(table, "phrases", "title"),
            cut=self._regexes(table, "cut", "title"),
            strip=strip,
        )

    def organisations(self, table: Mapping[str, Any]) -> Organisations:
        return Organisations(
            self._regexes(table, "labels", "organisation"),
            sentences=self._regexes(table, "sentences", "organisation"),
            patterns=self._regexes(table, "patterns", "organisation"),
            letterhead=self._regexes(table, "letterhead", "organisation"),
        )

    def natures(self, table: Mapping[str, Any]) -> NatureRules:
        where = ("nature", "rules")
        rules = []
        for index, item in enumerate(self.array(table, "rules", "[nature]", ("nature",))):
            self.known(item, _RULE_KEYS, where, index)
            value = self.constant(item.get("value"), Nature, "[[nature.rules]]", where, "value")
            assert isinstance(value, Nature)
            label = "[[nature.rules]]"
            patterns = self.regexes(
                item, "patterns", label, where, index, compile_them=self.check_patterns
            )
            if not patterns:
                raise self.fail(f"{label} needs patterns", where, "patterns", index)
            rules.append(
                NatureRule(
                    value,
                    patterns,
                    self.regexes(
                        item, "label_only", label, where, index, compile_them=self.check_patterns
                    ),
                    self.flag(item, "first", label, where, index),
                )
            )
        return NatureRules(
            rules, self._regexes(table, "labels", "nature"), self._regexes(table, "cells", "nature")
        )


def check_data_file(
    source: Path | Traversable, *, identity: bool = False
) -> ConfigError | None:
    """Check the data file ``source`` fully (regexes compiled); the problem, or ``None``."""
    try:
        read_data_file(source, identity=identity, check_patterns=True)
    except ConfigError as error:
        return error
    return None
