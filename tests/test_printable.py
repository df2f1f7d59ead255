from __future__ import annotations

import pytest

from attest_pipeline.text.printable import printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("DUPONT Jean-Pierre", "DUPONT Jean-Pierre"),
        ("Hélène Œuvre — 12 € ", "Hélène Œuvre — 12 € "),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("bell\x07", "bell\\x07"),
        ("\x1b[2J\x1b]0;title\x07", "\\x1b[2J\\x1b]0;title\\x07"),
        ("\x7f\x85\x9b", "\\x7f\\x85\\x9b"),
        ("fdp.\u202efdp", "fdp.\\u202efdp"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("\u200e\u200f\u061c", "\\u200e\\u200f\\u061c"),
        ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
        ("caf\udce9.pdf", "caf\\xe9.pdf"),
        ("\u00a0nbsp", "\u00a0nbsp"),
    ],
)
def test_controls_are_shown_escaped_and_text_is_kept(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert printable(shown) == shown  # idempotent


def test_newlines_may_be_kept_for_a_whole_message() -> None:
    assert printable("one\x07\ntwo\u202e", keep_newlines=True) == "one\\x07\ntwo\\u202e"


def test_any_value_is_printed_as_text() -> None:
    assert printable(12) == "12"
    assert printable(None) == "None"
