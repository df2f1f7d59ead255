"""jsontext: the indented JSON of extract and of the sidecars, as the standard library writes it."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from attest_pipeline.jsontext import pretty


@dataclass(frozen=True)
class _Point:
    x: int


def _standard(data: Any, default: Any = None) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=default)


@pytest.mark.parametrize(
    "data",
    [
        {"participant": "LEFÈVRE-ROUSSEAU Anne-Sophie", "score": 0.95, "pages": [1, 2]},
        {"empty": {}, "none": [], "nested": [[[]]], "flag": True, "missing": None},
        {"quote": 'a "b" \\ c', "controls": "\x01\t\n\u2028", "emoji": "🩺"},
        {"large": 1e16, "small": 0.0001, "negative zero": -0.0, "integer": -12},
        ["a", ("tuple", "as", "list")],
        {3: "integer key", "text": "string key"},
    ],
)
def test_it_writes_what_the_standard_library_writes(data: Any) -> None:
    assert pretty(data) == _standard(data)


def test_a_tiny_number_keeps_its_value_with_a_shorter_exponent() -> None:
    assert pretty({"n": 1e-7}) == '{\n  "n": 1e-7\n}'
    assert json.loads(pretty({"n": 1e-7})) == {"n": 1e-7}


def test_default_turns_paths_dates_and_dataclasses_into_text_as_str_does() -> None:
    data = {
        "path": Path("/srv/dossiers/10000000009.pdf"),
        "at": datetime.datetime(2026, 3, 4, 9, 30, 15),
        "day": datetime.date(2026, 3, 4),
        "point": _Point(1),
    }
    assert pretty(data, default=str) == _standard(data, default=str)
    assert '"at": "2026-03-04 09:30:15"' in pretty(data, default=str)


def test_an_integer_wider_than_64_bits_is_written_all_the_same() -> None:
    assert pretty({"n": 2**70}) == _standard({"n": 2**70})


def test_a_value_json_has_no_type_for_is_refused_without_default() -> None:
    with pytest.raises(TypeError):
        pretty({"path": Path("/x")})
