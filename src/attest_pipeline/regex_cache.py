"""Python's compiled regular expressions, kept from one run to the next.

Python compiles a regular expression in Python code (``re._parser``, ``re._compiler``):
50 to 500 µs a pattern, and a one-file ``attest extract`` compiles about 200 (the text
helpers' at import, the data files' when the issuers read them, the gated patterns of its
first document): 20 to 35 ms, a tenth of the command. What that work produces is the regex
engine's code, a list of integers, which ``_sre.compile`` turns into a pattern object in
microseconds. So the code of the patterns a command compiled is kept in the cache folder
(:mod:`attest_pipeline.cache`), and the next command puts those patterns back into
``re``'s own cache before it compiles anything: ``re.compile`` (and ``re.search``...) then
finds them there, as if this process had compiled them already.

The code depends on the pattern, its flags, and the regex engine: the file holds the
Python version and the engine's (``_sre.MAGIC``), and is ignored (then replaced) under
another. A damaged file, or code the engine refuses, is ignored too. This relies on
private internals of CPython's ``re``, checked on 3.11: on any other Python it does
nothing.
"""

from __future__ import annotations

import array
import base64
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from attest_pipeline.cache import cache_folder, write_atomically

# The regex engine of CPython (private); without it, nothing is kept.
_sre: Any
try:
    _sre = importlib.import_module("_sre")
except ImportError:  # pragma: no cover - not CPython
    _sre = None

#: At most this many patterns are kept: as many as ``re`` keeps (it drops the oldest beyond).
MAX_PATTERNS = 512
#: A process that compiled fewer patterns than this that the file lacks leaves it as it is:
#: some are new in every process (the standard library's e-mail header parser builds four
#: from sets, whose order changes from process to process), and would have it rewritten,
#: and grow, at each command's end.
MIN_FRESH = 8

_SUPPORTED = (
    sys.implementation.name == "cpython"
    and sys.version_info[:2] == (3, 11)
    and _sre is not None
    and getattr(_sre, "CODESIZE", None) == array.array("I").itemsize
    and isinstance(getattr(re, "_cache", None), dict)
    and hasattr(getattr(re, "_compiler", None), "_code")
    and hasattr(getattr(re, "_parser", None), "parse")
)

#: ``re``'s keys of the patterns in the cache file, or not to be kept: not worked out again.
_known: set[tuple[Any, ...]] = set()


def _file() -> Path | None:
    folder = cache_folder()
    return None if folder is None else folder / f"regex-{sys.implementation.cache_tag}.json"


def _engine() -> list[Any]:
    """What the code depends on besides the patterns."""
    return [sys.version, _sre.MAGIC]


def _read(path: Path) -> dict[tuple[Any, ...], list[Any]]:
    """The entries of the cache file by ``re``'s key (none if absent, damaged, or foreign)."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not (isinstance(stored, dict) and stored.get("engine") == _engine()):
        return {}
    patterns = stored.get("patterns")
    if not isinstance(patterns, list):
        return {}
    return {
        (str, entry[0], entry[1]): entry
        for entry in patterns
        if isinstance(entry, list)
        and len(entry) == 7
        and isinstance(entry[0], str)
        and type(entry[1]) is int
    }


def load() -> int:
    """Put the patterns kept by earlier runs into ``re``'s cache; return how many.

    Call it first thing, before the modules whose patterns are to be found are imported.
    """
    path = _file() if _SUPPORTED else None
    if path is None:
        return 0
    cache: dict[tuple[Any, ...], Any] = re._cache  # type: ignore[attr-defined]
    count = 0
    for key, entry in _read(path).items():
        if key in cache or len(cache) >= MAX_PATTERNS:
            _known.add(key)
            continue
        pattern, _, final, packed, groups, groupindex, indexgroup = entry
        try:
            code = array.array("I")
            code.frombytes(base64.b64decode(packed))
            compiled = _sre.compile(
                pattern, final, code.tolist(), groups, groupindex, tuple(indexgroup)
            )
        except (TypeError, ValueError, RuntimeError, OverflowError):
            continue  # damaged, or refused by the engine: compiled again when used
        cache[key] = compiled
        _known.add(key)
        count += 1
    return count


def _entry(pattern: str, flags: int) -> list[Any]:
    """The engine's code of ``pattern`` as ``re._compiler.compile`` makes it, to keep."""
    parsed = re._parser.parse(pattern, flags)  # type: ignore[attr-defined]
    code = re._compiler._code(parsed, flags)  # type: ignore[attr-defined]
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    packed = base64.b64encode(array.array("I", code).tobytes()).decode("ascii")
    return [
        pattern,
        flags,
        flags | parsed.state.flags,
        packed,
        parsed.state.groups - 1,
        groupindex,
        indexgroup,
    ]


def save() -> None:
    """Keep the patterns this process compiled that the cache file lacks.

    Their code is worked out once more here (a first run pays for the next ones); the
    file is read again and merged, so that what another process kept meanwhile stays.
    """
    path = _file() if _SUPPORTED else None
    if path is None:
        return
    used = list(re._cache)  # type: ignore[attr-defined]
    fresh: dict[tuple[Any, ...], list[Any]] = {}
    for key in used:
        kind, pattern, flags = key
        if kind is str and key not in _known and not flags & re.DEBUG:
            try:
                fresh[key] = _entry(pattern, flags)
            except (re.error, RecursionError, OverflowError):
                _known.add(key)  # not kept, and not worked out again
    if len(fresh) < MIN_FRESH:
        return
    _known.update(fresh)
    merged = {**_read(path), **fresh}
    # The patterns this run used first, then the others', as many as re keeps.
    order = [key for key in used if key in merged]
    ordered = set(order)
    order += [key for key in merged if key not in ordered]
    kept = [merged[key] for key in order[:MAX_PATTERNS]]
    write_atomically(path, json.dumps({"engine": _engine(), "patterns": kept}))
