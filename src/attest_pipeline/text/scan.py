r"""Fast regex searching over whole documents: each pattern gated by the strings it needs.

A pattern that starts with a word boundary, a lookbehind or an alternation gives Python's
regex engine nothing to skip ahead with: it tries the pattern at every position of the
text (about 25 µs for a one-page attestation, against 1 µs for a pattern that starts with
a literal). Most patterns of the helpers and the plugins are absent from most documents,
so :class:`Gated` reads once, when it is compiled, a few strings of which every match must
contain one (``andpc`` for ``\bandpc\b``; ``andpc``, ``odpc`` for ``\b(?:andpc|odpc)\b``)
and runs the regex only when one of them is in the text, a plain substring test. When the
string stands at most a few hundred characters after the start of a match, the search
also starts just before the first occurrence of those strings rather than at the start of
the text. When it stands at most a few characters after, the regex is only tried at the
starts that could reach each occurrence of the strings (only at a line's start, for a
pattern opening with ``^``); at most 64 after, a probe tries such a span of starts in one
call (:meth:`Gated.probe`) instead of a search through the rest of the text.

A document's text is searched by a hundred patterns or more, each asking for its strings:
once a text has been asked for a dozen strings one by one, one pass of an Aho-Corasick
automaton of every string gated so far finds where each of them first occurs
(:class:`_Index`), and each gate is then a dictionary look-up. :class:`Gates` asks a group
of patterns at once which of them may match (an issuer's markers: only those whose words
are in the text are searched), and :func:`share_scan` lets a text and its one-line form
share that pass.

The strings are read from the parsed pattern (``re._parser``); a pattern it cannot read
(a construct this module does not know, case-insensitive matching) simply has no gate and
is searched as usual: the answers are always exactly those of the regex.

Nothing is read or compiled when a :class:`Gated` is built (at import): a pattern is read
when it is first searched, and compiled only when its strings are in a text. Reading is
slow (Python's pattern parser, about 1 ms a pattern, more than a whole document's
analysis), so the strings read are kept between runs in a small JSON file of the user's
cache folder (``$ATTEST_CACHE``, else ``$XDG_CACHE_HOME/attest-pipeline``, else
``~/.cache/attest-pipeline``; ``ATTEST_CACHE=`` empty turns it off), named after this
module's source and the Python version, so that a change of either reads them afresh.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import json
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from attest_pipeline.cache import cache_folder, write_atomically

# The parser of the standard ``re`` module (private); without it, patterns are not gated.
_sre: Any
_sre_parser: Any
try:
    _sre = importlib.import_module("re._constants")
    _sre_parser = importlib.import_module("re._parser")
except ImportError:  # pragma: no cover - other Python implementations
    _sre = _sre_parser = None

#: More strings than this make a gate slower than the search it saves.
_MAX_STRINGS = 12
#: A match starting at most this far before its needed string is tried only around each
#: occurrence of the string (``re.match``), never searched for through the text, when the
#: strings are rare enough (none shorter than ``_RARE``: one or two letters are
#: everywhere, and trying the regex at each of them is slower than searching).
_SHORT_LEAD = 12
_RARE = 3
#: A match starting at most this far before its needed string, beyond ``_SHORT_LEAD``, is
#: looked for only near each occurrence of the string too, by a probe trying every start
#: of a span in one call (:meth:`Gated.probe`): a search through the rest of the text costs
#: more. The probes' spans, the shortest at least the lead serving.
_PROBE_SPANS = (16, 32, 64)
#: Beyond this many characters, a width counts as unbounded.
_MAX_WIDTH = 2000


def _chars(items: Iterable[tuple[Any, Any]]) -> set[str] | None:
    """Return the characters of a small character class made of literals, else ``None``."""
    chars: set[str] = set()
    for op, av in items:
        if op is _sre.LITERAL:
            chars.add(chr(av))
        elif op is _sre.RANGE and av[1] - av[0] < 10:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return chars if len(chars) <= 6 else None


def _product(left: set[str], right: Iterable[str]) -> set[str] | None:
    result = {a + b for a in left for b in right}
    return result if len(result) <= _MAX_STRINGS else None


#: Answers already worked out for the items of the pattern being read, by (op, id(av)):
#: a parsed pattern repeats its sub-patterns at every level of :func:`_required`.
_FINITE: dict[tuple[Any, int], set[str] | None] = {}
_WIDTH: dict[tuple[Any, int], Any] = {}
_READING = threading.Lock()


def _finite(items: Iterable[tuple[Any, Any]]) -> set[str] | None:
    """Return every string ``items`` can match when there are few, else ``None``.

    Zero-width assertions consume nothing and are passed over.
    """
    results: set[str] | None = {""}
    for item in items:
        if results is None:
            return None
        key = (item[0], id(item[1]))
        if key not in _FINITE:
            _FINITE[key] = _finite_item(item)
        found = _FINITE[key]
        results = None if found is None else _product(results, found)
    return results


def _finite_item(item: tuple[Any, Any]) -> set[str] | None:
    """Return every string one item can match when there are few, else ``None``."""
    op, av = item
    if op is _sre.LITERAL:
        return {chr(av)}
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return {""}  # zero width
    if op is _sre.IN:
        return _chars(av)
    if op is _sre.SUBPATTERN:
        return None if av[1] & re.IGNORECASE else _finite(av[3])
    if op is _sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            inner = _finite(branch)
            if inner is None:
                return None
            union |= inner
        return union if len(union) <= _MAX_STRINGS else None
    if op.name in _REPEATS:
        low, high, sub = av
        inner = _finite(sub)
        if inner is None or high > 3:
            return None
        options: set[str] = set()
        for count in range(low, high + 1):
            repeated: set[str] | None = {""}
            for _ in range(count):
                repeated = None if repeated is None else _product(repeated, inner)
            if repeated is None:
                return None
            options |= repeated
        return options if len(options) <= _MAX_STRINGS else None
    return None


#: How far from the start of a match a needed string may begin: a number of characters
#: plus a number of runs of whitespace of any length (``\s*``), or ``None`` (no bound).
#: Runs of whitespace are bounded by the longest one of the text searched.
_Lead = tuple[int, int] | None
#: What :func:`_required` finds: the strings, and their lead.
_Needed = tuple[set[str], _Lead]

_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _spacing(item: tuple[Any, Any]) -> bool:
    r"""Say whether ``item`` matches one whitespace character at most (``\s``, ``[ \t]``)."""
    op, av = item
    if op is _sre.LITERAL:
        return chr(av).isspace()
    if op is not _sre.IN:
        return False
    if av and av[0][0] is _sre.NEGATE:
        # [^\S\n]: not a non-space, not a newline: spaces only.
        return any(o is _sre.CATEGORY and a is _sre.CATEGORY_NOT_SPACE for o, a in av[1:])
    return all(
        (o is _sre.CATEGORY and a is _sre.CATEGORY_SPACE)
        or (o is _sre.LITERAL and chr(a).isspace())
        for o, a in av
    )


def _width(items: Iterable[tuple[Any, Any]]) -> _Lead:
    """Return the most ``items`` of a parsed pattern can match, or ``None``."""
    fixed = spaces = 0
    for item in items:
        key = (item[0], id(item[1]))
        if key not in _WIDTH:
            _WIDTH[key] = _width_item(item)
        width = _WIDTH[key]
        if width is None:
            return None
        fixed, spaces = fixed + width[0], spaces + width[1]
        if fixed > _MAX_WIDTH:
            return None
    return fixed, spaces


def _width_item(item: tuple[Any, Any]) -> _Lead:
    """Return the most one item of a parsed pattern can match, or ``None``."""
    op, av = item
    if op in (_sre.LITERAL, _sre.NOT_LITERAL, _sre.IN, _sre.ANY):
        return 1, 0
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return 0, 0
    if op is _sre.SUBPATTERN:
        return _width(av[3])
    if op is _sre.ATOMIC_GROUP:
        return _width(av)
    if op is _sre.BRANCH:
        widths = [_width(branch) for branch in av[1]]
        if any(w is None for w in widths):
            return None
        return (
            max(w[0] for w in widths if w is not None),
            max(w[1] for w in widths if w is not None),
        )
    if op.name in _REPEATS:
        _, high, sub = av
        if len(sub) == 1 and _spacing(sub[0]):
            # \s*, [ \t]+: a run of whitespace, as long as the text's longest at most.
            return (0, 1) if high > _MAX_WIDTH else (int(high), 0)
        inner = _width(sub)
        if inner is None:
            return None
        if high > _MAX_WIDTH:
            return (0, 0) if inner == (0, 0) else None
        return inner[0] * high, inner[1] * high
    high = _sre_parser.SubPattern(_sre_parser.State(), [item]).getwidth()[1]
    return (int(high), 0) if high <= _MAX_WIDTH else None


def _plus(a: _Lead, b: _Lead) -> _Lead:
    return None if a is None or b is None else (a[0] + b[0], a[1] + b[1])


def _widest(a: _Lead, b: _Lead) -> _Lead:
    return None if a is None or b is None else (max(a[0], b[0]), max(a[1], b[1]))


def _shrink(strings: set[str]) -> set[str]:
    """Cut too many strings to a common length: a match holding one holds its start too."""
    length = max(len(s) for s in strings)
    while len(strings) > _MAX_STRINGS and length > 1:
        length -= 1
        strings = {s[:length] for s in strings}
    return strings


def _required(items: Iterable[tuple[Any, Any]]) -> _Needed | None:
    """Return strings of which every match of ``items`` contains one, or ``None``.

    Also how far from the match's start that string may begin, when bounded.
    """
    candidates: list[_Needed] = []
    run: set[str] = {""}
    run_lead: _Lead = (0, 0)
    lead: _Lead = (0, 0)  # the widest the items before the current one can be
    for op, av in items:
        finite = _finite([(op, av)])
        if finite is not None:
            joined = _product(run, finite)
            if joined is not None:
                run = joined
            else:
                candidates.append((run, run_lead))
                run, run_lead = finite, lead
            lead = _plus(lead, _width([(op, av)]))
            continue
        inner: _Needed | None = None
        if op is _sre.SUBPATTERN and not av[1] & re.IGNORECASE:
            inner = _required(av[3])
        elif op is _sre.ATOMIC_GROUP:
            inner = _required(av)
        elif op is _sre.BRANCH:
            union: set[str] = set()
            union_lead: _Lead = (0, 0)
            for branch in av[1]:
                found = _required(branch)
                if found is None:
                    break
                union |= found[0]
                union_lead = _widest(union_lead, found[1])
            else:
                inner = (_shrink(union), union_lead)
        elif op.name in _REPEATS and av[0] >= 1:
            inner = _required(av[2])
        if inner is not None and inner[1] == (0, 0):
            # The item starts with one of its strings: the run goes on into it.
            candidates.append((_shrink({a + b for a in run for b in inner[0]}), run_lead))
        else:
            candidates.append((run, run_lead))
            if inner is not None:
                candidates.append((inner[0], _plus(lead, inner[1])))
        lead = _plus(lead, _width([(op, av)]))
        run, run_lead = {""}, lead
    candidates.append((run, run_lead))
    usable = [c for c in candidates if c[0] and "" not in c[0]]
    if not usable:
        return None
    # Strings of one or two letters are in every text; among longer ones, a bounded lead
    # lets the search start near the string found; then the longer the rarer, and fewer
    # strings are cheaper to look for.
    return max(usable, key=_quality)


def _quality(needed: _Needed) -> tuple[bool, bool, int, int]:
    shortest = min(len(s) for s in needed[0])
    return shortest >= 3, needed[1] is not None, shortest, -len(needed[0])


def _minimal(needed: _Needed) -> tuple[tuple[str, ...], _Lead]:
    """Drop the strings containing another one: finding the shorter one is enough.

    The lead grows by how far inside a dropped string the one kept for it may stand.
    """
    strings, lead = needed
    kept: list[str] = []
    extra = 0
    for string in sorted(strings, key=len):
        inside = [k for k in kept if k in string]
        if inside:
            extra = max(extra, *(string.rfind(k) for k in inside))
        else:
            kept.append(string)
    return tuple(kept), _plus(lead, (extra, 0))


def required_strings(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Return strings of which every match of ``pattern`` contains one, else ``None``.

    ``None`` when no such strings are known (the pattern is then searched everywhere).
    """
    needed = _needed(pattern, flags)
    return None if needed is None else needed[0]


def _needed(pattern: str, flags: int) -> tuple[tuple[str, ...], _Lead] | None:
    if _sre_parser is None or flags & re.IGNORECASE:
        return None
    with _READING:
        try:
            parsed = _sre_parser.parse(pattern, flags)
            if parsed.state.flags & re.IGNORECASE:
                return None
            needed = _required(parsed.data)
        except (re.error, TypeError, ValueError, AttributeError, IndexError):  # unknown internals
            return None
        finally:
            # Keys are the ids of this parse's objects: never valid for another one.
            _FINITE.clear()
            _WIDTH.clear()
    return None if needed is None else _minimal(needed)


#: The gates read so far, by ``flags:pattern``: loaded from the cache file on first use.
_KNOWN: dict[str, tuple[tuple[str, ...], _Lead] | None] | None = None
#: Keys read in this process and not yet saved to the cache file.
_UNSAVED: set[str] = set()
_KNOWN_LOCK = threading.Lock()


def _cache_file() -> Path | None:
    """The cache file of the gates, ``None`` when caching is turned off."""
    folder = cache_folder()
    if folder is None:
        return None
    source = hashlib.sha256(Path(__file__).read_bytes())
    source.update(sys.version.encode())
    return folder / f"gates-{source.hexdigest()[:16]}.json"


def _load(path: Path | None) -> dict[str, tuple[tuple[str, ...], _Lead] | None]:
    """The gates stored in ``path``; nothing when it is missing, unreadable or malformed."""
    if path is None:
        return {}
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        known: dict[str, tuple[tuple[str, ...], _Lead] | None] = {}
        for key, value in stored.items():
            if value is None:
                known[key] = None
                continue
            strings, lead = value
            if not (strings and all(isinstance(x, str) and x for x in strings)):
                return {}
            if lead is not None and not (
                len(lead) == 2 and all(type(n) is int and n >= 0 for n in lead)
            ):
                return {}
            known[key] = (tuple(strings), None if lead is None else (lead[0], lead[1]))
        return known
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def load_gates() -> dict[str, tuple[tuple[str, ...], _Lead] | None]:
    """The gates read so far, loaded from the cache file on the first call.

    Called before worker processes are forked, so that each inherits them instead of
    reading the file again.
    """
    global _KNOWN
    with _KNOWN_LOCK:
        if _KNOWN is None:
            _KNOWN = _load(_cache_file())
        return _KNOWN


def _read_gate(pattern: str, flags: int) -> tuple[tuple[str, ...], _Lead] | None:
    """The gate of ``pattern``: from the cache when known, else read (and kept)."""
    key = f"{int(flags)}:{pattern}"
    known = load_gates()
    with _KNOWN_LOCK:
        if key in known:
            return known[key]
    needed = _needed(pattern, flags)
    with _KNOWN_LOCK:
        known[key] = needed
        if not _UNSAVED:
            atexit.register(save_gates)
        _UNSAVED.add(key)
    return needed


def save_gates() -> None:
    """Add the gates read in this process to the cache file (at once, atomically).

    Called by the workers after each document (they exit without ``atexit``) and at the
    exit of any other process. A cache folder that cannot be written is left alone: the
    gates are then read again by the next run.
    """
    with _KNOWN_LOCK:
        if not _UNSAVED or _KNOWN is None:
            return
        path = _cache_file()
        fresh = {key: _KNOWN[key] for key in _UNSAVED}
        _UNSAVED.clear()
    if path is None:
        return
    # Another process may have saved meanwhile: keep its gates too.
    merged = {**_load(path), **fresh}
    write_atomically(path, json.dumps(merged, ensure_ascii=False))


#: Needed strings shorter than this are in nearly every text, and every occurrence found
#: by the automaton costs: they are looked for one by one (``str.find``), when asked.
_INDEXED_LENGTH = 3


class _Index:
    """The needed strings of every pattern gated so far, found in a text in one pass.

    An Aho-Corasick automaton (``ahocorasick_rs``) of all the strings gives, in one scan of
    a text, where each of them first occurs: the gates of every pattern searched in that
    text are then dictionary look-ups. Strings added since the automaton was built (a
    pattern read for the first time) are looked for one by one in the texts already
    scanned, and the automaton is built anew before the next text is.
    """

    __slots__ = ("_built", "_lock", "_strings")

    def __init__(self) -> None:
        self._strings: dict[str, None] = {}  # an ordered set: every string to index
        # The automaton, the strings in its order, and those strings as a set.
        self._built: tuple[Any, tuple[str, ...], frozenset[str]] = (None, (), frozenset())
        self._lock = threading.Lock()

    def add(self, strings: Iterable[str]) -> None:
        """Index ``strings`` too, from the next text scanned on."""
        with self._lock:
            for string in strings:
                # A line break is never indexed: see share_scan.
                if len(string) >= _INDEXED_LENGTH and "\n" not in string:
                    self._strings.setdefault(string)

    def scan(self, text: str) -> tuple[dict[str, int], frozenset[str]]:
        """Return where each indexed string present in ``text`` first occurs.

        Also the strings indexed: any of them not in the answer is absent from ``text``.
        """
        automaton, strings, covered = self._built
        if len(covered) != len(self._strings):
            automaton, strings, covered = self._build()
        if automaton is None:
            return {}, covered
        # Matches come in order of their end, so later ones are the earlier starts of a
        # string only for overlapping occurrences of it: reversed, the first start wins.
        matches = automaton.find_matches_as_indexes(text, overlapping=True)
        return {strings[index]: start for index, start, _ in reversed(matches)}, covered

    def _build(self) -> tuple[Any, tuple[str, ...], frozenset[str]]:
        with self._lock:
            strings = tuple(self._strings)
            if strings and len(strings) != len(self._built[2]):
                import ahocorasick_rs  # not at import: only once a pattern is searched

                # The contiguous automaton is small enough to stay in the processor's
                # caches between two texts (the DFA is faster only when scanning alone).
                automaton = ahocorasick_rs.AhoCorasick(
                    strings, implementation=ahocorasick_rs.Implementation.ContiguousNFA
                )
                self._built = (automaton, strings, frozenset(strings))
            return self._built


_INDEX = _Index()

#: A text is scanned for every indexed string once this many strings were looked for in
#: it one by one: until then it may be a line or a cell that a few patterns search, for
#: which the scan would cost more than it saves.
_SCAN_AFTER = 12


class _Memo:
    """What is known of one text: where the needed strings first occur, its widest space.

    ``first`` holds where each string looked for so far first occurs (-1: absent). Once
    the text is scanned (:class:`_Index`), ``present`` holds every indexed string it holds,
    and an indexed string (``covered``) not in ``present`` is absent.
    """

    __slots__ = ("covered", "finds", "first", "hits", "present", "spaces", "text", "twin")

    def __init__(self, text: str) -> None:
        self.text = text  # kept alive with its memo, so that its id is not reused meanwhile
        self.first: dict[str, int] = {}
        self.hits: dict[str, int] = {}  # what the scan found
        self.present: frozenset[str] = frozenset()
        self.covered: frozenset[str] = frozenset()
        self.finds = 0  # strings looked for one by one; -1 once scanned
        self.spaces: int | None = None
        self.twin: _Memo | None = None  # the same text with other spaces (share_scan)

    def scan(self) -> None:
        """Find every indexed string in the text at once (when not done yet)."""
        if self.finds >= 0:
            hits, covered = _INDEX.scan(self.text)
            self.scanned(hits, covered)

    def scanned(self, hits: dict[str, int], covered: frozenset[str]) -> None:
        """Take what a scan of the text found: ``hits``, among the strings ``covered``."""
        self.hits, self.covered = hits, covered
        self.present = frozenset(hits)
        self.first.update(hits)
        self.finds = -1

    def position(self, string: str) -> int:
        """Return where ``string`` first occurs in the text, -1 when it is absent."""
        found = self.first.get(string)
        if found is not None:
            return found
        if self.finds >= _SCAN_AFTER:
            self.scan()
            found = self.first.get(string)
            if found is not None:
                return found
        if string in self.covered:
            found = -1  # indexed, and not found by the scan
        else:
            if self.finds >= 0:
                self.finds += 1
            found = self.text.find(string)
        self.first[string] = found
        return found

    def widest_space(self) -> int:
        """Return the length of the longest run of whitespace of the text (at least 1)."""
        if self.spaces is None:
            twin = self.twin
            if twin is not None and twin.spaces is not None:
                self.spaces = twin.spaces
            else:
                self.spaces = max(map(len, _SPACE_RUNS.findall(self.text)), default=1)
        return self.spaces


_SPACE_RUNS = re.compile(r"\s\s+")

#: The memos of the last few texts searched: the patterns of all the plugins look for the
#: same words of the same document.
_RECENT: dict[int, _Memo] = {}
_RECENT_TEXTS = 8
_RECENT_LOCK = threading.Lock()


def _memo(text: str) -> _Memo:
    """Return the memo of ``text`` (kept for the last few texts)."""
    memo = _RECENT.get(id(text))
    if memo is not None and memo.text is text:
        return memo
    memo = _Memo(text)
    with _RECENT_LOCK:
        while len(_RECENT) >= _RECENT_TEXTS:
            del _RECENT[next(iter(_RECENT))]
        _RECENT[id(text)] = memo
    return memo


def share_scan(lined: str, flat: str) -> None:
    """Scan ``flat`` for ``lined`` too, when ``flat`` is ``lined`` with spaces for line breaks.

    Issuers search a document's folded text both ways (markers on one line, fields by
    line): one scan serves both. A string without a space stands at the same places in
    both texts; one with a space first stands in ``lined`` where it does in ``flat`` or
    later. Indexed strings never hold a line break. Nothing is shared when the texts are
    not so related.
    """
    target = _memo(lined)
    if target.finds < 0 or len(lined) != len(flat) or lined.replace("\n", " ") != flat:
        return
    source = _memo(flat)
    source.scan()
    hits = dict(source.hits)
    for string in _spaced(source.covered) & source.present:
        found = lined.find(string, hits[string])
        if found < 0:
            del hits[string]
        else:
            hits[string] = found
    target.scanned(hits, source.covered)
    # Line breaks and spaces are both whitespace: the runs of it are the same.
    target.twin, source.twin = source, target


#: The indexed strings holding a space, for the last set of strings indexed.
_SPACED: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


def _spaced(covered: frozenset[str]) -> frozenset[str]:
    """Return the strings of ``covered`` that hold a space."""
    global _SPACED
    known = _SPACED
    if known[0] is not covered:
        known = _SPACED = (covered, frozenset(s for s in covered if " " in s))
    return known[1]


class Gated:
    """A compiled regex searched only where the strings it needs are present.

    ``search``, ``finditer`` and ``sub`` give exactly the answers of the regex; ``match``
    and ``fullmatch`` (at one position) are passed through.
    """

    __slots__ = (
        "_bound", "_lines", "_literals", "_probes", "_rare", "_read", "_regex", "flags", "pattern"
    )  # fmt: skip

    def __init__(self, pattern: str, flags: int = 0) -> None:
        # Nothing is parsed or compiled here: a module's patterns are built at import,
        # and most of them are never searched by a given command, or only in texts
        # without their strings (then the regex itself is never compiled).
        self.pattern = pattern
        self.flags = flags
        self._regex: re.Pattern[str] | None = None
        self._read = False
        self._literals: tuple[str, ...] | None = None
        self._bound: _Lead = None
        self._rare = False
        self._lines = False
        self._probes: dict[int, re.Pattern[str] | None] = {}

    @property
    def regex(self) -> re.Pattern[str]:
        """The compiled regex (compiled on first use)."""
        if self._regex is None:
            self._regex = re.compile(self.pattern, self.flags)
        return self._regex

    def probe(self, span: int) -> re.Pattern[str] | None:
        """The regex trying ``span + 1`` starts at once; ``None`` when it cannot be built.

        ``probe.match(text, start, end)`` tries the pattern at ``start``, ``start + 1``...
        up to ``start + span``, in that order, as so many ``match`` calls would, in one
        call: its group 1 is the first match found (compiled on first use). A pattern that
        refers to a group by its number, or sets global flags inside itself, has none: a
        group before its own would break it.
        """
        if span in self._probes:
            return self._probes[span]
        regex = self.regex
        probe = None
        if _NUMBERED.search(self.pattern) is None:
            # A comment ending a verbose pattern would swallow the closing parenthesis.
            close = "\n)" if regex.flags & re.VERBOSE else ")"
            try:
                probe = re.compile(f"(?s:.{{0,{span}}}?)({self.pattern}{close}", self.flags)
            except re.error:  # global flags inside the pattern
                probe = None
            if probe is not None and probe.groups != regex.groups + 1:
                probe = None
        self._probes[span] = probe
        return probe

    def _gate(self) -> None:
        needed = _read_gate(self.pattern, self.flags)
        if needed is None:
            self.regex  # noqa: B018 - an invalid pattern fails now, as re.compile would
        else:
            self._literals, self._bound = needed
            self._rare = all(len(literal) >= _RARE for literal in self._literals)
            self._lines = _opens_lines(self.pattern, self.flags)
            _INDEX.add(self._literals)
        self._read = True

    @property
    def literals(self) -> tuple[str, ...] | None:
        """Strings of which every match holds one (``None``: not known, no gate)."""
        if not self._read:
            self._gate()
        return self._literals

    @property
    def lead(self) -> _Lead:
        """How far before that string a match may start (``None``: no bound)."""
        if not self._read:
            self._gate()
        return self._bound

    def __repr__(self) -> str:
        return f"Gated({self.pattern!r}, literals={self.literals!r})"

    def _lead(self, memo: _Memo) -> int | None:
        """Return the lead in characters for the text of ``memo``."""
        lead = self._bound
        if lead is None:
            return None
        fixed, spaces = lead
        return fixed + spaces * memo.widest_space() if spaces else fixed

    def _first(self, memo: _Memo, start: int, end: int) -> int:
        """Return where the first needed string occurs in ``text[start:end]``, or -1."""
        best = -1
        known, covered = memo.first, memo.covered
        for literal in self._literals or ():
            found = known.get(literal)
            if found is None:
                # A string indexed and not found by the scan is absent (as position says).
                found = -1 if literal in covered else memo.position(literal)
            if found < 0:
                continue
            if found < start or found + len(literal) > end:
                found = memo.text.find(literal, start, end)
                if found < 0:
                    continue
            if best < 0 or found < best:
                best = found
        return best

    def earliest(self, text: str) -> int | None:
        """Return the earliest position where a match may start, ``None`` if none can."""
        if not self._read:
            self._gate()
        if self._literals is None:
            return 0
        memo = _memo(text)
        first = self._first(memo, 0, len(text))
        if first < 0:
            return None
        lead = self._lead(memo)
        return 0 if lead is None else max(0, first - lead)

    def possible(self, text: str) -> bool:
        """Say whether ``text`` holds one of the needed strings (a match may exist)."""
        if not self._read:
            self._gate()
        return self._literals is None or self._first(_memo(text), 0, len(text)) >= 0

    def _occurrences(self, memo: _Memo, start: int, end: int) -> list[int]:
        """Return, in order, where the needed strings occur in ``text[start:end]``.

        A place where two of them occur is there twice. All at once: walking the strings
        in step, one occurrence at a time, costs more than finding every one.
        """
        places: list[int] = []
        text, known, covered = memo.text, memo.first, memo.covered
        for literal in self._literals or ():
            found = known.get(literal)
            if found is None:
                found = -1 if literal in covered else memo.position(literal)
            if found >= 0 and (found < start or found + len(literal) > end):
                found = text.find(literal, start, end)
            while found >= 0:
                places.append(found)
                found = text.find(literal, found + 1, end)
        places.sort()
        return places

    def _starts(
        self, memo: _Memo, pos: int, end: int, lead: int, near: tuple[int, re.Pattern[str]] | None
    ) -> Iterator[re.Match[str]]:
        """Yield the matches of a pattern with a bounded lead, tried only near its strings.

        A match holding a needed string at ``q`` starts between ``q - lead`` and ``q``:
        those positions are tried in increasing order, each once, one by one or, with
        ``near`` (a span at least ``lead`` and its :meth:`probe`), a span at a time.
        """
        text = memo.text
        match_at = self.regex.match
        tried = pos - 1  # no match starts in [pos, tried] but those yielded
        for found in self._occurrences(memo, pos, end):
            if found <= tried:
                continue
            start = max(found - lead, tried + 1)
            if near is not None:
                # The span tried reaches found or beyond: a match found there starts
                # where no earlier one can, and none found rules the whole span out.
                hit = near[1].match(text, start, end)
                if hit is None:
                    tried = start + near[0]
                    continue
                match = match_at(text, hit.start(1), end)
                assert match is not None  # the probe matched the pattern there
                yield match
                tried = match.end() - 1
                continue
            for at in self._tried(text, start, found):
                match = match_at(text, at, end)
                if match is not None:
                    yield match
                    tried = match.end() - 1
                    break
            else:
                tried = found

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """Return the first match, as ``re.Pattern.search`` does."""
        if not self._read:
            self._gate()
        end = len(text) if endpos is None else endpos
        if self._literals is None:
            return self.regex.search(text, pos, end)
        memo = _memo(text)
        first = self._first(memo, pos, end)
        if first < 0:
            return None
        lead = self._lead(memo)
        if lead is None:
            return self.regex.search(text, pos, end)
        near = self._near(lead)
        if near is not None:
            # Most often the match holds the first string found: tried at once, before
            # going through the other places of the strings.
            start = max(pos, first - lead)
            hit = near[1].match(text, start, end)
            if hit is not None:
                return self.regex.match(text, hit.start(1), end)
            return next(self._starts(memo, start + near[0] + 1, end, lead, near), None)
        if lead <= _SHORT_LEAD and self._rare:
            # Most often the match holds the first string found: tried at once, before
            # going through the other places of the strings.
            match_at = self.regex.match
            for start in self._tried(text, max(pos, first - lead), first):
                match = match_at(text, start, end)
                if match is not None:
                    return match
            return next(self._starts(memo, first + 1, end, lead, None), None)
        return self.regex.search(text, max(pos, first - lead), end)

    def _tried(self, text: str, start: int, stop: int) -> Iterable[int]:
        """The positions from ``start`` to ``stop`` where a match may start, in order.

        A pattern opening with ``^`` (multiline) matches only at the start of a line.
        """
        if not self._lines:
            return range(start, stop + 1)
        starts = []
        if start == 0:
            starts.append(0)
            start = 1
        # A line starts after each line break at start - 1 ... stop - 1.
        found = text.find("\n", start - 1, stop)
        while found >= 0:
            starts.append(found + 1)
            found = text.find("\n", found + 1, stop)
        return starts

    def _near(self, lead: int) -> tuple[int, re.Pattern[str]] | None:
        """A span and its probe, when a match is best looked for near the strings."""
        if lead <= _SHORT_LEAD or not self._rare:
            return None
        for span in _PROBE_SPANS:
            if lead <= span:
                probe = self.probe(span)
                return None if probe is None else (span, probe)
        return None

    def finditer(
        self, text: str, pos: int = 0, endpos: int | None = None
    ) -> Iterator[re.Match[str]]:
        """Yield every match, as ``re.Pattern.finditer`` does."""
        if not self._read:
            self._gate()
        end = len(text) if endpos is None else endpos
        if self._literals is None:
            yield from self.regex.finditer(text, pos, end)
            return
        memo = _memo(text)
        first = self._first(memo, pos, end)
        if first < 0:
            return
        lead = self._lead(memo)
        if lead is None:
            yield from self.regex.finditer(text, pos, end)
        elif (near := self._near(lead)) is not None or (lead <= _SHORT_LEAD and self._rare):
            yield from self._starts(memo, pos, end, lead, near)
        else:
            while first >= 0:
                match = self.regex.search(text, max(pos, first - lead), end)
                if match is None:
                    return
                yield match
                # Every match holds a needed string, so it is never empty.
                pos = match.end()
                first = self._first(memo, pos, end)

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """Match at ``pos``, as ``re.Pattern.match`` does."""
        return self.regex.match(text, pos, len(text) if endpos is None else endpos)

    def fullmatch(
        self, text: str, pos: int = 0, endpos: int | None = None
    ) -> re.Match[str] | None:
        """Match the whole of ``text[pos:endpos]``, as ``re.Pattern.fullmatch`` does."""
        return self.regex.fullmatch(text, pos, len(text) if endpos is None else endpos)

    def sub(self, repl: Any, text: str) -> str:
        """Replace every match, as ``re.Pattern.sub`` does."""
        return self.regex.sub(repl, text) if self.possible(text) else text


class _Plan:
    """How a :class:`Gates` reads the memos of texts scanned with one set of strings.

    ``owners`` gives, for each indexed string, the patterns needing it (of those whose
    strings are all indexed); ``others`` are the patterns asked one by one (no gate, or a
    string too short to be indexed, or read after the scan).
    """

    __slots__ = ("covered", "others", "owners", "strings")

    def __init__(self, patterns: Sequence[Gated], covered: frozenset[str]) -> None:
        self.covered = covered
        self.owners: dict[str, list[int]] = {}
        others = []
        for index, pattern in enumerate(patterns):
            literals = pattern.literals
            if literals is None or not covered.issuperset(literals):
                others.append(index)
                continue
            for literal in literals:
                self.owners.setdefault(literal, []).append(index)
        self.others = tuple(others)
        self.strings = frozenset(self.owners)


class Gates:
    """Patterns asked together which of them may match a text, in one test.

    A text holding none of the strings a pattern needs does not match it: an issuer whose
    markers are all absent declines the document without searching one of them, and of
    the others it searches only those whose strings are there.
    """

    __slots__ = ("_patterns", "_plan", "_strings")

    def __init__(self, patterns: Iterable[Gated]) -> None:
        self._patterns = tuple(patterns)
        self._plan: _Plan | None = None
        self._strings = -1  # how many strings the patterns need, once read

    def _plan_of(self, text: str) -> tuple[_Memo, _Plan] | None:
        """The memo of ``text``, scanned, and the plan for it; ``None``: ask one by one.

        A text not scanned yet is scanned only for patterns needing many strings: for a
        few, looking for each is cheaper.
        """
        memo = _memo(text)
        if memo.finds >= 0:
            if self._strings < 0:
                self._strings = sum(len(p.literals or ()) for p in self._patterns)
            if self._strings < _SCAN_AFTER:
                return None
            memo.scan()
        plan = self._plan
        if plan is None or plan.covered is not memo.covered:
            plan = self._plan = _Plan(self._patterns, memo.covered)
        return memo, plan

    def possible(self, text: str) -> bool:
        """Say whether one of the patterns may match in ``text`` (holds a needed string)."""
        planned = self._plan_of(text)
        if planned is None:
            return any(pattern.possible(text) for pattern in self._patterns)
        memo, plan = planned
        if not plan.strings.isdisjoint(memo.present):
            return True
        return any(self._patterns[index].possible(text) for index in plan.others)

    def which(self, text: str) -> list[int]:
        """Return, in order, the indexes of the patterns that may match in ``text``."""
        patterns = self._patterns
        planned = self._plan_of(text)
        if planned is None:
            return [index for index, pattern in enumerate(patterns) if pattern.possible(text)]
        memo, plan = planned
        found = {index for string in plan.strings & memo.present for index in plan.owners[string]}
        found.update(index for index in plan.others if patterns[index].possible(text))
        return sorted(found)


def _opens_lines(pattern: str, flags: int) -> bool:
    """Say whether every match of ``pattern`` starts a line: ``^`` opens it, multiline.

    ``^`` must not open only the first of the pattern's alternatives (``^a|b``): a bar
    outside any group or set says so. A verbose pattern is not read (a comment may hold
    anything).
    """
    if not flags & re.MULTILINE or flags & re.VERBOSE or not pattern.startswith("^"):
        return False
    depth = 0
    in_set = False
    index = 1
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_set:
            in_set = char != "]"
        elif char == "[":
            in_set = True
            # A "]" first in a set ("[]a]", "[^]a]") is one of its characters.
            index += 1
            if pattern.startswith("^", index):
                index += 1
            if pattern.startswith("]", index):
                index += 1
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return False
        index += 1
    return True


#: A reference to a group by its number (``\1``, ``(?(1)...)``): a probe's group before
#: the pattern's own would change what it refers to. A doubled backslash before a digit,
#: or a condition on a group's name, counts too: the pattern then simply has no probe.
_NUMBERED = re.compile(r"\\[1-9]|\(\?\(")

_DIGIT_RUN = re.compile(r"\d+")


def at_digits(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    r"""Yield the matches of ``regex`` as ``finditer`` would, for a regex starting at digits.

    ``regex`` must match only at the first digit of a run of digits (it starts with a
    digit not preceded by one, ``(?<!\d)\d...``): it is then tried at those places only,
    found by a fast scan, instead of at every position of the text.
    """
    reached = 0
    for run in _DIGIT_RUN.finditer(text):
        if run.start() < reached:
            continue
        match = regex.match(text, run.start())
        if match is not None:
            yield match
            reached = match.end()


@lru_cache(maxsize=1024)
def gated(pattern: str, flags: int = 0) -> Gated:
    """Return the :class:`Gated` form of ``pattern`` (cached)."""
    return Gated(pattern, flags)
