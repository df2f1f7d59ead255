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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from attest_pipeline.datafile import DataFile, Table
from attest_pipeline.text.keywords import KeyMatcher, KeyText

#: The two labellisation values of the référentiel.
LABELLISATIONS: tuple[str, ...] = ("de_fait", "a_demander")

#: The conditions an action may state, each checked on what the attestation shows.
CONDITIONS: tuple[str, ...] = ("min_meetings", "min_duration_days")

#: The référentiel shipped with the package.
DEFAULT_REFERENTIEL: Path = Path(
    str(resources.files("attest_pipeline.data").joinpath("referentiel.toml"))
)

_LABELLISATION_TEXT = {"de_fait": "de fait", "a_demander": "à demander"}

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

    def find_item_in(self, text: KeyText) -> ListItem | None:
        """Like :meth:`find_item` on a text already prepared."""
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


# ---------------------------------------------------------------------------- loading

_TOP_KEYS = ("version", "status", "source", "blocs", "actions")
_BLOC_KEYS = ("number", "title")
_ACTION_KEYS = (
    "bloc",
    "letter",
    "label",
    "labellisation",
    "list_title",
    "items",
    "hors_liste",
    "conditions",
    "note",
)
_ITEM_KEYS = ("text", "aliases", "min_year", "exact")


def _item(table: Table) -> ListItem:
    return ListItem(
        text=table.text("text"),
        aliases=table.texts("aliases", ()),
        min_year=table.integer("min_year", None),
        exact=table.flag("exact", False),
    )


def _action(table: Table, blocs: Mapping[int, str]) -> Action:
    bloc = table.integer("bloc")
    if bloc not in blocs:
        raise table.error(f"names an unknown bloc {bloc} (known: {sorted(blocs)})", "bloc")
    letter = table.text("letter")
    if not re.fullmatch(r"[A-Z]", letter):
        raise table.error(f"must be one capital letter, not {letter!r}", "letter")
    conditions = table.table("conditions", known=CONDITIONS)
    return Action(
        bloc=bloc,
        letter=letter,
        label=table.text("label"),
        labellisation=table.choice("labellisation", LABELLISATIONS),
        items=tuple(_item(item) for item in table.tables("items", known=_ITEM_KEYS)),
        hors_liste=table.choice("hors_liste", LABELLISATIONS, None),
        conditions={name: conditions.integer(name, minimum=1) for name in conditions},
        note=table.text("note", None),
        list_title=table.text("list_title", None),
    )


def _build_referentiel(file: DataFile) -> Referentiel:
    """Check the file's tables and build the model; ConfigError at the first fault."""
    root = file.root
    root.check_keys(_TOP_KEYS)
    titles: dict[int, str] = {}
    for table in root.tables("blocs", known=_BLOC_KEYS, required=True):
        number = table.integer("number")
        if number in titles:
            raise table.error(f"is a second bloc {number}", "number")
        titles[number] = table.text("title")
    actions: dict[tuple[int, str], Action] = {}
    for table in root.tables("actions", known=_ACTION_KEYS, required=True):
        action = _action(table, titles)
        if (action.bloc, action.letter) in actions:
            raise table.error(f"makes a duplicate action {action.key}", "letter")
        actions[(action.bloc, action.letter)] = action
    blocs = tuple(
        Bloc(
            number=number,
            title=title,
            actions=tuple(sorted((a for a in actions.values() if a.bloc == number), key=_letter)),
        )
        for number, title in sorted(titles.items())
    )
    return Referentiel(
        version=root.text("version"),
        status=root.text("status"),
        source=root.text("source"),
        blocs=blocs,
    )


def _letter(action: Action) -> str:
    return action.letter


def load_referentiel(path: Path | None = None) -> Referentiel:
    """Load and check a référentiel file (the shipped one by default).

    Raises :class:`~attest_pipeline.errors.ConfigError` naming the file and the line at
    fault for a syntax error, a missing or unknown key, a value of the wrong type, an
    unknown labellisation or condition, or two actions with the same letter in a bloc.
    """
    return _build_referentiel(DataFile.read(DEFAULT_REFERENTIEL if path is None else path))


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
