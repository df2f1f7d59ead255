"""Typed failures that reach the command line, each with its exit code.

Only the command-line edge turns these into messages and exit codes; the stages raise them
and never print or exit themselves. A refusal of the secretariat's operations also carries
what it is: a stable :class:`Refusal` code and the values it names (the item, the RPPS, who
decided and when...), so that the web page can say it in French in its own words, while the
command line prints the English message.
"""

from __future__ import annotations

import re
import tomllib
from enum import StrEnum
from pathlib import Path


class Refusal(StrEnum):
    """A stable code for why an operation of the secretariat changed nothing.

    Each member's comment names the values a refusal with that code carries.
    """

    #: ``item``: no review item with that id.
    NO_ITEM = "no_item"
    #: ``item``, ``kind`` (of the last decision), ``by``, ``at`` (ISO time, UTC).
    ALREADY_DECIDED = "already_decided"
    #: ``item``: it waits in review already, there is no decision to undo.
    WAITING = "waiting"
    #: ``item``, ``status`` (the attestation's): it never went to review.
    NOT_IN_REVIEW = "not_in_review"
    #: ``item``, ``earlier`` (the filed attestation it repeats).
    DUPLICATE = "duplicate"
    #: No value: no RPPS was read and none was given.
    NO_RPPS = "no_rpps"
    #: ``rpps``.
    NOT_ON_ROSTER = "not_on_roster"
    #: No value: no action was found and none was given.
    NO_ACTION = "no_action"
    #: ``action`` (as given, ``"9.Z"``).
    UNKNOWN_ACTION = "unknown_action"
    #: ``missing``: the names of the dates not read (``start``, ``end``).
    MISSING_DATES = "missing_dates"
    #: ``start``, ``end``, ``earliest``, ``today`` (ISO dates), ``detail`` (the first problem).
    IMPLAUSIBLE_DATES = "implausible_dates"
    #: ``field`` (``start`` or ``end``), ``text`` (what was given).
    NOT_A_DATE = "not_a_date"
    #: ``value``, ``choices``.
    UNKNOWN_LABELLISATION = "unknown_labellisation"
    #: ``item``: its PDF left review and cannot be rebuilt from the archived original.
    PDF_MISSING = "pdf_missing"
    #: ``item``: what waits in review is no PDF (an e-mail of links alone): nothing to file.
    NOT_A_PDF = "not_a_pdf"
    #: No value: a rejection needs its reason.
    NO_REJECT_REASON = "no_reject_reason"
    #: ``text``: what the page's physician field holds names no RPPS.
    NOT_A_PHYSICIAN = "not_a_physician"
    #: ``item``: no dossier entry with that id.
    NO_ENTRY = "no_entry"
    #: ``item``, ``action``, ``physician``: its labellisation is de fait, nothing to decide.
    DE_FAIT = "de_fait"
    #: ``item``, ``action``, ``physician``, ``kind`` (of the last decision), ``by``, ``at``.
    LABEL_ALREADY_DECIDED = "label_already_decided"
    #: ``item``, ``action``, ``physician``, ``status`` (``pending``, ``granted``, ``refused``).
    LABEL_NOT_IN_STATE = "label_not_in_state"
    #: No value: a refusal of a labellisation needs its reason.
    NO_REFUSAL_REASON = "no_refusal_reason"
    #: No value: no name to record the decision under.
    NO_PERSON = "no_person"
    #: ``by``, ``most`` (characters).
    NAME_TOO_LONG = "name_too_long"
    #: ``seconds``: another process held the database that long.
    DATABASE_BUSY = "database_busy"


class AttestError(Exception):
    """Base class of the errors meant for the user (no traceback)."""

    exit_code = 1


class UsageError(AttestError):
    """The command was called wrongly (exit code 2).

    ``code`` says what the refusal is, when it is one of :class:`Refusal`, and ``values``
    what it names; the message stays the English one line the command line prints.
    """

    exit_code = 2

    def __init__(self, message: str, *, code: Refusal | None = None, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


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
