"""Text made safe for a terminal or a log line: control characters shown, never obeyed.

Names and fields come from files and PDFs that anyone can write. Printed as they are, a
newline in a file name forges a line of ``journal.log``, an ANSI escape rewrites the
terminal (or its title), a bell rings, and a bidi override (U+202E) shows a file name or a
participant backwards. Every human-readable output passes its values through
:func:`printable`; JSON output needs no such care (``json.dumps`` escapes control
characters, and a JSON reader shows bidi characters as data).
"""

from __future__ import annotations

import unicodedata

#: Unicode categories shown escaped: controls (C0, DEL, C1), format characters (bidi
#: embeddings, overrides, isolates and marks, zero-width characters), line and paragraph
#: separators, and lone surrogates (the undecodable bytes of a file name, kept by
#: ``surrogateescape``).
ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as surrogateescape keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(value: object, *, keep_newlines: bool = False) -> str:
    r"""``str(value)`` with every control, format or separator character escaped.

    ``\x07``, ``\x1b``, ``\u202e``, ``\n``...: a value always prints on one line and
    as what it is. With ``keep_newlines``, line ends are kept (for a whole message made of
    lines whose values were escaped already). Escaping is idempotent: what it returns
    holds no character it would escape.
    """
    text = str(value)
    if text.isprintable():
        return text  # the common case, at C speed
    return "".join(
        char
        if (keep_newlines and char == "\n")
        or unicodedata.category(char) not in ESCAPED_CATEGORIES
        else _escape(char)
        for char in text
    )
