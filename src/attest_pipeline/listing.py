"""The files named for a dry run (``attest extract``): folders opened, nothing followed."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from attest_pipeline.errors import UsageError
from attest_pipeline.inbox import entry_kind, is_ignored


@dataclass(frozen=True)
class Listed:
    """The files named for a dry run, folders opened.

    ``skipped`` counts, by kind, the entries of those folders that are not regular files.
    """

    files: list[str]
    skipped: dict[str, int]


def list_files(paths: Iterable[str]) -> Listed:
    """The files of ``paths``: a folder stands for the regular files under it, in name order.

    Inside a folder, links are not followed, sub-folders are read, and names the inbox
    ignores (hidden, temporary, partial downloads) are left out, as a run would. Raises
    :class:`~attest_pipeline.errors.UsageError` at once for a path given by name that is
    neither a regular file nor a folder (see :func:`check_regular_file`).
    """
    files: list[str] = []
    skipped: dict[str, int] = {}
    for path in paths:
        if os.path.isdir(path):
            _walk(path, files, skipped)
        else:
            check_regular_file(path)
            files.append(path)
    return Listed(files, skipped)


def _walk(folder: str, files: list[str], skipped: dict[str, int]) -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        raise UsageError(f"{folder}: cannot be read: {error.strerror or error}") from None
    for entry in entries:
        if is_ignored(entry.name):
            continue
        try:
            kind = entry_kind(entry.stat(follow_symlinks=False).st_mode)
        except FileNotFoundError:  # gone meanwhile
            continue
        if kind is None:
            files.append(entry.path)
        elif kind == "folder":
            _walk(entry.path, files, skipped)
        else:
            skipped[kind] = skipped.get(kind, 0) + 1


def check_regular_file(path: Path | str) -> None:
    """Raise :class:`~attest_pipeline.errors.UsageError` unless ``path`` is a regular file.

    A symbolic link given by name is followed (the user chose it); what it leads to must be
    a regular file.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise UsageError(f"{path}: does not exist") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot be read: {error.strerror or error}") from None
    kind = entry_kind(mode)
    if kind is not None:
        raise UsageError(f"{path}: not a regular file (a {kind}); give PDF files")
