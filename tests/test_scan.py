from __future__ import annotations

import gc
import io
import json
import random
import re
from pathlib import Path

import pdfplumber
import pytest

from attest_pipeline.testing.kit import builtin_issuers, pdf_document
from attest_pipeline.testing.pdf import make_pdf
from attest_pipeline.text import scan
from attest_pipeline.text.fold import fold
from attest_pipeline.text.scan import (
    Gated,
    Gates,
    at_digits,
    gated,
    required_strings,
    share_scan,
)


def spans(matches: object) -> list[tuple[int, int]]:
    return [m.span() for m in matches]  # type: ignore[attr-defined]


# ------------------------------------------------------------------- needed strings


@pytest.mark.parametrize(
    ("pattern", "strings"),
    [
        (r"\bandpc\b", ("andpc",)),
        (r"\b(?:andpc|odpc)\b", ("andpc", "odpc")),
        (r"(?<![\w'])certifie[\s\-'.]*que", ("certifie",)),
        (r"\bmon ?dpc\b", ("mondpc", "mon dpc")),
        # A string contained in another is enough.
        (r"\b(?:dr|docteur|docteure)\b", ("dr", "docteur")),
    ],
)
def test_required_strings(pattern: str, strings: tuple[str, ...]) -> None:
    found = required_strings(pattern)
    assert found is not None and sorted(found) == sorted(strings)


@pytest.mark.parametrize(
    ("pattern", "matching"),
    [
        (
            r"agence nationale du (?:dpc|developpement professionnel continu)",
            ["agence nationale du dpc", "agence nationale du developpement professionnel continu"],
        ),
        (
            r"\bglap\b|\bgroupes? loca(?:l|ux) d'(?:analyse|amelioration)"
            r" de(?:s| la)? pratiques?\b",
            [
                "glap",
                "groupes locaux d'analyse des pratiques",
                "groupe local d'amelioration de la pratique",
            ],
        ),
    ],
)
def test_every_match_holds_one_of_the_strings(pattern: str, matching: list[str]) -> None:
    found = required_strings(pattern)
    assert found is not None and all(len(s) >= 3 for s in found)
    for text in matching:
        assert re.search(pattern, text) is not None
        assert any(s in text for s in found)


@pytest.mark.parametrize("pattern", [r"\d+", r"[a-z]+", r".*", r"(?i)andpc", r"x?"])
def test_no_strings_when_a_match_needs_none(pattern: str) -> None:
    assert required_strings(pattern) is None


def test_an_ignorecase_pattern_is_not_gated() -> None:
    assert required_strings("andpc", re.IGNORECASE) is None
    assert gated("andpc", re.IGNORECASE).search("ANDPC") is not None


# --------------------------------------------------------------------- equivalence

PIECES = [
    "ab", "cd", "de", "le", " ", r"\s*", r"\s+", r"[ \t]*", r"[^\S\n]*", r"\b", r"(?<![\w'])",
    r"(?:x|yz)", r"(?:ab|cd)?", r"\d", r"\d{1,2}", r"[/.\-]", r"(?!\w)", r"(?=a)", r"[^\n]{0,5}",
    r"(?:le\s+)?", r"e?", r"(?:a\s*){1,3}", ".", r"\n?", "n°", r"(?P<v>[a-z]{2})",
]
ALPHABET = "abcdeley xz 12/3.-\n\t'°"


def random_pattern(rng: random.Random) -> str:
    parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 5))]
    pattern = "".join(parts)
    if rng.random() < 0.3:
        pattern += "|" + "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 3)))
    return pattern


def test_gated_answers_exactly_as_the_regex_on_random_patterns_and_texts() -> None:
    rng = random.Random(20250312)
    texts = ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 80))) for _ in range(40)]
    texts += ["ab  cd   de\n\nle  x", "", "n° 12/3.45 yz", "a a a abc de"]
    checked = 0
    for _ in range(400):
        pattern = random_pattern(rng)
        try:
            regex = re.compile(pattern, re.MULTILINE)
        except re.error:
            continue
        scanner = Gated(pattern, re.MULTILINE)
        for text in texts:
            assert spans(scanner.finditer(text)) == spans(regex.finditer(text)), pattern
            first, expected = scanner.search(text), regex.search(text)
            assert (first and first.span()) == (expected and expected.span()), pattern
            pos, end = len(text) // 4, len(text) - len(text) // 4
            assert spans(scanner.finditer(text, pos, end)) == spans(regex.finditer(text, pos, end))
            found = scanner.search(text, pos, end)
            wanted = regex.search(text, pos, end)
            assert (found and found.span()) == (wanted and wanted.span()), pattern
            assert scanner.sub("#", text) == regex.sub("#", text)
            assert scanner.possible(text) or not expected
            checked += 1
    assert checked > 5000


#: Pieces opening patterns whose needed string may stand far from the match's start.
LEADS = [
    r"(?:n°|no\.?|numero)?\s*(?:de l'|d')?", r"(?:\bn[°o]\.?\s*)?", r"[^\n]{0,20}", r"\s+",
    r"(?<![\w'])", r"^", r"^[ \t]*", r"^\s*", r"(?:le )?\s*",
]  # fmt: skip
#: What may stand between such a piece and the word (never more whitespace: two runs of it
#: side by side make the regex itself crawl over wide runs).
BEFORE_WORDS = ["", r"(?:[a-z]+ ){0,2}", r"(?:le )?", r"(?<![\w'])"]
LEAD_WORDS = ["action", "programme", "titre", "intitule"]


def lead_texts(rng: random.Random) -> list[str]:
    """Texts of those words, with whitespace runs of every width up to beyond the probes."""
    words = [*LEAD_WORDS, "n°", "no.", "de", "l'", "d'", "12", ":", "le", "x"]
    texts = []
    for width in (1, 2, 5, 12, 20, 40, 70, 90):
        for _ in range(4):
            parts = []
            for _ in range(rng.randint(5, 40)):
                parts.append(rng.choice(words))
                parts.append(rng.choice([" ", " ", "\n", "\t", " " * rng.randint(1, width)]))
            texts.append("".join(parts))
    return texts


def test_patterns_with_a_lead_answer_exactly_as_their_regex() -> None:
    # Matches far from their needed strings are found by a probe (a span of starts at
    # once), those opening a line at line starts only: each must agree with the regex.
    rng = random.Random(20261202)
    texts = lead_texts(rng)
    probed = lined = 0
    for _ in range(150):
        pattern = rng.choice(LEADS) + rng.choice(BEFORE_WORDS)
        pattern += rf"\b{rng.choice(LEAD_WORDS)}\b" + rng.choice(["", r"\s*:?\s*\d+", r"[^\n]*"])
        if rng.random() < 0.2:
            pattern += "|" + rng.choice(LEADS) + rf"\b{rng.choice(LEAD_WORDS)}\b"
        regex = re.compile(pattern, re.MULTILINE)
        scanner = Gated(pattern, re.MULTILINE)
        for text in texts:
            text = "".join(["", text])  # a text of its own, with a memo of its own
            assert spans(scanner.finditer(text)) == spans(regex.finditer(text)), pattern
            found, expected = scanner.search(text), regex.search(text)
            assert (found and found.span()) == (expected and expected.span()), pattern
            pos, end = len(text) // 5, len(text) - len(text) // 5
            assert spans(scanner.finditer(text, pos, end)) == spans(regex.finditer(text, pos, end))
            found, expected = scanner.search(text, pos, end), regex.search(text, pos, end)
            assert (found and found.span()) == (expected and expected.span()), pattern
        probed += any(scanner._probes.values())
        lined += scanner._lines
    assert probed > 20 and lined > 20  # both ways were taken


@pytest.mark.parametrize(
    ("pattern", "flags", "opens"),
    [
        (r"^[ \t]*(?P<label>titre|intitule)(?!\w)", re.MULTILINE, True),
        (r"^(?:a|b)c", re.MULTILINE, True),
        (r"^[|]a", re.MULTILINE, True),
        (r"^[]|]a", re.MULTILINE, True),
        (r"^[^]|]a", re.MULTILINE, True),
        (r"^\|a", re.MULTILINE, True),
        (r"^a|b", re.MULTILINE, False),  # the second alternative opens anywhere
        (r"^a\\|b", re.MULTILINE, False),
        (r"^(a)|(b)", re.MULTILINE, False),
        (r"^a", 0, False),  # the start of the text only: not read
        (r"^a # a comment | b", re.MULTILINE | re.VERBOSE, False),
        (r"a^", re.MULTILINE, False),
    ],
)
def test_a_pattern_opening_lines_is_told(pattern: str, flags: int, opens: bool) -> None:
    assert scan._opens_lines(pattern, flags) is opens


def test_a_pattern_referring_to_its_groups_by_number_has_no_probe() -> None:
    for pattern in (r"(\w+)\s+\1action", r"(a)?(?(1)b|c)\s*action"):
        scanner = Gated(pattern)
        text = "".join(["aa aaaction ", " " * 30, "b action cc cc action"])
        assert scanner.probe(16) is None
        assert spans(scanner.finditer(text)) == spans(re.finditer(pattern, text))
    assert Gated(r"(\w+)\s*action").probe(16) is not None


def pdf_text(page: str) -> str:
    with pdfplumber.open(io.BytesIO(make_pdf([page]))) as pdf:
        return pdf.pages[0].extract_text() or ""


def test_the_plugins_patterns_answer_exactly_as_their_regex() -> None:
    text = pdf_text(
        "ATTESTATION DE PARTICIPATION\n"
        "Action de Développement Professionnel Continu (DPC), ODPC n° 2418\n"
        "Je soussignée, Dr Françoise MARTEL, présidente, certifie que le Docteur Mathieu\n"
        "FRANÇOIS, RPPS 10957474868, a participé à l'action de DPC n° 24182500146,\n"
        "session n° 2, intitulée « Insuffisance cardiaque », du 12 au 14 mars 2025.\n"
        "Nom : DUPONT   Prénom : Jean\nParticipant ........ LEMAIRE Pierre-Yves\n"
        "Congrès de la Médecine Générale France, diplôme d'université, test de lecture\n"
        "Fait à Lyon, le 21/03/2025"
    )
    # The plugins build their patterns from their data files when first asked: ask each
    # one to read a document, so that every pattern it holds exists.
    document = pdf_document(text)
    for issuer in builtin_issuers():
        issuer.identify(document)
        issuer.extract(document)
    scanners = [o for o in gc.get_objects() if isinstance(o, Gated)]
    assert len(scanners) > 50
    folded = fold(text).text
    for variant in (text, folded, folded.replace("\n", " ")):
        for scanner in scanners:
            assert spans(scanner.finditer(variant)) == spans(scanner.regex.finditer(variant))


def test_a_memo_is_kept_per_text_not_per_value() -> None:
    scanner = gated(r"\bandpc\b")
    first = "".join(["l'", "andpc"])
    second = "".join(["l'", "odpc"])
    assert scanner.search(first) is not None
    assert scanner.search(second) is None
    assert scanner.search("".join(["l'", "andpc"])) is not None


# ------------------------------------------------------------- one pass over a text


WORDS = ["andpc", "odpc", "aaa", "dpc", "n° 12", "programme", "pro", "gramme", "x"]


def test_a_scanned_text_knows_where_every_indexed_string_first_occurs() -> None:
    strings = [*WORDS, "aaaa", "ogram"]
    scan._INDEX.add(strings)
    for text in ["", "aaaaaa andpc odpc", "programme pro gramme n° 12 aaa", "x" * 5 + "dpc"]:
        memo = scan._Memo(text)
        memo.scan()
        for string in strings:
            assert memo.position(string) == text.find(string), (string, text)


def test_a_text_looked_at_string_by_string_is_scanned_after_a_few() -> None:
    strings = [f"word{n:02d}" for n in range(scan._SCAN_AFTER + 2)]
    scan._INDEX.add(strings)
    text = " ".join(reversed(strings))
    memo = scan._Memo(text)
    for string in strings:
        assert memo.position(string) == text.find(string)
    assert memo.finds == -1  # scanned on the way
    assert memo.position("word99") == -1 and memo.position("word0") == text.find("word0")


def test_a_pattern_read_after_the_text_was_scanned_answers_exactly() -> None:
    text = "le programme zqxw-unique-42 du jour"
    scan._memo(text).scan()
    late = gated(r"\bzqxw-unique-\d+")  # its string was never indexed before the scan
    assert late.search(text) is not None and late.search(text).span() == (13, 27)
    assert Gates([late]).which(text) == [0]


@pytest.mark.parametrize(
    "lined",
    [
        "agence nationale du\ndpc, action de\nformation; action de formation",
        "action de\nformation\naction\nde formation",
        "programme\nintegre",
        "rien de tout cela",
    ],
)
def test_one_scan_serves_a_text_and_its_flat_form(lined: str) -> None:
    strings = ["agence nationale du dpc", "action de formation", "formation", "action de"]
    strings += ["programme integre", "integre", "de formation"]
    scan._INDEX.add(strings)
    lined = "".join(["", lined])  # texts of their own, with memos of their own
    flat = lined.replace("\n", " ")
    share_scan(lined, flat)
    for text in (lined, flat):
        memo = scan._memo(text)
        assert memo.finds == -1  # both scanned
        for string in strings:
            assert memo.position(string) == text.find(string), (string, text)
        runs = [len(run) for run in re.findall(r"\s+", text)]
        assert memo.widest_space() == max([1, *runs])


def test_texts_not_alike_share_no_scan() -> None:
    lined = "".join(["action de\nformation"])
    share_scan(lined, "action de          ")
    assert scan._memo(lined).finds == 0


def gates_cases() -> list[tuple[list[Gated], str]]:
    rng = random.Random(20260412)
    cases = []
    for _ in range(120):
        patterns = []
        for _ in range(rng.randint(0, 6)):
            pattern = random_pattern(rng)
            if rng.random() < 0.5:
                pattern = rf"\b{rng.choice(WORDS)}\b|" + pattern
            try:
                re.compile(pattern, re.MULTILINE)
            except re.error:
                continue
            patterns.append(Gated(pattern, re.MULTILINE))
        words = [rng.choice([*WORDS, "le", "de", "ab cd"]) for _ in range(rng.randint(0, 30))]
        text = " ".join(words)
        cases.append((patterns, text))
    return cases


@pytest.mark.parametrize("scanned", [False, True])
def test_gates_tell_the_patterns_that_may_match(scanned: bool) -> None:
    for patterns, text in gates_cases():
        text = "".join(["", text])  # a text of its own, with a memo of its own
        if scanned:
            scan._memo(text).scan()
        gates = Gates(patterns)
        which = gates.which(text)
        assert which == [i for i, p in enumerate(patterns) if p.possible(text)]
        assert gates.possible(text) == bool(which)
        for index, pattern in enumerate(patterns):
            if pattern.regex.search(text) is not None:
                assert index in which


def test_gates_of_no_pattern_match_nothing() -> None:
    assert Gates([]).which("andpc") == [] and not Gates([]).possible("andpc")


# ------------------------------------------------------------------------- at_digits


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?<![\d,.])(?P<h>\d{1,4}(?:[.,]\d{1,2})?)\s*(?:heures?|h)(?![a-z])",
        r"(?<!\d)(?<!\d[ .])\d(?:[ .]?\d){10}(?![ .]?\d)",
    ],
)
def test_at_digits_finds_what_finditer_finds(pattern: str) -> None:
    regex = re.compile(pattern)
    text = (
        "Durée 7h, 3,5 heures, 12h30 ; action n° 2418 2500 146 ; 10957474868 et 1234567890123 ; "
        "14 h 00 ; 7 h9 ; 2.5h"
    )
    assert spans(at_digits(regex, text)) == spans(regex.finditer(text))


# ------------------------------------------------------------- gates kept between runs


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder, and a process that has read no gate yet."""
    monkeypatch.setenv("ATTEST_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(scan, "_KNOWN", None)
    monkeypatch.setattr(scan, "_UNSAVED", set())
    return tmp_path / "cache"


def test_gates_read_once_are_found_again_by_the_next_run(
    fresh_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pattern = r"\b(?:andpc|odpc)\s+n°\s*\d+"
    assert Gated(pattern, re.MULTILINE).literals == ("odpc", "andpc")
    scan.save_gates()
    [stored] = fresh_cache.glob("gates-*.json")
    assert f"{int(re.MULTILINE)}:{pattern}" in json.loads(stored.read_text(encoding="utf-8"))

    # The next run: nothing known in memory, and the pattern is not parsed again.
    monkeypatch.setattr(scan, "_KNOWN", None)

    def unread(pattern: str, flags: int) -> None:
        raise AssertionError(f"{pattern} read again")

    monkeypatch.setattr(scan, "_needed", unread)
    again = Gated(pattern, re.MULTILINE)
    assert again.literals == ("odpc", "andpc")
    assert again.lead == (0, 0)
    assert spans(again.finditer("x ODPC andpc n° 12")) == [(7, 18)]


def test_a_damaged_cache_file_is_ignored(fresh_cache: Path) -> None:
    pattern = r"\bqualiopi\b"
    Gated(pattern).literals  # noqa: B018 - reads the gate
    scan.save_gates()
    [stored] = fresh_cache.glob("gates-*.json")
    for damage in ("{not json", '{"0:\\\\bqualiopi\\\\b": [["", 1], null]}', "[1, 2]"):
        stored.write_text(damage, encoding="utf-8")
        scan._KNOWN = None
        scanner = Gated(pattern)
        assert scanner.literals == ("qualiopi",)
        assert spans(scanner.finditer("un qualiopi")) == [(3, 11)]


def test_an_empty_cache_setting_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTEST_CACHE", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(scan, "_KNOWN", None)
    monkeypatch.setattr(scan, "_UNSAVED", set())
    assert Gated(r"\bdpc\b").literals == ("dpc",)
    scan.save_gates()
    assert list(tmp_path.rglob("*")) == []


def test_an_unwritable_cache_folder_changes_nothing(fresh_cache: Path) -> None:
    fresh_cache.parent.mkdir(exist_ok=True)
    fresh_cache.write_text("a file, not a folder", encoding="utf-8")
    assert Gated(r"\bdpc\b").literals == ("dpc",)
    scan.save_gates()  # no exception: the gates are read again next time
    assert fresh_cache.read_text(encoding="utf-8") == "a file, not a folder"
