"""The contract is documentation: every hook and issuer method documented, in the guide too."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from attest_pipeline import contract
from attest_pipeline.contract import HookSpecs, Issuer

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "plugins.md"
HOOKS = [
    name
    for name, _ in inspect.getmembers(HookSpecs, inspect.isfunction)
    if name.startswith("attest_")
]
METHODS = ["identify", "split", "extract"]


def test_there_is_a_hook() -> None:
    assert HOOKS == ["attest_register_issuers"]


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(HookSpecs, name)) or ""
    assert len(doc) > 80
    assert name in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", METHODS)
def test_every_issuer_method_is_documented(name: str) -> None:
    doc = inspect.getdoc(getattr(Issuer, name)) or ""
    assert "Return" in doc or "return" in doc.lower()
    assert f"{name}" in GUIDE.read_text(encoding="utf-8")


def test_the_module_docstring_gives_the_call_order() -> None:
    doc = contract.__doc__ or ""
    assert doc.index("identify") < doc.index("split") < doc.index("extract")


def test_base_issuer_declines_to_guess() -> None:
    from attest_pipeline.models import Document, Page

    document = Document(pages=(Page(1, "x"),))
    assert Issuer().split(document) is None
    with pytest.raises(NotImplementedError):
        Issuer().identify(document)
