"""Compiled regular expressions kept between runs: found again, identical, never trusted blindly.

Each test runs its processes apart (``re``'s cache is the interpreter's own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attest_pipeline import regex_cache

pytestmark = pytest.mark.skipif(not regex_cache._SUPPORTED, reason="CPython 3.11 only")

#: Patterns of several kinds, with a text they find things in.
PATTERNS = [
    (r"(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})", 0),
    (r"(?<![\w'])(?:docteur|dr|pr)\b\.?\s*(\w+)", 2),  # re.IGNORECASE
    (r"^\s*(attestation)\s+de\s+(\w+)(?:\s+(\w+))?$", 8),  # re.MULTILINE
    (r"(\w)\1", 0),
    (r"[éèêë]+|œuvre", 0),
]
TEXT = "Dr Martin, le 12/03/2024.\nattestation de présence\nPR DUPONT: belle œuvre éé"

SCRIPT = """
import json, re, sys
from attest_pipeline import regex_cache
regex_cache.MIN_FRESH = int(sys.argv[3])
loaded = regex_cache.load()
found, results = [], []
for pattern, flags in json.loads(sys.argv[1]):
    found.append((str, pattern, flags) in re._cache)
    p = re.compile(pattern, flags)
    results.append([p.pattern, p.flags, p.groups, dict(p.groupindex),
                    [m.span() for m in p.finditer(sys.argv[2])], p.findall(sys.argv[2])])
regex_cache.save()
print(json.dumps([loaded, found, results]))
"""


def run(
    cache: str, patterns: list[tuple[str, int]] = PATTERNS, min_fresh: int = 1
) -> list[object]:
    """Load, compile ``patterns``, save, in a process of its own: what it loaded, found, got."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(patterns), TEXT, str(min_fresh)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ATTEST_CACHE": cache},
    )
    return list(json.loads(result.stdout))


def test_the_patterns_one_process_compiled_are_found_by_the_next_and_match_alike(
    tmp_path: Path,
) -> None:
    cache = str(tmp_path / "cache")
    _, found, compiled = run(cache)
    assert found == [False] * len(PATTERNS)
    loaded, found, kept = run(cache)
    assert loaded >= len(PATTERNS) and found == [True] * len(PATTERNS)
    assert kept == compiled
    assert any(spans for _, _, _, _, spans, _ in compiled)  # the text exercised them


def test_a_damaged_file_or_another_engines_is_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _, _, compiled = run(str(cache))
    (path,) = cache.glob("regex-*.json")
    stored = json.loads(path.read_text(encoding="utf-8"))
    for entry in stored["patterns"]:
        entry[3] = "AAAAAP////8="  # code the engine refuses
    path.write_text(json.dumps(stored), encoding="utf-8")
    loaded, found, kept = run(str(cache))
    assert (loaded, found, kept) == (0, [False] * len(PATTERNS), compiled)
    stored["engine"] = ["another Python", 0]
    path.write_text(json.dumps(stored), encoding="utf-8")
    assert run(str(cache))[:2] == [0, [False] * len(PATTERNS)]
    path.write_text("[1, 2", encoding="utf-8")
    assert run(str(cache))[:2] == [0, [False] * len(PATTERNS)]


def test_a_few_new_patterns_leave_the_file_as_it_is(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run(str(cache))
    (path,) = cache.glob("regex-*.json")
    before = path.read_text(encoding="utf-8")
    more = [*PATTERNS, (r"only (once)", 0)]
    _, found, _ = run(str(cache), more, min_fresh=2)
    assert found[-1] is False
    assert path.read_text(encoding="utf-8") == before
    run(str(cache), more, min_fresh=1)
    assert path.read_text(encoding="utf-8") != before


def test_no_cache_folder_keeps_nothing(tmp_path: Path) -> None:
    assert run("")[:2] == [0, [False] * len(PATTERNS)]
    assert run("")[:2] == [0, [False] * len(PATTERNS)]


def test_the_projects_patterns_are_the_same_in_every_process() -> None:
    """A pattern built from a set's order would be new to each run, never found again."""
    script = (
        "import json, re, attest_pipeline.pipeline, attest_pipeline.roster_search\n"
        "from attest_plugins import BUILTIN_PLUGINS\n"
        "import importlib\n"
        "for name in BUILTIN_PLUGINS: importlib.import_module(name)\n"
        "print(json.dumps(sorted([k[1], k[2]] for k in re._cache if k[0] is str)))\n"
    )
    seen = [
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed, "ATTEST_CACHE": ""},
        ).stdout
        for seed in ("1", "2")
    ]
    assert seen[0] == seen[1]
