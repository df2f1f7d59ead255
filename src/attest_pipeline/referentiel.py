"""The CMG référentiel of actions, loaded from a versioned data file.

The référentiel is "EN ATTENTE DE VALIDATION DGOS": it will change, so it lives in a TOML
file (``data/referentiel.toml``) that the secretariat can edit without touching code. This
module loads and checks it, renders it for ``attest referentiel``, and matches a name read
on an attestation (a congress, a journal, an institution) against an action's indicative
list.

Matching is deliberately strict: names are compared after removing accents, case and
punctuation, as whole words, against the item's text and its aliases, never by similarity.
A doubtful name simply does not match, which sends it to the "Hors liste" labellisation
(à demander au CNP) rather than filing it "de fait" by mistake.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from attest_pipeline.errors import ConfigError, toml_error

T = TypeVar("T")

#: The two labellisation values of the référentiel.
LABELLISATIONS: tuple[str, ...] = ("de_fait", "a_demander")

#: The conditions an action may state, each checked on what the attestation shows.
CONDITIONS: tuple[str, ...] = ("min_meetings", "min_duration_days")

#: The référentiel shipped with the package.
DEFAULT_REFERENTIEL: Path = Path(
    str(resources.files("attest_pipeline.data").joinpath("referentiel.toml"))
)

_LABELLISATION_TEXT = {"de_fait": "de fait", "a_demander": "à demander"}

# --------------------------------------------------------------------------- normalising

# Letters that Unicode decomposition leaves whole but French text uses.
_LIGATURES = (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss"))
# Typographic punctuation that separates words (decomposition leaves it non-ASCII); any
# other non-ASCII character left after decomposition (accents, symbols) is dropped.
_SEPARATORS = "’‘‚‛“”„«»‹›‐‑‒–—―−•·°"
# Byte tables: letters and digits kept (lower-cased or not), everything else a space.
_CASED = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))
_FOLDED = _CASED.lower()


def normalize(text: str, *, fold: bool = True) -> str:
    """``text`` without accents or punctuation, words separated by one space.

    With ``fold`` (the default) the result is also lower-cased; without it the case is
    kept, which is what acronym matching needs. Apostrophes and hyphens separate words:
    ``"Annonce d’une mauvaise nouvelle"`` gives ``"annonce d une mauvaise nouvelle"``.
    Only Latin letters and digits are kept (a Greek or Cyrillic letter is dropped).
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        if not text.isascii():
            # str.replace per character is much faster than a regex or a translate table.
            for letter, spelled in _LIGATURES:
                if letter in text:
                    text = text.replace(letter, spelled)
            for separator in _SEPARATORS:
                if separator in text:
                    text = text.replace(separator, " ")
    data = text.encode("ascii", "ignore").translate(_FOLDED if fold else _CASED)
    return " ".join(data.decode("ascii").split())


def is_acronym(key: str) -> bool:
    """Whether a search key is written entirely in capitals (so it matches only so)."""
    return key != key.casefold() and key == key.upper()


class NormalizedText:
    """A text normalised once for every search made in it (see :func:`normalize`).

    ``cased`` keeps the case, ``folded`` is lower-cased; the word lists and sets that
    the searches use are computed on first use.
    """

    __slots__ = ("_cased_set", "_cased_words", "_folded_set", "_folded_words", "cased", "folded")

    def __init__(self, *texts: str) -> None:
        # One text per line: a key (words joined by single spaces) never spans two texts.
        self.cased = "\n".join(n for n in (normalize(t, fold=False) for t in texts) if n)
        self.folded = self.cased.lower()
        self._cased_words: list[str] | None = None
        self._folded_words: list[str] | None = None
        self._cased_set: frozenset[str] | None = None
        self._folded_set: frozenset[str] | None = None

    def words(self, *, fold: bool) -> tuple[list[str], frozenset[str]]:
        """Return the words of the text (with their set), lower-cased or not.

        The texts stay apart: a line-break word, which no key contains, separates them.
        """
        if fold:
            if self._folded_words is None or self._folded_set is None:
                self._folded_words = self.folded.replace("\n", " \n ").split(" ")
                self._folded_set = frozenset(self._folded_words)
            return self._folded_words, self._folded_set
        if self._cased_words is None or self._cased_set is None:
            self._cased_words = self.cased.replace("\n", " \n ").split(" ")
            self._cased_set = frozenset(self._cased_words)
        return self._cased_words, self._cased_set


# First word of a key -> (the key's words, value), longest keys first.
_Index = dict[str, list[tuple[tuple[str, ...], T]]]


def _index(keys: Iterable[tuple[str, T]]) -> _Index[T]:
    index: _Index[T] = {}
    seen: set[tuple[str, ...]] = set()
    for key, value in keys:
        words = tuple(key.split())
        if words and words not in seen:
            seen.add(words)
            index.setdefault(words[0], []).append((words, value))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def _scan(index: _Index[T], words: list[str], present: frozenset[str]) -> T | None:
    # Only the words that begin some key are looked at, and only where they occur, so a
    # long text costs a set intersection and a few C-level list searches.
    best: tuple[int, T] | None = None
    for word in present.intersection(index):
        entries = index[word]
        position = -1
        while True:
            try:
                position = words.index(word, position + 1)
            except ValueError:
                break
            if best is not None and position >= best[0]:
                break
            value = next(
                (
                    v
                    for key, v in entries
                    if len(key) == 1 or tuple(words[position : position + len(key)]) == key
                ),
                None,
            )
            if value is not None:
                best = (position, value)
                break
    return None if best is None else best[1]


class KeyMatcher(Generic[T]):
    """Finds which of a set of search keys occurs in a text, as whole words.

    Keys are normalised once, at construction. A key written entirely in capitals is an
    acronym and is searched case-sensitively (``"ANS"`` must not match the word ``"ans"``);
    every other key is searched without regard to case. ``exact`` keys match only the
    whole text. Each key carries a value returned when it is found (the first key in the
    text's order, the longest at a given position).
    """

    __slots__ = ("_cased", "_exact", "_folded")

    def __init__(
        self,
        keys: Iterable[tuple[str, T]],
        exact: Iterable[tuple[str, T]] = (),
    ) -> None:
        folded: list[tuple[str, T]] = []
        cased: list[tuple[str, T]] = []
        for key, value in keys:
            if is_acronym(key):
                cased.append((normalize(key, fold=False), value))
            else:
                folded.append((normalize(key), value))
        self._folded = _index(folded)
        self._cased = _index(cased)
        self._exact: dict[str, T] = {}
        for key, value in exact:
            self._exact.setdefault(normalize(key), value)

    def find(self, text: str) -> T | None:
        """Return the value of the first key found in ``text`` (raw text), or ``None``."""
        return self.find_in(NormalizedText(text))

    def find_in(self, text: NormalizedText) -> T | None:
        """Like :meth:`find` on a text already normalised."""
        if self._exact and text.folded in self._exact:
            return self._exact[text.folded]
        if self._folded:
            found = _scan(self._folded, *text.words(fold=True))
            if found is not None:
                return found
        if self._cased:
            return _scan(self._cased, *text.words(fold=False))
        return None


# ------------------------------------------------------------------------------ the model


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of an action's indicative list (a congress, a journal, an institution...).

    ``text`` is the item exactly as published; ``aliases`` are extra search keys.
    ``min_year`` limits the item to the editions from that year on (the CNGE congress
    counts from its 2024 edition). ``exact`` items (generic names such as the journal
    *Médecine*) match only a field that is the whole name, never a word inside it.
    """

    text: str
    aliases: tuple[str, ...] = ()
    min_year: int | None = None
    exact: bool = False


@dataclass(frozen=True, slots=True)
class Action:
    """One action of the référentiel, e.g. 1.D (congresses).

    ``labellisation`` is the action's own (for listed items when it has a list);
    ``hors_liste`` is the labellisation of what is not on the list, ``None`` when the
    action has no "Hors liste" clause. ``conditions`` maps a name of :data:`CONDITIONS`
    to its threshold.
    """

    bloc: int
    letter: str
    label: str
    labellisation: str
    items: tuple[ListItem, ...] = ()
    hors_liste: str | None = None
    conditions: Mapping[str, int] = field(default_factory=dict, hash=False)
    note: str | None = None
    list_title: str | None = None
    _matcher: KeyMatcher[ListItem] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        """Freeze the conditions and precompile the list's search keys."""
        object.__setattr__(self, "conditions", MappingProxyType(dict(self.conditions)))
        phrases: list[tuple[str, ListItem]] = []
        whole: list[tuple[str, ListItem]] = []
        for item in self.items:
            target = whole if item.exact else phrases
            target.extend((key, item) for key in (item.text, *item.aliases))
        object.__setattr__(self, "_matcher", KeyMatcher(phrases, whole))

    @property
    def key(self) -> str:
        """``"1.A"`` style key."""
        return f"{self.bloc}.{self.letter}"

    @property
    def has_list(self) -> bool:
        """Whether the labellisation depends on a list (items or a "Hors liste" clause)."""
        return bool(self.items) or self.hors_liste is not None

    def find_item(self, text: str) -> ListItem | None:
        """Return the list item that ``text`` (a name read on an attestation) designates."""
        return self._matcher.find(text)

    def find_item_in(self, text: NormalizedText) -> ListItem | None:
        """Like :meth:`find_item` on a text already normalised."""
        return self._matcher.find_in(text)


@dataclass(frozen=True, slots=True)
class Bloc:
    """One of the four blocs, with its actions in letter order."""

    number: int
    title: str
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Referentiel:
    """The whole référentiel: version, status, source and the four blocs."""

    version: str
    status: str
    source: str
    blocs: tuple[Bloc, ...]
    _index: Mapping[tuple[int, str], Action] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        """Index the actions by (bloc, letter)."""
        index = {(a.bloc, a.letter): a for b in self.blocs for a in b.actions}
        object.__setattr__(self, "_index", MappingProxyType(index))

    def action(self, bloc: int, letter: str) -> Action:
        """Return the action ``bloc.letter``; ``KeyError`` if the référentiel has none."""
        return self._index[(bloc, letter)]

    @property
    def actions(self) -> Iterator[Action]:
        """Every action, bloc by bloc, in the file's order."""
        return (action for bloc in self.blocs for action in bloc.actions)


# ---------------------------------------------------------------------- locating lines


class TomlLocator:
    """Finds the line of a table or a key in a TOML text, to point errors at it.

    ``tomllib`` gives no positions for values, so semantic errors are located from the
    text: the ``index``-th table with that header (``"[[actions]]"``, ``"[themes]"``),
    then a key or a string inside it. Lines are 1-based; ``None`` when not found.
    """

    __slots__ = ("_headers", "_lines")

    def __init__(self, text: str) -> None:
        self._lines = text.splitlines()
        # Each table header with its line, spaces removed ("[[ actions ]]" -> "[[actions]]").
        self._headers: list[tuple[str, int]] = []
        for number, line in enumerate(self._lines):
            stripped = line.strip()
            if stripped.startswith("[") and not stripped.startswith('["'):
                header = stripped.split("#", 1)[0].replace(" ", "").replace("\t", "")
                if header.endswith("]"):
                    self._headers.append((header, number))

    def _span(self, header: str | None, index: int) -> tuple[int, int] | None:
        """0-based [first, last) line range of the table (the top level when no header)."""
        starts = [number for _, number in self._headers]
        if header is None:
            return 0, starts[0] if starts else len(self._lines)
        wanted = header.replace(" ", "")
        matches = [n for h, n in self._headers if h == wanted]
        if index >= len(matches):
            return None
        first = matches[index]
        following = [n for n in starts if n > first]
        return first, following[0] if following else len(self._lines)

    def table(self, header: str, index: int = 0) -> int | None:
        """Line of the ``index``-th table with this header."""
        span = self._span(header, index)
        return None if span is None else span[0] + 1

    def key(self, key: str, header: str | None = None, index: int = 0) -> int | None:
        """Line of ``key = ...`` in that table (the table's own line when the key is absent)."""
        span = self._span(header, index)
        if span is None:
            return None
        pattern = re.compile(r"\s*" + re.escape(key) + r"\s*=")
        for number in range(span[0], span[1]):
            if pattern.match(self._lines[number]):
                return number + 1
        return span[0] + 1 if header is not None else None

    def find(self, needle: str, header: str | None = None, index: int = 0) -> int | None:
        """Line of the first line containing ``needle``, in that table or anywhere."""
        if header is None:
            span: tuple[int, int] | None = (0, len(self._lines))
        else:
            span = self._span(header, index)
        if span is None:
            return None
        for number in range(span[0], span[1]):
            if needle in self._lines[number]:
                return number + 1
        return None


def read_toml(path: Path) -> tuple[dict[str, Any], TomlLocator]:
    """Parse a TOML file; :class:`ConfigError` (with the line) if unreadable or malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, f"cannot read the file: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise toml_error(path, error) from error
    return data, TomlLocator(text)


# ---------------------------------------------------------------------------- loading


class _Loader:
    """Checks the parsed file and builds the model, raising ConfigError at the first fault."""

    def __init__(self, path: Path, locator: TomlLocator) -> None:
        self.path = path
        self.locate = locator

    def fail(self, problem: str, line: int | None) -> ConfigError:
        return ConfigError(self.path, problem, line)

    def get(
        self,
        table: Mapping[str, Any],
        key: str,
        kind: type | tuple[type, ...],
        where: tuple[str | None, int],
        *,
        required: bool = True,
    ) -> Any:
        """``table[key]`` checked against ``kind`` (``None`` when optional and absent)."""
        header, index = where
        what = f"{header} #{index + 1}" if header else "top level"
        if key not in table:
            if required:
                raise self.fail(f"{what}: missing key '{key}'", self.locate.key(key, *where))
            return None
        value = table[key]
        # bool is an int in Python, but ``bloc = true`` is a mistake worth reporting.
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise self.fail(
                f"{what}: '{key}' must be {names}, not {type(value).__name__}",
                self.locate.key(key, *where),
            )
        return value

    def unknown_keys(
        self, table: Mapping[str, Any], allowed: Iterable[str], where: tuple[str | None, int]
    ) -> None:
        """Refuse keys the format does not know (a typo would otherwise be ignored)."""
        extra = sorted(set(table) - set(allowed))
        if extra:
            header, index = where
            what = f"{header} #{index + 1}" if header else "top level"
            raise self.fail(f"{what}: unknown key '{extra[0]}'", self.locate.key(extra[0], *where))

    def labellisation(self, value: str, key: str, where: tuple[str | None, int]) -> str:
        if value not in LABELLISATIONS:
            raise self.fail(
                f"'{key}' must be one of {', '.join(LABELLISATIONS)}, not {value!r}",
                self.locate.key(key, *where),
            )
        return value

    def item(self, raw: Any, where: tuple[str | None, int]) -> ListItem:
        line = self.locate.key("items", *where)
        if not isinstance(raw, dict):
            raise self.fail("each list item must be a table { text = ... }", line)
        text = raw.get("text")
        if isinstance(text, str):
            line = self.locate.find(f'"{text}"', *where) or line
        else:
            raise self.fail("a list item needs a 'text' string", line)
        extra = sorted(set(raw) - {"text", "aliases", "min_year", "exact"})
        if extra:
            raise self.fail(f"list item {text!r}: unknown key '{extra[0]}'", line)
        aliases = raw.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise self.fail(f"list item {text!r}: 'aliases' must be a list of strings", line)
        min_year = raw.get("min_year")
        if min_year is not None and (not isinstance(min_year, int) or isinstance(min_year, bool)):
            raise self.fail(f"list item {text!r}: 'min_year' must be an integer", line)
        exact = raw.get("exact", False)
        if not isinstance(exact, bool):
            raise self.fail(f"list item {text!r}: 'exact' must be true or false", line)
        return ListItem(text=text, aliases=tuple(aliases), min_year=min_year, exact=exact)

    def action(self, raw: Any, index: int, blocs: Mapping[int, str]) -> Action:
        where: tuple[str | None, int] = ("[[actions]]", index)
        if not isinstance(raw, dict):
            raise self.fail(
                "[[actions]] entries must be tables", self.locate.table("[[actions]]", index)
            )
        self.unknown_keys(
            raw,
            (
                "bloc",
                "letter",
                "label",
                "labellisation",
                "list_title",
                "items",
                "hors_liste",
                "conditions",
                "note",
            ),
            where,
        )
        bloc = self.get(raw, "bloc", int, where)
        if bloc not in blocs:
            raise self.fail(f"action of unknown bloc {bloc}", self.locate.key("bloc", *where))
        letter = self.get(raw, "letter", str, where)
        if not re.fullmatch(r"[A-Z]", letter):
            raise self.fail(
                f"'letter' must be one capital letter, not {letter!r}",
                self.locate.key("letter", *where),
            )
        label = self.get(raw, "label", str, where)
        labellisation = self.labellisation(
            self.get(raw, "labellisation", str, where), "labellisation", where
        )
        hors_liste = self.get(raw, "hors_liste", str, where, required=False)
        if hors_liste is not None:
            self.labellisation(hors_liste, "hors_liste", where)
        items = tuple(
            self.item(item, where)
            for item in self.get(raw, "items", list, where, required=False) or ()
        )
        conditions = self.get(raw, "conditions", dict, where, required=False) or {}
        for name, value in conditions.items():
            line = self.locate.key("conditions", *where)
            if name not in CONDITIONS:
                raise self.fail(
                    f"unknown condition '{name}' (known: {', '.join(CONDITIONS)})", line
                )
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise self.fail(f"condition '{name}' must be a positive integer", line)
        return Action(
            bloc=bloc,
            letter=letter,
            label=label,
            labellisation=labellisation,
            items=items,
            hors_liste=hors_liste,
            conditions=conditions,
            note=self.get(raw, "note", str, where, required=False),
            list_title=self.get(raw, "list_title", str, where, required=False),
        )

    def referentiel(self, data: dict[str, Any]) -> Referentiel:
        top: tuple[str | None, int] = (None, 0)
        self.unknown_keys(data, ("version", "status", "source", "blocs", "actions"), top)
        version = self.get(data, "version", str, top)
        status = self.get(data, "status", str, top)
        source = self.get(data, "source", str, top)
        raw_blocs = self.get(data, "blocs", list, top)
        titles: dict[int, str] = {}
        for index, raw in enumerate(raw_blocs):
            where: tuple[str | None, int] = ("[[blocs]]", index)
            if not isinstance(raw, dict):
                raise self.fail(
                    "[[blocs]] entries must be tables", self.locate.table("[[blocs]]", index)
                )
            self.unknown_keys(raw, ("number", "title"), where)
            number = self.get(raw, "number", int, where)
            if number in titles:
                raise self.fail(f"duplicate bloc {number}", self.locate.key("number", *where))
            titles[number] = self.get(raw, "title", str, where)
        actions: dict[tuple[int, str], Action] = {}
        for index, raw in enumerate(self.get(data, "actions", list, top)):
            action = self.action(raw, index, titles)
            if (action.bloc, action.letter) in actions:
                raise self.fail(
                    f"duplicate action {action.key}",
                    self.locate.key("letter", "[[actions]]", index),
                )
            actions[(action.bloc, action.letter)] = action
        blocs = tuple(
            Bloc(
                number=number,
                title=title,
                actions=tuple(
                    sorted((a for a in actions.values() if a.bloc == number), key=_letter)
                ),
            )
            for number, title in sorted(titles.items())
        )
        return Referentiel(version=version, status=status, source=source, blocs=blocs)


def _letter(action: Action) -> str:
    return action.letter


def load_referentiel(path: Path | None = None) -> Referentiel:
    """Load and check a référentiel file (the shipped one by default).

    Raises :class:`~attest_pipeline.errors.ConfigError` naming the file and the line at
    fault for a syntax error, a missing key, a value of the wrong type, an unknown
    labellisation or condition, or two actions with the same letter in a bloc.
    """
    path = DEFAULT_REFERENTIEL if path is None else Path(path)
    data, locator = read_toml(path)
    return _Loader(path, locator).referentiel(data)


# -------------------------------------------------------------------------- rendering


def _condition_text(name: str, value: int) -> str:
    if name == "min_meetings":
        return f"at least {value} meetings"
    if name == "min_duration_days":
        return f"over at least {value} days" if value != 365 else "over at least 1 year"
    return f"{name} = {value}"


def format_referentiel(ref: Referentiel) -> str:
    """Render the référentiel as readable text (what ``attest referentiel`` prints).

    One line per action, ``1.A  [de fait]  label``, followed by its indicative list,
    "Hors liste" labellisation, conditions and note, indented.
    """
    out = [f"Référentiel {ref.version} ({ref.status})", f"Source: {ref.source}"]
    indent = " " * 7
    for bloc in ref.blocs:
        out += ["", f"Bloc {bloc.number}. {bloc.title}"]
        for action in bloc.actions:
            tag = _LABELLISATION_TEXT[action.labellisation]
            out.append(f"{action.key}  [{tag}]  {action.label}")
            if action.has_list:
                title = action.list_title or "Liste"
                out.append(f"{indent}{title} [{tag}]:")
                out += [f"{indent}  - {item.text}" for item in action.items]
                if not action.items:
                    out.append(f"{indent}  (empty)")
                if action.hors_liste is not None:
                    out.append(f"{indent}Hors liste [{_LABELLISATION_TEXT[action.hors_liste]}]")
            if action.conditions:
                conditions = ", ".join(_condition_text(k, v) for k, v in action.conditions.items())
                out.append(f"{indent}Conditions: {conditions}")
            if action.note:
                out.append(f"{indent}Note: {action.note}")
    return "\n".join(out)


def referentiel_to_json(ref: Referentiel) -> dict[str, Any]:
    """Return the référentiel as a JSON-ready dict (``attest referentiel --json``)."""
    return {
        "version": ref.version,
        "status": ref.status,
        "source": ref.source,
        "blocs": [
            {
                "number": bloc.number,
                "title": bloc.title,
                "actions": [
                    {
                        "bloc": action.bloc,
                        "letter": action.letter,
                        "key": action.key,
                        "label": action.label,
                        "labellisation": action.labellisation,
                        "list_title": action.list_title,
                        "items": [
                            {
                                "text": item.text,
                                "aliases": list(item.aliases),
                                "min_year": item.min_year,
                                "exact": item.exact,
                            }
                            for item in action.items
                        ],
                        "hors_liste": action.hors_liste,
                        "conditions": dict(action.conditions),
                        "note": action.note,
                    }
                    for action in bloc.actions
                ],
            }
            for bloc in ref.blocs
        ],
    }
