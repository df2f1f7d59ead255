"""Who may read what the pipeline writes: its owner only, or one group for a shared office.

Dossiers, review, quarantine and state hold physicians' names and RPPS numbers. Their root
folders are created ``0700`` (``[paths] group`` unset) or ``2750`` with that group (the
set-group-ID bit makes everything created inside belong to the group too); below them,
each folder is created with its parent's permissions and each file with its folder's, the
execute bits dropped: ``0600`` or ``0640``. The process's umask plays no part (modes are set
with ``chmod`` after creation), so a service started with umask ``022`` writes private files
all the same. Folders that existed before are left as they are; ``attest doctor`` reports
those that other users may read.
"""

from __future__ import annotations

import grp
import os
import stat
from collections.abc import Mapping
from pathlib import Path

#: The root folders' permissions without a group: the owner only.
PRIVATE_FOLDER = 0o700
#: With ``[paths] group``: the group reads, and what is created inside keeps the group.
SHARED_FOLDER = 0o2750
#: The permission bits a folder passes on to a folder created inside it: never write
#: access for the group, never anything for other users.
_INHERITED = 0o2750
#: Of a folder's bits, those a file created inside gets (no execute, no set-group-ID).
_FILE_BITS = 0o640


def group_id(name: str) -> int:
    """The id of the group ``name``; :class:`KeyError` when there is none of that name."""
    return grp.getgrnam(name).gr_gid


def root_mode(group: str | None) -> int:
    """The permissions of a root output folder for this ``[paths] group`` setting."""
    return PRIVATE_FOLDER if group is None else SHARED_FOLDER


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def file_mode(folder: Path) -> int:
    """The permissions of a file created in ``folder``: the folder's, without execute."""
    return file_bits(os.stat(folder).st_mode)


def file_bits(folder_mode: int) -> int:
    """The permissions of a file created in a folder of mode ``folder_mode`` (``st_mode``)."""
    return stat.S_IMODE(folder_mode) & _FILE_BITS


def _missing(path: Path) -> list[Path]:
    """``path`` and its parents that do not exist yet, outermost first."""
    missing = []
    while not path.is_dir() and path.parent != path:
        missing.append(path)
        path = path.parent
    return missing[::-1]


def _create_folder(path: Path, mode: int, gid: int | None = None) -> None:
    os.mkdir(path, mode)
    if gid is not None:
        os.chown(path, -1, gid)
    os.chmod(path, mode)  # after chown, which may clear set-group-ID; and whatever the umask


def make_folder(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents, each with its parent's permissions.

    Returns the folders created, outermost first (their parents' entries changed: the
    caller syncs those parents for the new names to survive a crash).
    """
    created = []
    for folder in _missing(path):
        try:
            _create_folder(folder, _mode(folder.parent) & _INHERITED)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue
        created.append(folder)
    return created


def open_new(path: Path, flags: int = os.O_WRONLY) -> int:
    """Open ``path`` for writing, creating it with its folder's file permissions if missing.

    ``flags`` are ``os.open`` flags without ``O_CREAT`` (``O_APPEND``, ``O_TRUNC``...).
    An existing file keeps its permissions. Returns the file descriptor.
    """
    try:
        descriptor = os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return os.open(path, flags)
    try:
        os.fchmod(descriptor, file_mode(path.parent))
    except OSError:
        os.close(descriptor)
        raise
    return descriptor


def set_file_mode(path: Path) -> None:
    """Give a file created by another library (SQLite) its folder's file permissions."""
    os.chmod(path, file_mode(path.parent))


def prepare_roots(folders: Mapping[str, Path], group: str | None) -> None:
    """Create the missing root output folders (and their missing parents) private or shared.

    ``group`` is the ``[paths] group`` setting; :class:`KeyError` when no such group exists,
    :class:`PermissionError` when this user may not give folders to it.
    """
    gid = None if group is None else group_id(group)
    mode = root_mode(group)
    for root in folders.values():
        for folder in _missing(root):
            try:
                _create_folder(folder, mode, gid)
            except FileExistsError:
                if not folder.is_dir():
                    raise


def root_problems(folders: Mapping[str, Path], group: str | None) -> list[str]:
    """What is wrong with the permissions of the existing root output folders, one line each.

    A folder that users outside its owner (and the configured group) can read or enter,
    and, with a group, a folder of another group or without set-group-ID.
    """
    problems = []
    gid = None if group is None else group_id(group)
    for key, folder in folders.items():
        try:
            info = os.stat(folder)
        except OSError:
            continue  # not created yet: it will be, with the right permissions
        mode = stat.S_IMODE(info.st_mode)
        where = f"[paths] {key} ({folder}) is {mode:04o}"
        if gid is None and mode & 0o077:
            problems.append(f"{where}: other users can read it; chmod -R go-rwx {folder}")
        elif gid is not None and (mode & 0o007 or info.st_gid != gid or not mode & 0o2000):
            problems.append(
                f"{where}, group {_group_name(info.st_gid)}: it should be 2750 with group "
                f"{group}; chgrp -R {group} {folder} && chmod -R o-rwx {folder} "
                f"&& chmod g+s {folder}"
            )
    return problems


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)
