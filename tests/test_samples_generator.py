from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pypdfium2 as pdfium
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
FAMILIES = ("andpc", "qualiopi", "university", "congress", "journal_test", "peer_group",
            "traps")
FILE_KEYS = {"pages", "family", "participant", "start", "end", "bloc", "action",
             "labellisation", "candidates", "status", "reasons"}


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("samples_generate", SAMPLES / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load()


def _luhn(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _rpps_valid(rpps: str) -> bool:
    return len(rpps) == 11 and rpps.isdigit() and rpps.startswith("10") and _luhn(rpps)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate.generate_corpus(out)
    return out


def _expected(corpus: Path) -> dict[Path, dict[str, Any]]:
    return {p: json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
            for p in sorted(corpus.glob("*/*.pdf"))}


def test_regenerating_gives_the_same_bytes(corpus: Path, tmp_path: Path) -> None:
    generate.generate_corpus(tmp_path)
    first = {p.relative_to(corpus): p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    second = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*")
              if p.is_file()}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


def test_another_seed_gives_other_documents(corpus: Path, tmp_path: Path) -> None:
    generate.generate_corpus(tmp_path, seed=1)
    name = "congress/congress_14_cmgf25_all_participants.pdf"
    assert (tmp_path / name).read_bytes() != (corpus / name).read_bytes()
    assert (tmp_path / "roster.csv").read_bytes() == (corpus / "roster.csv").read_bytes()


def test_every_pdf_has_its_well_formed_json(corpus: Path) -> None:
    expected = _expected(corpus)
    assert {p.parent.name for p in expected} == set(FAMILIES)
    names = [p.stem for p in expected]
    assert len(names) == len(set(names))
    total = 0
    for pdf, data in expected.items():
        assert data["source"] == f"{pdf.parent.name}/{pdf.name}"
        assert data["attestations"], pdf
        for att in data["attestations"]:
            total += 1
            assert att["status"] in ("file", "review", "reject")
            assert isinstance(att["reasons"], list)
            if att["status"] == "file":
                assert set(att) == FILE_KEYS, pdf
                assert att["reasons"] == []
                assert set(att["participant"]) == {"rpps", "last_name", "first_name"}
                assert [att["bloc"], att["action"]] == att["candidates"][0]
                assert att["labellisation"] in ("de_fait", "a_demander")
                assert "2023-01-01" <= att["start"] <= att["end"] <= "2026-10-31"
            elif att["status"] == "reject":
                assert att == {"pages": [], "status": "reject", "reasons": att["reasons"]}
                assert len(att["reasons"]) == 1
            else:
                assert len(att["reasons"]) == 1
                assert not {"bloc", "action", "candidates"} & set(att)
    assert total >= 90


def test_pages_match_the_documents(corpus: Path) -> None:
    for pdf, data in _expected(corpus).items():
        atts = data["attestations"]
        if atts[0]["status"] == "reject":
            continue
        document = pdfium.PdfDocument(pdf)
        try:
            assert [a["pages"] for a in atts] == [[n] for n in range(1, len(document) + 1)]
        finally:
            document.close()


def test_filed_participants_are_the_roster_s(corpus: Path) -> None:
    with (corpus / "roster.csv").open(encoding="utf-8") as handle:
        roster = {row["rpps"]: row for row in csv.DictReader(handle)}
    for data in _expected(corpus).values():
        for att in data["attestations"]:
            if att["status"] == "file":
                row = roster[att["participant"]["rpps"]]
                assert att["participant"]["last_name"] == row["last_name"]
                assert att["participant"]["first_name"] == row["first_name"]


def test_roster_rpps_are_valid_and_the_trap_one_is_not(corpus: Path) -> None:
    text = (corpus / "roster.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "rpps,last_name,first_name,email,registered_on,practising_since"
    rows = list(csv.DictReader(text.splitlines()))
    assert len(rows) >= 40
    assert all(_rpps_valid(r["rpps"]) for r in rows)
    assert len({r["rpps"] for r in rows}) == len(rows)
    assert all(r["last_name"] == r["last_name"].upper() for r in rows)
    names = [(r["last_name"], r["first_name"]) for r in rows]
    assert any(names.count(n) == 2 for n in names)
    trap = json.loads((corpus / "traps" / "trap_01_invalid_rpps.json").read_text("utf-8"))
    printed = trap["attestations"][0]["participant"]["rpps"]
    assert len(printed) == 11 and not _luhn(printed)
    assert trap["attestations"][0]["reasons"] == ["invalid_rpps"]
    page = pdfium.PdfDocument(corpus / "traps" / "trap_01_invalid_rpps.pdf")[0]
    assert printed in page.get_textpage().get_text_bounded()


def test_unreadable_traps_are_really_unreadable(corpus: Path) -> None:
    traps = corpus / "traps"
    assert (traps / "trap_11_empty.pdf").read_bytes() == b""
    assert not (traps / "trap_12_not_pdf_docx_renamed.pdf").read_bytes()[:1024].count(b"%PDF-")
    with pytest.raises(pdfium.PdfiumError, match="password"):
        pdfium.PdfDocument(traps / "trap_13_encrypted_user_password.pdf")
    opened = pdfium.PdfDocument(traps / "trap_14_owner_password_only.pdf")
    assert "ATTESTATION DE PARTICIPATION" in opened[0].get_textpage().get_text_bounded()


def test_dates_are_printed_as_expected(corpus: Path) -> None:
    sample = corpus / "andpc" / "andpc_07_twocol_entretien_motivationnel_decision.pdf"
    text = pdfium.PdfDocument(sample)[0].get_textpage().get_text_bounded()
    assert "du 30 septembre au 2 octobre 2025" in text
    data = json.loads(sample.with_suffix(".json").read_text(encoding="utf-8"))
    assert (data["attestations"][0]["start"], data["attestations"][0]["end"]) == (
        "2025-09-30", "2025-10-02")


def test_bulk_gives_n_valid_one_page_attestations(tmp_path: Path) -> None:
    paths = generate.generate_bulk(tmp_path, 12, seed=3)
    assert len(paths) == 12
    assert sorted(tmp_path.glob("*.pdf")) == sorted(paths)
    for path in paths:
        document = pdfium.PdfDocument(path)
        assert len(document) == 1
        document.close()
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        (att,) = data["attestations"]
        assert att["status"] == "file" and set(att) == FILE_KEYS


def test_the_committed_expectations_are_up_to_date(corpus: Path) -> None:
    committed = sorted(p.relative_to(SAMPLES) for f in FAMILIES
                       for p in (SAMPLES / f).glob("*.json"))
    fresh = sorted(p.relative_to(corpus) for p in corpus.glob("*/*.json"))
    assert committed == fresh
    for name in fresh:
        assert (SAMPLES / name).read_text("utf-8") == (corpus / name).read_text("utf-8"), name
    assert (SAMPLES / "roster.csv").read_text("utf-8") == (corpus / "roster.csv").read_text(
        "utf-8")


def _texts(data: bytes) -> list[str]:
    with pdfium.PdfDocument(data) as pdf:
        return [page.get_textpage().get_text_range() for page in pdf]


def test_variations_are_reproducible_and_carry_their_axes(tmp_path: Path) -> None:
    # LibreOffice, Chromium and pyHanko stamp their PDFs with the time: the cache keyed by
    # the source gives the same bytes again; without it the same text.
    cache = tmp_path / "cache"
    first = generate.generate_variations(tmp_path / "a", 12, 99, cache)
    again = generate.generate_variations(tmp_path / "b", 12, 99, cache)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in again]
    fresh = generate.generate_variations(tmp_path / "d", 12, 99, None)
    assert [_texts(p.read_bytes()) for p in first] == [_texts(p.read_bytes()) for p in fresh]
    other = generate.generate_variations(tmp_path / "c", 12, 100, cache)
    assert [p.read_bytes() for p in first] != [p.read_bytes() for p in other]
    manifest = json.loads((tmp_path / "a" / "variations.json").read_text(encoding="utf-8"))
    assert manifest == {"seed": 99, "documents": 12, "not_run": {}}
    for path in first:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert set(data["axes"]) == {
            "family", "language", "style", "arrangement", "label", "name", "rpps", "dates",
            "extra", "signatory", "esign", "count", "cover", "renderer", "scan",
        }
        atts = data["attestations"]
        # One attestation per participant page; a cover letter shifts the pages by one.
        assert len(atts) == int(data["axes"]["count"])
        offset = 2 if data["axes"]["cover"] == "letter" else 1
        assert [a["pages"] for a in atts] == [[offset + i] for i in range(len(atts))]
        assert all(set(a) >= FILE_KEYS for a in atts)
        assert all(a["family"] == data["axes"]["family"] for a in atts)
        with pdfium.PdfDocument(path.read_bytes()) as pdf:
            assert len(pdf) == offset - 1 + len(atts)


def test_every_renderer_family_and_signature_is_drawn(tmp_path: Path) -> None:
    from gen.variations import AXES  # samples/ is on the path once generate.py is loaded

    axes = [json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))["axes"]
            for p in generate.generate_variations(tmp_path, 60, 8, tmp_path / "cache")]
    for axis in ("family", "renderer", "esign", "language"):
        assert {a[axis] for a in axes} == set(AXES[axis]), axis
    # English is the international congress's language only.
    assert {a["family"] for a in axes if a["language"] == "en"} == {"congress"}


def test_an_e_signed_variation_holds_a_pades_signature_over_its_block(tmp_path: Path) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    paths = generate.generate_variations(tmp_path, 40, 12, tmp_path / "cache")
    signed = [p for p in paths if json.loads(p.with_suffix(".json").read_text("utf-8"))[
        "axes"]["esign"] == "pades"]
    assert signed
    for path in signed:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        with path.open("rb") as handle:
            signatures = PdfFileReader(handle).embedded_signatures
            # One signature per attestation page, each intact over the bytes it covers.
            assert len(signatures) == len(data["attestations"]), path.name
            for signature in signatures:
                # The sample signer's certificate is self-signed: trusted here by name.
                trust = ValidationContext(trust_roots=[signature.signer_cert])
                status = validate_pdf_signature(signature, trust)
                assert status.intact and status.valid and status.trusted, path.name
        for att in data["attestations"]:
            page = _texts(path.read_bytes())[att["pages"][0] - 1]
            assert "Signé électroniquement le " in page, path.name


def test_an_absent_renderer_is_named_and_its_documents_written_by_reportlab(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No soffice on the PATH: LibreOffice's documents are still there, said so.
    monkeypatch.setenv("PATH", str(tmp_path))
    paths = generate.generate_variations(tmp_path / "out", 30, 8, None)
    manifest = json.loads((tmp_path / "out" / "variations.json").read_text(encoding="utf-8"))
    missing = manifest["not_run"]["renderer=libreoffice"]
    assert "soffice not found" in missing["reason"] and missing["documents"] > 0
    renderers = [json.loads(p.with_suffix(".json").read_text("utf-8"))["axes"]["renderer"]
                 for p in paths]
    assert len(paths) == 30 and "libreoffice" not in renderers


def test_each_printed_variation_holds_what_its_axes_say(tmp_path: Path) -> None:
    for path in generate.generate_variations(tmp_path, 30, 4):
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        axes = data["axes"]
        with pdfium.PdfDocument(path.read_bytes()) as pdf:
            texts = [page.get_textpage().get_text_range() for page in pdf]
        if axes["scan"] == "scanned":  # an image-only PDF: no text layer at all
            assert not any(text.strip() for text in texts), path.name
            continue
        for att in data["attestations"]:
            page = texts[att["pages"][0] - 1]
            rpps = att["participant"]["rpps"]
            in_fields = axes["style"] == "fields" and axes["arrangement"] == "form"
            if not in_fields:  # a form's values are in its fields, not in the page's text
                first = att["participant"]["first_name"].split("-")[0]
                assert first in page or first.upper() in page, path.name
            if axes["rpps"] == "none":
                assert rpps not in page.replace(" ", "")
            elif axes["rpps"] == "plain" and not in_fields:
                assert rpps in page
            if axes["signatory"] == "stranger":
                assert "Dr Paul LEROY" in page
