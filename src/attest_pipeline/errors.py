"""Typed failures that reach the command line, each with its exit code.

Only the command-line edge turns these into messages and exit codes; the stages raise them
and never print or exit themselves.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path


class AttestError(Exception):
    """Base class of the errors meant for the user (no traceback)."""

    exit_code = 1


class UsageError(AttestError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2


class DecisionRefused(UsageError):
    """A decision that must not be made: nothing changed (exit code 2).

    The message says why in one line (another person already decided, with who and when;
    the RPPS is not on the roster...).
    """


class DatabaseBusy(UsageError):
    """Another process held the database longer than the busy timeout: nothing changed.

    Exit code 2 like a refusal: the decision can simply be made again.
    """


class NotFound(UsageError):
    """No item, dossier or physician with that id (exit code 2)."""


class StorageFull(AttestError):
    """A disk (or a quota, or a file size limit) is full: the run stopped (exit code 3).

    Nothing is lost: what was being filed was rolled back and its files removed; the
    documents wait in the inbox or the working area for the next run.
    """

    exit_code = 3


class ConfigError(UsageError):
    """A configuration or data file is missing or malformed (exit code 2).

    The message names the file, and the line when it is known.
    """

    def __init__(self, path: Path | str, problem: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.problem = problem
        self.line = line
        where = f"{self.path}:{line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {problem}")


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def toml_error(path: Path | str, error: tomllib.TOMLDecodeError) -> ConfigError:
    """A :class:`ConfigError` for a TOML syntax error, with the line it names."""
    message = str(error)
    match = _TOML_POSITION.search(message)
    line = int(match.group(1)) if match else None
    problem = message[: match.start()] if match else message
    return ConfigError(path, f"malformed TOML: {problem}", line)
