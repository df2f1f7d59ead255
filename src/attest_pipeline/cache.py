"""The user's cache folder: what one run works out and the next may reuse.

``$ATTEST_CACHE``, else ``$XDG_CACHE_HOME/attest-pipeline``, else
``~/.cache/attest-pipeline``; ``ATTEST_CACHE=`` (empty) turns caching off. What is kept
there is always checked against its source before use, so that a stale or damaged file
costs the work it would have saved, never a wrong answer; a folder that cannot be written
is left alone.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

#: The environment variable naming the cache folder (empty: no caching).
ENV_VAR = "ATTEST_CACHE"


def cache_folder() -> Path | None:
    """The cache folder (not created), ``None`` when caching is turned off."""
    folder = os.environ.get(ENV_VAR)
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "attest-pipeline")
    return Path(folder) if folder else None


def write_atomically(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` whole or not at all (another process may read it meanwhile).

    Creates the folder; returns False, leaving nothing behind, when it cannot be written.
    """
    import tempfile  # here: every command reads the cache, few write it

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return False
    return True
