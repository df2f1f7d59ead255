"""Checking a parsed data file: every key known, every value of its type, with file and line.

A :class:`Checker` wraps the parsed TOML of one file and its source lines; each check
either returns the value or raises :class:`~attest_pipeline.errors.ConfigError` naming the
file, the line of the key (or of its table) and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from attest_pipeline.errors import ConfigError, toml_error

__all__ = ["Checker", "read_toml"]


def read_toml(
    path: Path, text: str | None = None, what: str = "data file"
) -> tuple[dict[str, Any], str]:
    """Parse the TOML file ``path`` (or its ``text``); the table and the source.

    Raises :class:`ConfigError` when it cannot be read or is not TOML, with the line.
    """
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(path, f"cannot read the {what}: {error}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        raise toml_error(path, error) from None


class Checker:
    """The checks of one data file; every failure names the file and the line."""

    def __init__(self, path: Path, source: str) -> None:
        self.path = path
        self.lines = source.splitlines()

    def fail(
        self, problem: str, table: Sequence[str] = (), key: str | None = None, index: int = 0
    ) -> ConfigError:
        """Return the error ``problem`` at ``key`` of ``[table]`` (its ``index``-th copy)."""
        return ConfigError(self.path, problem, self.line(table, key, index))

    def line(self, table: Sequence[str], key: str | None, index: int = 0) -> int | None:
        """Find the 1-based line of ``key`` in ``[table]`` (or of the table), if possible.

        ``index`` counts the tables of an array (``[[identify.markers]]``) from 0.
        """
        start = 0
        if table:
            header = re.compile(
                r"^\s*\[\[?\s*"
                + r"\s*\.\s*".join(rf"[\"']?{re.escape(part)}[\"']?" for part in table)
                + r"\s*\]"
            )
            found = [i for i, text in enumerate(self.lines) if header.match(text)]
            if not found:
                return None
            position = found[min(index, len(found) - 1)]
            if key is None:
                return position + 1
            start = position + 1
        if key is None:
            return None
        key_line = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*[=.]")
        for number in range(start, len(self.lines)):
            text = self.lines[number]
            if re.match(r"^\s*\[", text):
                break
            if key_line.match(text):
                return number + 1
        # The key may be a sub-table: [issuer.extra].
        sub_table = self.line((*table, key), None) if table else None
        return sub_table or (start if table else None)

    def table(
        self, raw: Mapping[str, Any], name: str, keys: frozenset[str], where: Sequence[str] = ()
    ) -> Mapping[str, Any]:
        """Return the table ``name`` of ``raw`` (empty when absent), its keys all known."""
        value = raw.get(name, {})
        path = (*where, name)
        label = ".".join(path)
        if not isinstance(value, Mapping):
            raise self.fail(f"{label} must be a table ([{label}])", tuple(where), name)
        self.known(value, keys, path)
        return value

    def known(
        self, table: Mapping[str, Any], keys: frozenset[str], where: Sequence[str], index: int = 0
    ) -> None:
        """Raise on the first key of ``table`` that is not in ``keys``."""
        for key in table:
            if key not in keys:
                label = ".".join(where)
                raise self.fail(
                    f"unknown key {key!r} in [{label}] (known: {', '.join(sorted(keys))})",
                    tuple(where),
                    key,
                    index,
                )

    def strings(
        self,
        spec: Mapping[str, Any],
        key: str,
        label: str,
        where: Sequence[str],
        index: int = 0,
    ) -> tuple[str, ...]:
        """Return ``spec[key]``, a string or a list of non-empty strings, as a tuple."""
        value = spec.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(
                f"{label} {key} must be a string or a list of strings", tuple(where), key, index
            )
        return tuple(value)

    def regexes(
        self,
        spec: Mapping[str, Any],
        key: str,
        label: str,
        where: Sequence[str],
        index: int = 0,
        *,
        compile_them: bool = True,
    ) -> tuple[str, ...]:
        """Return ``spec[key]`` as regex sources; each compiled to check it when asked."""
        sources = self.strings(spec, key, label, where, index)
        if compile_them:
            for source in sources:
                try:
                    re.compile(source)
                except re.error as error:
                    raise self.fail(
                        f"{label} {key}: {source!r} is not a regex: {error}",
                        tuple(where),
                        key,
                        index,
                    ) from None
        return sources

    def number(
        self,
        spec: Mapping[str, Any],
        key: str,
        default: float,
        label: str,
        where: Sequence[str],
        *,
        low: float = 0.0,
        high: float = 1.0,
        index: int = 0,
    ) -> float:
        """Return ``spec[key]``, a number in ``[low, high]``, or ``default`` when absent."""
        value = spec.get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not low <= value <= high
            or value != value
        ):
            raise self.fail(
                f"{label} {key} must be a number in [{low:g}, {high:g}]", tuple(where), key, index
            )
        return float(value)

    def flag(
        self, spec: Mapping[str, Any], key: str, label: str, where: Sequence[str], index: int = 0
    ) -> bool:
        """Return ``spec[key]``, true or false (false when absent)."""
        value = spec.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(f"{label} {key} must be true or false", tuple(where), key, index)
        return value

    def array(
        self, spec: Mapping[str, Any], key: str, label: str, where: Sequence[str]
    ) -> list[Mapping[str, Any]]:
        """Return ``spec[key]``, an array of tables (``[[...]]``), empty when absent."""
        value = spec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.fail(f"{label} {key} must be an array of tables", tuple(where), key)
        return value
