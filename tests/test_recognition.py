from __future__ import annotations

from datetime import date

import pytest

from attest_pipeline.config import PluginSettings
from attest_pipeline.models import Document, Page
from attest_pipeline.reasons import Reason
from attest_pipeline.recognition import recognise
from attest_pipeline.registry import Registry, load_registry
from tests.conftest import TEST_PLUGINS


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(
        PluginSettings(dirs=(TEST_PLUGINS,), entry_points=False),
        builtins=False,
        disabled=["hanging"],
    )


def doc(*pages: str) -> Document:
    return Document(pages=tuple(Page(i + 1, text) for i, text in enumerate(pages)))


def pick(registry: Registry, *names: str):  # type: ignore[no-untyped-def]
    return [registry.issuer(n) for n in names]


def test_best_score_wins_and_extracts(registry: Registry) -> None:
    document = doc("ORGANISME TEST\nParticipant : Jean DUPONT\nDate : 12/03/2025")
    result = recognise(document, pick(registry, "good", "garbage"))
    assert result.problem is None
    assert result.plugin == "good@1.2.3"
    (item,) = result.items
    assert item.pages == (1,)
    assert item.extraction is not None
    assert item.extraction.start is not None and item.extraction.start.value == date(2025, 3, 12)
    assert item.extraction.participant is not None
    assert item.extraction.participant.evidence == "Participant : Jean DUPONT"


def test_no_plugin(registry: Registry) -> None:
    result = recognise(doc("Facture n° 12"), pick(registry, "good", "garbage"))
    assert result.problem is not None and result.problem.reason is Reason.NO_PLUGIN


def test_tie_between_plugins_is_ambiguous(registry: Registry) -> None:
    result = recognise(doc("ORGANISME TEST TWIN"), pick(registry, "good", "twin"))
    assert result.problem is not None
    assert result.problem.reason is Reason.AMBIGUOUS_ISSUER
    assert "good and twin" in result.problem.detail


def test_a_raising_identify_costs_nothing_when_another_plugin_wins(registry: Registry) -> None:
    result = recognise(doc("ORGANISME TEST\nParticipant : A B"), pick(registry, "raising", "good"))
    assert result.plugin == "good@1.2.3"
    errors = [s for s in result.scores if s.error]
    assert errors and "identify exploded" in (errors[0].error or "")


def test_a_raising_identify_alone_is_a_plugin_error(registry: Registry) -> None:
    result = recognise(doc("nothing"), pick(registry, "raising"))
    assert result.problem is not None and result.problem.reason is Reason.PLUGIN_ERROR
    assert "raising: identify: RuntimeError: identify exploded" in result.problem.detail


def test_a_raising_extract_is_a_plugin_error_on_its_attestation(registry: Registry) -> None:
    result = recognise(doc("RAISE IN EXTRACT"), pick(registry, "raising"))
    (item,) = result.items
    assert item.extraction is None
    assert item.problem is not None and item.problem.reason is Reason.PLUGIN_ERROR
    assert "extract exploded" in item.problem.detail


def test_garbage_is_caught_by_validation(registry: Registry) -> None:
    result = recognise(doc("GARBAGE"), pick(registry, "garbage"))
    (item,) = result.items
    assert item.problem is not None and item.problem.reason is Reason.PLUGIN_ERROR
    assert "start = '12/03/2025' is not a date" in item.problem.detail
    result = recognise(doc("GARBAGE SCORE"), pick(registry, "garbage"))
    assert result.problem is not None and "not a number in [0, 1]" in result.problem.detail


def test_split_gives_one_item_per_group(registry: Registry) -> None:
    document = doc(
        "ORGANISME TEST PAR PAGE\nParticipant : A UN", "ORGANISME TEST\nParticipant : B DEUX"
    )
    result = recognise(document, pick(registry, "good"))
    assert [i.pages for i in result.items] == [(1,), (2,)]
    names = [i.extraction.participant.value for i in result.items]  # type: ignore[union-attr]
    assert names == ["A UN", "B DEUX"]


def test_phases_are_reported(registry: Registry) -> None:
    phases: list[str] = []
    recognise(doc("ORGANISME TEST"), pick(registry, "good", "twin"), on_phase=phases.append)
    assert phases == ["good.identify", "twin.identify", "good.split", "good.extract"]
