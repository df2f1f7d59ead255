"""Reading values after labels (attest_pipeline.issuers.labels)."""

from __future__ import annotations

import re

import pytest

from attest_pipeline.issuers.labels import tidy


def regex_tidy(value: str) -> str:
    """What tidy does, written with regexes: quotes to spaces, each run of \\s to one."""
    value = re.sub(r"\s+", " ", re.sub(r"[«»“”]", " ", value)).strip()
    return value.strip(" \"':;,.-–").strip()


@pytest.mark.parametrize(
    "value",
    [
        "le DU « Soins palliatifs »",
        "  Prévention\ndu\tburn-out :  ",
        "“Dépistage”\u00a0de la BPCO\u202f;",
        "ligne\u2028suivante\x1cfin\x85.",
        " - – ' \" ",
        "",
    ],
)
def test_tidy_joins_lines_and_drops_quotes_as_the_regexes_would(value: str) -> None:
    assert tidy(value) == regex_tidy(value)
