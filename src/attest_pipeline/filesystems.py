"""The file systems under the configured folders, and whether the outputs can work there.

SQLite's locking cannot be trusted over a network (SQLite FAQ), so ``state`` must be on a
local disk; an output folder on a kernel's virtual file system, under a file or in a
folder that is not writable would fail on the first document written. These checks read
the machine (``/proc/mounts``, permissions), which is why they stand apart from the
checks of the configuration file itself (:mod:`attest_pipeline.config`).
"""

from __future__ import annotations

import os
from pathlib import Path

from attest_pipeline.config import Config, outputs
from attest_pipeline.errors import ConfigError

# File systems on which SQLite's locking cannot be trusted (SQLite FAQ, "over a network").
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "lustre",
    }
)


def filesystem_type(path: Path) -> str | None:
    """The type of the file system holding ``path`` (from /proc/mounts), if known."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    target = path.resolve()
    while not target.exists() and target != target.parent:
        target = target.parent
    best: tuple[int, str] | None = None
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = Path(parts[1].replace("\\040", " "))
        if target == mount_point or target.is_relative_to(mount_point):
            depth = len(mount_point.parts)
            if best is None or depth > best[0]:
                best = (depth, parts[2])
    return best[1] if best else None


#: File systems that hold no files of ours: the kernel's views (/proc, /sys, /dev...).
VIRTUAL_FILESYSTEMS = frozenset(
    {
        "proc",
        "sysfs",
        "devtmpfs",
        "devpts",
        "cgroup",
        "cgroup2",
        "debugfs",
        "tracefs",
        "securityfs",
        "pstore",
        "bpf",
        "configfs",
        "efivarfs",
        "fusectl",
        "mqueue",
        "binfmt_misc",
        "autofs",
    }
)


def output_problems(config: Config, *, existing: bool = True) -> list[str]:
    """What stops the output folders from being created or written, one line per folder.

    An output that is a file, lies on a virtual file system (``/proc``...), or cannot be
    created (its nearest existing folder is a file or is not writable) would otherwise fail
    on the first document written. Without ``existing``, an existing dossiers, review or
    quarantine folder that is not writable is not a problem here: each document that cannot
    be written there waits in ``state/work`` for the next run (the per-document boundary),
    while the others are filed. ``state`` must always be writable. Each line names the key.
    """
    problems = []
    for name, path in outputs(config.paths).items():
        problem = _output_problem(path, existing or name == "state")
        if problem:
            problems.append(f"[paths] {name} ({path}) {problem}")
    return problems


def _output_problem(path: Path, writable: bool) -> str | None:
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing == path and not path.is_dir():
        return "is a file, not a folder"
    if not existing.is_dir():
        return f"cannot be created: {existing} is a file"
    kind = filesystem_type(existing)
    if kind in VIRTUAL_FILESYSTEMS:
        return f"is on a virtual file system ({kind}): nothing can be kept there"
    if not os.access(existing, os.W_OK | os.X_OK):
        if existing != path:
            return f"cannot be created: {existing} is not writable"
        if writable:
            return "is not writable"
    return None


def check_outputs(config: Config) -> None:
    """Raise :class:`ConfigError` naming the first output folder that cannot work at all.

    What :func:`output_problems` reports without ``existing``: the run would fail as a
    whole, not one document at a time.
    """
    problems = output_problems(config, existing=False)
    if problems:
        raise ConfigError(config.source, problems[0])


def check_state_is_local(config: Config) -> None:
    """Refuse a ``state`` folder on a network file system, where SQLite locking is unsafe."""
    kind = filesystem_type(config.paths.state)
    if kind in NETWORK_FILESYSTEMS:
        raise ConfigError(
            config.source,
            f"[paths] state ({config.paths.state}) is on a network file system ({kind}); "
            "the database and the working area must be on a local disk",
        )
