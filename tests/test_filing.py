from __future__ import annotations

from pathlib import Path

import pytest

from attest_pipeline.filing import durable_write, page_label, safe_component


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DUPONT", "DUPONT"),
        ("Jean-Pierre", "Jean-Pierre"),
        ("Hélène", "Hélène"),
        ("../../etc/passwd", "etc-passwd"),
        ("/absolute", "absolute"),
        ("a/b\\c", "a-b-c"),
        ("N'DIAYE", "N-DIAYE"),
        ("..", "x"),
        ("", "x"),
        ("nul\x00byte", "nul-byte"),
        ("under_score", "under-score"),
    ],
)
def test_safe_component_cannot_choose_a_path(text: str, expected: str) -> None:
    assert safe_component(text) == expected
    assert "/" not in safe_component(text) and "\\" not in safe_component(text)


def test_safe_component_is_bounded() -> None:
    assert len(safe_component("A" * 500, 40)) == 40


def test_durable_write_creates_folders_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.pdf"
    durable_write(target, b"data")
    durable_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.pdf"]


def test_page_label() -> None:
    assert page_label([3]) == "p3"
    assert page_label([3, 4, 5]) == "p3-5"
