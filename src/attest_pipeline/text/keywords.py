"""Whole-word key matching: which of a set of names or keywords a text mentions.

The référentiel's indicative lists (congresses, journals, institutions) and the mapping's
theme keywords are matched this way: after :func:`~attest_pipeline.text.fold.plain_words`
(no accents, case or punctuation), as whole words, never by similarity, so that a
doubtful name simply does not match. A key written in capitals is an acronym and keeps
its case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from attest_pipeline.text.fold import plain_words

T = TypeVar("T")


def is_acronym(key: str) -> bool:
    """Whether a search key is written entirely in capitals (so it matches only so)."""
    return key != key.casefold() and key == key.upper()


class KeyText:
    """A text prepared once for every :class:`KeyMatcher` search made in it.

    ``cased`` keeps the case, ``folded`` is lower-cased; the word lists and sets that
    the searches use are computed on first use.
    """

    __slots__ = ("_cased_set", "_cased_words", "_folded_set", "_folded_words", "cased", "folded")

    def __init__(self, *texts: str) -> None:
        # One text per line: a key (words joined by single spaces) never spans two texts.
        self.cased = "\n".join(n for n in (plain_words(t, keep_case=True) for t in texts) if n)
        self.folded = self.cased.lower()
        self._cased_words: list[str] | None = None
        self._folded_words: list[str] | None = None
        self._cased_set: frozenset[str] | None = None
        self._folded_set: frozenset[str] | None = None

    def words(self, *, fold: bool) -> tuple[list[str], frozenset[str]]:
        """Return the words of the text (with their set), lower-cased or not.

        The texts stay apart: a line-break word, which no key contains, separates them.
        """
        if fold:
            if self._folded_words is None or self._folded_set is None:
                self._folded_words = self.folded.replace("\n", " \n ").split(" ")
                self._folded_set = frozenset(self._folded_words)
            return self._folded_words, self._folded_set
        if self._cased_words is None or self._cased_set is None:
            self._cased_words = self.cased.replace("\n", " \n ").split(" ")
            self._cased_set = frozenset(self._cased_words)
        return self._cased_words, self._cased_set


# First word of a key -> (the key's words, value), longest keys first.
_Index = dict[str, list[tuple[tuple[str, ...], T]]]


def _index(keys: Iterable[tuple[str, T]]) -> _Index[T]:
    index: _Index[T] = {}
    seen: set[tuple[str, ...]] = set()
    for key, value in keys:
        words = tuple(key.split())
        if words and words not in seen:
            seen.add(words)
            index.setdefault(words[0], []).append((words, value))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


def _scan(index: _Index[T], words: list[str], present: frozenset[str]) -> T | None:
    # Only the words that begin some key are looked at, and only where they occur, so a
    # long text costs a set intersection and a few C-level list searches.
    best: tuple[int, T] | None = None
    for word in present.intersection(index):
        entries = index[word]
        position = -1
        while True:
            try:
                position = words.index(word, position + 1)
            except ValueError:
                break
            if best is not None and position >= best[0]:
                break
            value = next(
                (
                    v
                    for key, v in entries
                    if len(key) == 1 or tuple(words[position : position + len(key)]) == key
                ),
                None,
            )
            if value is not None:
                best = (position, value)
                break
    return None if best is None else best[1]


class KeyMatcher(Generic[T]):
    """Finds which of a set of search keys occurs in a text, as whole words.

    Keys are reduced to their plain words (:func:`~attest_pipeline.text.fold.plain_words`)
    once, at construction. A key written entirely in capitals is an
    acronym and is searched case-sensitively (``"ANS"`` must not match the word ``"ans"``);
    every other key is searched without regard to case. ``exact`` keys match only the
    whole text. Each key carries a value returned when it is found (the first key in the
    text's order, the longest at a given position).
    """

    __slots__ = ("_cased", "_exact", "_folded")

    def __init__(
        self,
        keys: Iterable[tuple[str, T]],
        exact: Iterable[tuple[str, T]] = (),
    ) -> None:
        folded: list[tuple[str, T]] = []
        cased: list[tuple[str, T]] = []
        for key, value in keys:
            if is_acronym(key):
                cased.append((plain_words(key, keep_case=True), value))
            else:
                folded.append((plain_words(key), value))
        self._folded = _index(folded)
        self._cased = _index(cased)
        self._exact: dict[str, T] = {}
        for key, value in exact:
            self._exact.setdefault(plain_words(key), value)

    def find(self, text: str) -> T | None:
        """Return the value of the first key found in ``text`` (raw text), or ``None``."""
        return self.find_in(KeyText(text))

    def find_in(self, text: KeyText) -> T | None:
        """Like :meth:`find` on a text already prepared."""
        if self._exact and text.folded in self._exact:
            return self._exact[text.folded]
        if self._folded:
            found = _scan(self._folded, *text.words(fold=True))
            if found is not None:
                return found
        if self._cased:
            return _scan(self._cased, *text.words(fold=False))
        return None
