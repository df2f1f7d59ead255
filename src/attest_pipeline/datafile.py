"""Data files: reading a TOML file and checking its tables, with the line of every fault.

Every file a person edits (``config.toml``, the référentiel, the mapping rules...) is read
through :class:`DataFile`, so that a mistake is always reported the same way: a
:class:`~attest_pipeline.errors.ConfigError` naming the file, the line, the key and what
was expected::

    referentiel.toml:24: [[actions]] #2 hors_liste must be one of de_fait, a_demander, not 'oui'
    config.toml:12: [limit] is unknown (known: limits, mail, ocr, paths, plugins, run, ...)

A loader opens the file, takes its tables and reads their values with typed getters::

    file = DataFile.read(path)
    paths = file.table("paths", known=("inbox", "roster"))
    inbox = paths.text("inbox")                     # required: "[paths] inbox is required"
    jobs = file.table("run", known=("jobs",)).number("jobs", 1, minimum=0)
    for action in file.root.tables("actions", known=ACTION_KEYS):
        letter = action.text("letter")
        if not re.fullmatch("[A-Z]", letter):
            raise action.error(f"must be one capital letter, not {letter!r}", "letter")

``tomllib`` gives no positions, so the file's text is walked once more (it is valid TOML by
then) to note the line of each key, table and array element: an error points at the key at
fault, or, when the key is missing, at its table. The walk is made when a line is first
asked for, that is for an error only: a file read without fault is never walked (the walk,
in Python, costs as much as ``tomllib`` itself: about 9 ms for the files a one-file
``attest extract`` reads). And what ``tomllib`` parsed is kept between runs in the user's
cache folder (:mod:`~attest_pipeline.cache`), as JSON, which reads back ten to thirty
times faster: 3 ms of the référentiel become 0.1 ms. Each data file has one cache file,
named after its absolute path, holding the SHA-256 of the text it was parsed from and the
Python version; any other text is parsed afresh. A file holding dates or times (JSON has
none) is not kept.

One module (about 450 lines): the walk that finds lines and the getters that use them are
one responsibility, a data file's checking, and read better together.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar, cast

from attest_pipeline.cache import cache_folder, write_atomically
from attest_pipeline.errors import ConfigError, toml_error

#: A key of a table, or the index of an element of an array.
Key = str | int
#: The keys from the top of a file to a value: ``("actions", 2, "letter")``.
KeyPath = tuple[Key, ...]


class _Required:
    """The default of a getter whose key must be present."""

    def __repr__(self) -> str:
        return "REQUIRED"


#: Pass as a getter's default (or leave it out) for a key that must be present.
REQUIRED: Final = _Required()

D = TypeVar("D")

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


# ------------------------------------------------------------------------- lines


class _Lines:
    """Walks a TOML text that ``tomllib`` accepted and notes the line of every key.

    ``lines`` maps each key path (tables, keys, array elements) to its 1-based line;
    ``headers`` holds the tables opened by a ``[header]`` or ``[[header]]``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.line = 1
        self.lines: dict[KeyPath, int] = {}
        self.headers: set[KeyPath] = set()
        self._arrays: dict[KeyPath, int] = {}
        self._walk()

    def _walk(self) -> None:
        table: KeyPath = ()
        while self._blank() < len(self.text):
            line = self.line
            if self.text[self.at] == "[":
                array = self.text.startswith("[[", self.at)
                self.at += 2 if array else 1
                keys = self._keys("]")
                self.at += 2 if array else 1
                table = self._resolve(keys)
                if array:
                    count = self._arrays.get(table, 0)
                    self._arrays[table] = count + 1
                    self._note(table, line)
                    table = (*table, count)
                self._note(table, line)
                self.headers.add(table)
            else:
                path = (*table, *self._keys("="))
                self.at += 1
                self._note(path, line)
                self._value(path)

    def _resolve(self, keys: KeyPath) -> KeyPath:
        """The path of a header: each array of tables on the way means its last element."""
        path: KeyPath = ()
        for key in keys[:-1]:
            path = (*path, key)
            if path in self._arrays:
                path = (*path, self._arrays[path] - 1)
        return (*path, keys[-1])

    def _note(self, path: KeyPath, line: int) -> None:
        for end in range(1, len(path)):
            self.lines.setdefault(path[:end], line)
        self.lines.setdefault(path, line)

    def _blank(self, *, newlines: bool = True) -> int:
        """Skip spaces and comments (and line breaks unless told not to)."""
        text = self.text
        while self.at < len(text):
            char = text[self.at]
            if char in " \t\r":
                self.at += 1
            elif char == "\n" and newlines:
                self.line += 1
                self.at += 1
            elif char == "#":
                end = text.find("\n", self.at)
                self.at = len(text) if end < 0 else end
            else:
                break
        return self.at

    def _keys(self, end: str) -> KeyPath:
        """Read a dotted key up to ``end`` (``=`` or ``]``), which is left unread."""
        keys: list[str] = []
        while True:
            self._blank(newlines=False)
            char = self.text[self.at]
            if char in "\"'":
                start = self.at
                self._string()
                keys.append(tomllib.loads(f"k = {self.text[start : self.at]}")["k"])
            else:
                match = _BARE_KEY.match(self.text, self.at)
                assert match is not None, "tomllib accepted the file"
                keys.append(match.group())
                self.at = match.end()
            self._blank(newlines=False)
            if self.text[self.at] == ".":
                self.at += 1
                continue
            assert self.text.startswith(end, self.at), "tomllib accepted the file"
            return tuple(keys)

    def _string(self) -> None:
        """Pass a string of any of the four kinds, counting its line breaks."""
        text = self.text
        quote = text[self.at]
        triple = text.startswith(quote * 3, self.at)
        self.at += 3 if triple else 1
        while True:
            char = text[self.at]
            if char == "\\" and quote == '"':
                if text[self.at + 1] == "\n":
                    self.line += 1
                self.at += 2
                continue
            if char == "\n":
                self.line += 1
            if char == quote and (not triple or text.startswith(quote * 3, self.at)):
                self.at += 3 if triple else 1
                # A multi-line string may end with one or two quotes before its delimiter.
                while triple and text.startswith(quote, self.at):
                    self.at += 1
                return
            self.at += 1

    def _value(self, path: KeyPath) -> None:
        self._blank(newlines=False)
        char = self.text[self.at]
        if char in "\"'":
            self._string()
        elif char == "[":
            self.at += 1
            index = 0
            while self.text[self._blank()] != "]":
                self._note((*path, index), self.line)
                self._value((*path, index))
                if self.text[self._blank()] == ",":
                    self.at += 1
                index += 1
            self.at += 1
        elif char == "{":
            self.at += 1
            while self.text[self._blank(newlines=False)] != "}":
                line = self.line
                keys = (*path, *self._keys("="))
                self.at += 1
                self._note(keys, line)
                self._value(keys)
                if self.text[self._blank(newlines=False)] == ",":
                    self.at += 1
            self.at += 1
        else:
            match = re.compile(r"[^,\]}\n#]*").match(self.text, self.at)
            assert match is not None
            self.at = match.end()


# ------------------------------------------------------------------ parsed, kept


def _parse(path: Path, text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, the text of ``path``, through the cache folder."""
    folder = cache_folder()
    if folder is None:
        return tomllib.loads(text)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    name = hashlib.sha256(os.fsencode(os.path.abspath(path))).hexdigest()[:32]
    kept = folder / "toml" / f"{name}.json"
    try:
        stored = json.loads(kept.read_text(encoding="utf-8"))
        if (
            stored["sha256"] == digest
            and stored["python"] == sys.version
            and isinstance(stored["data"], dict)
        ):
            return cast(dict[str, Any], stored["data"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent, damaged, or of another text: parsed again
    data = tomllib.loads(text)
    try:
        dumped = json.dumps({"sha256": digest, "python": sys.version, "data": data})
    except TypeError:  # dates or times
        return data
    write_atomically(kept, dumped)
    return data


# ----------------------------------------------------------------------- the file


def _shown(value: Any) -> str:
    """A value as an error message shows it: short, with its kind when that helps."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return str(value)


def _key_text(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else f'"{key}"'


class DataFile:
    """A TOML file read and parsed, with the line of each of its keys.

    ``path`` names the file in messages; ``root`` is its top-level :class:`Table`.
    """

    def __init__(self, path: Path | str, text: str) -> None:
        """Parse ``text`` as the content of ``path``; a syntax error is a ConfigError."""
        self.path = Path(path)
        try:
            data = _parse(self.path, text)
        except tomllib.TOMLDecodeError as error:
            raise toml_error(self.path, error) from None
        self._text = text
        self._walked: _Lines | None = None
        #: Tables asked for and absent: named as the header that would open them.
        self._absent: set[KeyPath] = set()
        self.root = Table(self, (), data)

    @property
    def _lines(self) -> _Lines:
        """The lines of the file's keys, walked on first use."""
        if self._walked is None:
            self._walked = _Lines(self._text)
            self._walked.headers |= self._absent
        return self._walked

    def _note_absent(self, path: KeyPath) -> None:
        """Name the absent table at ``path`` as its header would (``[paths] inbox ...``)."""
        self._absent.add(path)
        if self._walked is not None:
            self._walked.headers.add(path)

    @classmethod
    def read(cls, path: Path | str, kind: str = "file") -> DataFile:
        """Read and parse the file at ``path``; ConfigError if it is absent or unreadable.

        ``kind`` names the file in those two messages (``"configuration file not found"``).
        """
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError(path, f"{kind} not found") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(path, f"cannot read the {kind}: {error}") from None
        return cls(path, text)

    def table(self, key: str, known: Iterable[str] | None = None) -> Table:
        """The top-level table ``[key]`` (empty when absent): see :meth:`Table.table`."""
        return self.root.table(key, known)

    def line(self, *path: Key) -> int | None:
        """The line of the value at ``path``, else of its nearest table; ``None`` if unknown."""
        for end in range(len(path), 0, -1):
            line = self._lines.lines.get(path[:end])
            if line is not None:
                return line
        return None

    def where(self, *path: Key) -> str:
        """``path`` as a person finds it in the file: ``[[mail.accounts]] #2 host``.

        The innermost table opened by a header is written as its header (an element of
        an array of tables with its 1-based number), then the dotted keys below it, an
        element of an array as its 1-based number: ``[[actions]] #4 items #3 text``.
        """
        cut = next(
            (end for end in range(len(path), 0, -1) if path[:end] in self._lines.headers), 0
        )
        parts: list[str] = []
        if cut:
            header = path[:cut]
            names = ".".join(_key_text(k) for k in header if isinstance(k, str))
            last = header[-1]
            parts.append(f"[[{names}]] #{last + 1}" if isinstance(last, int) else f"[{names}]")
        for key in path[cut:]:
            if isinstance(key, int):
                parts.append(f"#{key + 1}")
            elif parts and not parts[-1].startswith(("#", "[")):
                parts[-1] += f".{_key_text(key)}"
            else:
                parts.append(_key_text(key))
        return " ".join(parts)

    def error(self, problem: str, *path: Key) -> ConfigError:
        """A ConfigError about the value at ``path``: file, line, ``where`` and ``problem``.

        ``problem`` reads after the name of the value: ``"must be a number, not 'ten'"``.
        """
        where = self.where(*path)
        return ConfigError(self.path, f"{where} {problem}" if where else problem, self.line(*path))


class Table:
    """One table of a :class:`DataFile`, whose values are read through typed getters.

    Each getter takes a key and a default; without a default (or with :data:`REQUIRED`)
    the key must be present. A value of the wrong kind raises a ConfigError naming the
    file, the key's line, the key and what was expected.
    """

    def __init__(self, file: DataFile, path: KeyPath, data: Mapping[str, Any]) -> None:
        """A view on ``data``, found at ``path`` in ``file``."""
        self.file = file
        self.path = path
        self.data = data

    def __contains__(self, key: object) -> bool:
        """Whether the table has ``key``."""
        return key in self.data

    def __iter__(self) -> Iterator[str]:
        """The table's keys, in the file's order."""
        return iter(self.data)

    def line(self, *keys: Key) -> int | None:
        """The line of ``keys`` below this table (of the table itself without keys)."""
        return self.file.line(*self.path, *keys)

    def error(self, problem: str, *keys: Key) -> ConfigError:
        """A ConfigError about ``keys`` below this table (about the table without keys)."""
        return self.file.error(problem, *self.path, *keys)

    def check_keys(self, known: Iterable[str]) -> None:
        """Refuse a key that is not ``known``: a misspelt key would otherwise be ignored."""
        allowed = set(known)
        for key in self.data:
            if key not in allowed:
                raise self.error(f"is unknown (known: {', '.join(sorted(allowed))})", key)

    def value(self, key: str, default: Any = REQUIRED) -> Any:
        """The raw value of ``key``, or ``default`` when absent."""
        if key in self.data:
            return self.data[key]
        if default is REQUIRED:
            raise self.error("is required", key)
        return default

    def _typed(self, key: str, default: Any, kinds: tuple[type, ...], expected: str) -> Any:
        value = self.value(key, default)
        if value is default and key not in self.data:
            return value
        # bool is an int in Python, but ``port = true`` is a mistake worth reporting.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.error(f"must be {expected}, not {_shown(value)}", key)
        return value

    def text(self, key: str, default: D | _Required = REQUIRED, *, empty: bool = True) -> str | D:
        """A string (or ``default``); not empty unless ``empty``."""
        value = self._typed(key, default, (str,), "text (a quoted string)")
        if not empty and key in self.data and not value.strip():
            raise self.error("must not be empty", key)
        return cast("str | D", value)

    def texts(
        self, key: str, default: D | _Required = REQUIRED, *, empty: bool = True
    ) -> tuple[str, ...] | D:
        """A list of strings, as a tuple (or ``default``); not an empty list unless ``empty``."""
        value = self._typed(key, default, (list,), "a list of texts")
        if key not in self.data:
            return cast(D, value)
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"must be a list of texts, not {_shown(item)}", key, index)
        if not empty and not value:
            raise self.error("must not be an empty list", key)
        return tuple(value)

    def flag(self, key: str, default: D | _Required = REQUIRED) -> bool | D:
        """``true`` or ``false`` (or ``default``)."""
        return cast("bool | D", self._typed(key, default, (bool,), "true or false"))

    def number(
        self, key: str, default: D | _Required = REQUIRED, *, minimum: float | None = None
    ) -> float | D:
        """A number, integer or not, as a ``float`` (or ``default``), at least ``minimum``."""
        value = self._typed(key, default, (int, float), "a number")
        if key not in self.data:
            return cast(D, value)
        if minimum is not None and value < minimum:
            raise self.error(f"must be a number of at least {minimum:g}, not {value}", key)
        return float(value)

    def integer(
        self, key: str, default: D | _Required = REQUIRED, *, minimum: int | None = None
    ) -> int | D:
        """A whole number (or ``default``), at least ``minimum``."""
        value = self._typed(key, default, (int,), "a whole number")
        if key in self.data and minimum is not None and value < minimum:
            raise self.error(f"must be a whole number of at least {minimum}, not {value}", key)
        return cast("int | D", value)

    def date(self, key: str, default: D | _Required = REQUIRED) -> datetime.date | D:
        """A TOML date such as ``2023-01-01`` (or ``default``)."""
        value = self._typed(key, default, (datetime.date,), "a date (2023-01-01)")
        if isinstance(value, datetime.datetime):
            raise self.error(f"must be a date without a time (2023-01-01), not {value}", key)
        return cast("datetime.date | D", value)

    def choice(
        self, key: str, choices: Sequence[str], default: D | _Required = REQUIRED
    ) -> str | D:
        """One of ``choices`` (or ``default``)."""
        value = self.value(key, default)
        if key in self.data and value not in choices:
            raise self.error(f"must be one of {', '.join(choices)}, not {_shown(value)}", key)
        return cast("str | D", value)

    def table(
        self, key: str, known: Iterable[str] | None = None, *, required: bool = False
    ) -> Table:
        """The sub-table ``key`` (an empty one when absent and not ``required``).

        With ``known``, a key of the sub-table that is not in it is refused.
        """
        value = self._typed(key, REQUIRED if required else {}, (dict,), "a table")
        table = Table(self.file, (*self.path, key), value)
        if key not in self.data:
            # Named as the header that would open it: "[paths] inbox is required".
            self.file._note_absent(table.path)
        if known is not None:
            table.check_keys(known)
        return table

    def tables(
        self, key: str, known: Iterable[str] | None = None, *, required: bool = False
    ) -> list[Table]:
        """The tables of the array ``key`` (``[[key]]`` or inline), each checked by ``known``.

        Absent, it is an empty list unless ``required``.
        """
        raw = self._typed(key, REQUIRED if required else [], (list,), "a list of tables")
        tables = []
        for index, value in enumerate(raw):
            if not isinstance(value, dict):
                raise self.error(f"must be a list of tables, not {_shown(value)}", key, index)
            table = Table(self.file, (*self.path, key, index), value)
            if known is not None:
                table.check_keys(known)
            tables.append(table)
        return tables
