"""The mapping rules: from what an attestation proves to the actions it may count for.

The rules are data (``data/mapping.toml``): theme keywords, family rewrites (a training
funded by the FAF-PM counts like an ANDPC one), default natures, and an ordered table of
rules keyed on (family, nature, theme) giving the candidate actions, most specific first.
This module loads and checks them and detects an attestation's theme;
:mod:`attest_pipeline.eligibility` applies them to an attestation.

Everything is normalised and compiled when the files are loaded; eligibility then does a
handful of dictionary look-ups and regular-expression searches per attestation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from attest_pipeline.datafile import DataFile, Table
from attest_pipeline.errors import ConfigError
from attest_pipeline.models import Extraction, Family, Nature
from attest_pipeline.referentiel import Action, Referentiel
from attest_pipeline.text.keywords import KeyMatcher, KeyText

#: The mapping rules shipped with the package.
DEFAULT_RULES: Path = Path(str(resources.files("attest_pipeline.data").joinpath("mapping.toml")))

#: The theme of an attestation none of whose keywords lists matched.
GENERAL = "general"

#: The value of ``natures`` in a rule that stands for "no nature stated".
UNSET = "unset"

#: Extraction fields a rule may search for list items (plus ``extra:<key>``).
MATCH_FIELDS: tuple[str, ...] = ("issuer", "title", "event", "journal", "theme")

_OVERRIDE_KEYS = ("family", "becomes", "extra", "values")
_CANDIDATE = re.compile(r"([1-9][0-9]*)\.([A-Z])")


# ------------------------------------------------------------------------------ the rules


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme and its keywords; ``exclude`` phrases cancel the theme when present.

    ``together`` are combinations of words that show the theme only together, anywhere
    in one of the texts (``communication + patient``): each is a tuple of parts, each part
    the alternatives of which one must appear.
    """

    name: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    together: tuple[tuple[tuple[str, ...], ...], ...] = ()
    _keywords: KeyMatcher[bool] = field(init=False, repr=False, compare=False, hash=False)
    _exclude: KeyMatcher[bool] = field(init=False, repr=False, compare=False, hash=False)
    _together: tuple[tuple[KeyMatcher[bool], ...], ...] = field(
        init=False, repr=False, compare=False, hash=False
    )
    _subjects: KeyMatcher[bool] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Precompile the keyword lists."""
        object.__setattr__(self, "_keywords", KeyMatcher((k, True) for k in self.keywords))
        subjects = (k for combination in self.together for k in combination[0])
        object.__setattr__(self, "_subjects", KeyMatcher((k, True) for k in subjects))
        object.__setattr__(self, "_exclude", KeyMatcher((k, True) for k in self.exclude))
        together = tuple(
            tuple(KeyMatcher((k, True) for k in part) for part in combination)
            for combination in self.together
        )
        object.__setattr__(self, "_together", together)

    def found_in(self, text: KeyText) -> bool:
        """Whether the text shows this theme (a keyword or a combination, no exclusion)."""
        shown = bool(self._keywords.find_in(text)) or self._combined(text)
        return shown and not self._exclude.find_in(text)

    def _combined(self, text: KeyText) -> bool:
        """Whether one of the texts (a title, a theme) holds every part of a combination."""
        # A combination's first part (its subject: stress, violence) is rarer than the
        # others (médecin, cabinet): one search of all the subjects spares most texts the
        # search of each part.
        if not self._subjects.find_in(text):
            return False
        # What one of the texts holds, all of them hold: a combination is looked for in
        # each text apart only when all of them hold it, which few do.
        held = [parts for parts in self._together if all(part.find_in(text) for part in parts)]
        if not held or "\n" not in text.cased:
            return bool(held)
        ones = [KeyText(line) for line in text.cased.split("\n")]
        return any(all(part.find_in(one) for part in parts) for parts in held for one in ones)


@dataclass(frozen=True, slots=True)
class FamilyOverride:
    """Treat ``family`` as ``becomes`` when ``extras[extra]`` names one of ``values``."""

    family: Family
    becomes: Family
    extra: str
    values: tuple[str, ...]
    _values: KeyMatcher[bool] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Precompile the values."""
        object.__setattr__(self, "_values", KeyMatcher((v, True) for v in self.values))

    def applies(self, extraction: Extraction, family: Family) -> bool:
        """Whether this rewrite applies to the extraction (of effective family ``family``)."""
        if family is not self.family:
            return False
        found = extraction.extras.get(self.extra)
        return found is not None and bool(self._values.find(str(found.value)))


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the rule table.

    ``natures`` is ``None`` for any nature (stated or not); otherwise the set of natures
    it applies to, ``None`` inside the set meaning "no nature stated". ``theme`` ``None``
    applies to any theme. ``candidates`` are (bloc, letter) pairs, most specific first;
    ``match`` the Extraction fields searched for list items. ``needs`` are the fields
    without which the rule's choice is a guess (a diploma's title decides between the
    general and the patient-relationship actions): when none of them was read, the
    attestation goes to review. ``also`` are actions added after the candidates only when
    one of their indicative list's items is found in the ``match`` fields (WONCA, in 1.E's
    list of institutional meetings, makes 1.E a candidate beside 1.D for its congress).
    ``source`` is the table the rule was read from: :attr:`line` asks it.
    """

    family: Family
    candidates: tuple[tuple[int, str], ...]
    natures: frozenset[Nature | None] | None = None
    theme: str | None = None
    match: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    also: tuple[tuple[int, str], ...] = ()
    source: Table | None = field(default=None, repr=False, compare=False)

    @property
    def line(self) -> int | None:
        """The rule's line in its file, for error messages.

        Found when asked, that is for an error only: the walk of the file for lines costs
        two fifths of loading the rules.
        """
        return None if self.source is None else self.source.line()

    def fits(self, family: Family, nature: Nature | None, theme: str) -> bool:
        """Whether the rule applies to this (family, nature, theme)."""
        return (
            family is self.family
            and (self.natures is None or nature in self.natures)
            and (self.theme is None or self.theme == theme)
        )


@dataclass(frozen=True, slots=True)
class MappingRules:
    """The mapping rules of one file, checked and precompiled."""

    path: Path
    themes: tuple[Theme, ...]
    rules: tuple[Rule, ...]
    overrides: tuple[FamilyOverride, ...] = ()
    default_natures: Mapping[Family, Nature] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        """Freeze the default natures."""
        object.__setattr__(self, "default_natures", MappingProxyType(dict(self.default_natures)))

    @property
    def theme_names(self) -> tuple[str, ...]:
        """Every theme a rule may name, ``"general"`` last."""
        return (*(t.name for t in self.themes), GENERAL)


# ----------------------------------------------------------------------------- loading


_THEME_KEYS = ("keywords", "exclude", "together")
_RULE_KEYS = ("family", "natures", "theme", "candidates", "match", "needs", "also")
_TOP_KEYS = ("themes", "family_overrides", "default_natures", "rules")


def _family_named(table: Table, key: str, name: str | None = None) -> Family:
    """The family named by ``table[key]`` (or by ``name``, the key itself, when given)."""
    value = table.text(key) if name is None else name
    try:
        return Family(value)
    except ValueError:
        known = ", ".join(f.value for f in Family)
        raise table.error(f"names an unknown family {value!r} (known: {known})", key) from None


def _nature_named(table: Table, value: str, *key: str | int) -> Nature:
    try:
        return Nature(value)
    except ValueError:
        known = ", ".join(n.value for n in Nature)
        raise table.error(f"names an unknown nature {value!r} (known: {known})", *key) from None


def _combination(table: Table, index: int) -> tuple[tuple[str, ...], ...]:
    """Read ``"a|b + c|d"``: parts joined by ``+``, alternatives by ``|``."""
    text = table.texts("together")[index]
    parts = tuple(
        tuple(a.strip() for a in part.split("|") if a.strip()) for part in text.split("+")
    )
    if len(parts) < 2 or not all(parts):
        raise table.error(
            f"must be two or more parts joined by '+' (alternatives separated by '|'), "
            f"not {text!r}",
            "together",
            index,
        )
    return parts


def _themes(file: DataFile) -> tuple[Theme, ...]:
    raw = file.root.table("themes", required=True)
    names = raw.texts("order")
    tables = [key for key in raw if key != "order"]
    if set(names) != set(tables) or len(set(names)) != len(names) or GENERAL in names:
        raise raw.error(
            "must name each [themes.<name>] table once ('general' is implicit)", "order"
        )
    themes = []
    for name in names:
        table = raw.table(name, known=_THEME_KEYS)
        together = tuple(_combination(table, i) for i in range(len(table.texts("together", ()))))
        themes.append(Theme(name, table.texts("keywords"), table.texts("exclude", ()), together))
    return tuple(themes)


def _overrides(file: DataFile) -> tuple[FamilyOverride, ...]:
    return tuple(
        FamilyOverride(
            family=_family_named(table, "family"),
            becomes=_family_named(table, "becomes"),
            extra=table.text("extra"),
            values=table.texts("values"),
        )
        for table in file.root.tables("family_overrides", known=_OVERRIDE_KEYS)
    )


def _default_natures(file: DataFile) -> dict[Family, Nature]:
    table = file.table("default_natures")
    return {
        _family_named(table, key, key): _nature_named(table, table.text(key), key) for key in table
    }


def _rule(table: Table, theme_names: Sequence[str]) -> Rule:
    family = _family_named(table, "family")
    natures: frozenset[Nature | None] | None = None
    if "natures" in table:
        natures = frozenset(
            None if name == UNSET else _nature_named(table, name, "natures", index)
            for index, name in enumerate(table.texts("natures"))
        )
    theme = table.choice("theme", theme_names, None)
    keyed: dict[str, list[tuple[int, str]]] = {}
    for name, texts in (
        ("candidates", table.texts("candidates", empty=False)),
        ("also", table.texts("also", ())),
    ):
        keyed[name] = []
        for index, key in enumerate(texts):
            found = _CANDIDATE.fullmatch(key)
            if found is None:
                raise table.error(f"must be of the form '1.A', not {key!r}", name, index)
            keyed[name].append((int(found.group(1)), found.group(2)))
    candidates = keyed["candidates"]
    match = table.texts("match", ())
    needs = table.texts("needs", ())
    for key, names in (("match", match), ("needs", needs)):
        for index, name in enumerate(names):
            if name not in MATCH_FIELDS and not (name.startswith("extra:") and len(name) > 6):
                raise table.error(
                    f"cannot {'match on' if key == 'match' else 'need'} {name!r} "
                    f"(use {', '.join(MATCH_FIELDS)} or extra:<key>)",
                    key,
                    index,
                )
    return Rule(
        family=family,
        candidates=tuple(candidates),
        natures=natures,
        theme=theme,
        match=match,
        needs=needs,
        also=tuple(keyed["also"]),
        source=table,
    )


def _build_rules(file: DataFile) -> MappingRules:
    """Check the file's tables and build the rules; ConfigError at the first fault."""
    file.root.check_keys(_TOP_KEYS)
    themes = _themes(file)
    theme_names = (*(t.name for t in themes), GENERAL)
    rules = file.root.tables("rules", known=_RULE_KEYS, required=True)
    if not rules:
        raise file.error("has no [[rules]] table")
    return MappingRules(
        path=file.path,
        themes=themes,
        rules=tuple(_rule(table, theme_names) for table in rules),
        overrides=_overrides(file),
        default_natures=_default_natures(file),
    )


def load_rules(path: Path | None = None) -> MappingRules:
    """Load and check a mapping rules file (the shipped one by default).

    Raises :class:`~attest_pipeline.errors.ConfigError` naming the file and the line at
    fault for a syntax error, a missing key, a value of the wrong type or an unknown
    family, nature, theme, candidate or field.
    """
    return _build_rules(DataFile.read(DEFAULT_RULES if path is None else path))


def check_rules(rules: MappingRules, referentiel: Referentiel) -> None:
    """Raise :class:`ConfigError` if a rule names an action the référentiel lacks.

    Call it once after loading both files, so that a référentiel update that drops or
    renames an action is reported at start-up rather than on the first attestation.
    """
    for rule in rules.rules:
        for bloc, letter in (*rule.candidates, *rule.also):
            action_of(rules, rule, referentiel, bloc, letter)


def action_of(
    rules: MappingRules, rule: Rule, referentiel: Referentiel, bloc: int, letter: str
) -> Action:
    """The action ``bloc.letter`` that ``rule`` names; ConfigError at the rule's line if absent."""
    try:
        return referentiel.action(bloc, letter)
    except KeyError:
        raise ConfigError(
            rules.path,
            f"rule names action {bloc}.{letter}, absent from référentiel {referentiel.version}",
            rule.line,
        ) from None


# ------------------------------------------------------------------------------ themes


def detect_theme(rules: MappingRules, *texts: str) -> str:
    """Return the theme shown by ``texts`` (title, theme, or the whole text).

    ``"professional_risks"``, ``"relation_patients"`` or ``"general"``. Keywords are
    matched as whole words, ignoring accents, case and punctuation. When keywords of
    several themes appear, the first theme of the file's ``themes.order`` wins
    (professional risks before relation with patients in the shipped rules: their
    keywords are the more specific).
    """
    text = KeyText(*texts)
    if not text.folded:
        return GENERAL
    for theme in rules.themes:
        if theme.found_in(text):
            return theme.name
    return GENERAL
