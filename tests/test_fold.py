"""The one text folding module: fold (searching), normalise (tokens), plain_words (keys)."""

from __future__ import annotations

import pytest

from attest_pipeline.text import fold as fold_module
from attest_pipeline.text.fold import PLAIN, fold, normalise, plain_words

# ------------------------------------------------------------------------------- fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Février", "fevrier"),
        ("ÉPOUSE", "epouse"),
        ("d’Almeida", "d'almeida"),
        ("a\u00a0b\u202fc", "a b c"),
        ("12 – 14", "12 - 14"),
        ("cœur", "coeur"),
        ("certiﬁe", "certifie"),
        ("N°", "n°"),
    ],
)
def test_fold_lowers_strips_accents_and_plain_punctuation(text: str, folded: str) -> None:
    assert fold(text).text == folded


def test_fold_maps_back_to_the_exact_original_excerpt() -> None:
    text = "Le Dr Jean-Pierre CŒURDEROY certiﬁe l’émission"
    folded = fold(text)
    start = folded.text.index("coeurderoy")
    assert folded.excerpt(start, start + len("coeurderoy")) == "CŒURDEROY"
    start = folded.text.index("certifie")
    assert folded.excerpt(start, start + len("certifie")) == "certiﬁe"
    start = folded.text.index("l'emission")
    assert folded.excerpt(start, start + len("l'emission")) == "l’émission"


# -------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jean-Pierre", "jean pierre"),
        ("Jean Pierre", "jean pierre"),
        ("JEAN‐PIERRE", "jean pierre"),
        ("Jean–Pierre", "jean pierre"),
        ("d’ALMEIDA", "d almeida"),
        ("d‘Almeida", "d almeida"),
        ("dʼAlmeida", "d almeida"),
        ("N'DIAYE", "n diaye"),
        ("J.-P.", "j p"),
        ("  Hélène   Müller  ", "helene muller"),
        ("Dr. ÉMILE", "dr emile"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


# ------------------------------------------------------------------------ plain words


def test_plain_words_keeps_letters_and_digits_only() -> None:
    assert plain_words("Annonce d’une MAUVAISE nouvelle !") == "annonce d une mauvaise nouvelle"
    assert plain_words("Congrès  CNGE—2024") == "congres cnge 2024"
    assert plain_words("cœur et Œdème") == "coeur et oedeme"
    assert plain_words("Burn-Out", keep_case=True) == "Burn Out"
    assert plain_words("ŒDÈME", keep_case=True) == "OEDEME"
    assert plain_words("   ") == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("«Médecine»", "medecine"),  # quotes separate words, as spaces do
        ("n°12", "n 12"),
        ("prévention•santé", "prevention sante"),
        ("Prescrire®", "prescrire"),
        ("Straße", "strasse"),
        ("Søren Łukasz", "soren lukasz"),  # letters Unicode does not decompose
        ("e\u0301tude", "etude"),  # an accent written as a combining mark
        ("α-bloquants", "bloquants"),  # letters of other scripts are dropped
        ("soft\u00adhyphen", "softhyphen"),
    ],
)
def test_plain_words_on_what_documents_contain(text: str, expected: str) -> None:
    assert plain_words(text) == expected


# ------------------------------------------------------------------- one table


def test_the_three_foldings_agree_on_every_character_of_the_table() -> None:
    for char, plain in PLAIN.items():
        # An ASCII text is only lower-cased (its backquotes stay): "é" keeps this one whole.
        word = f"é{char}b"
        assert fold(word).text == f"e{plain.casefold()}b"
        assert plain_words(word) == plain_words(f"e{plain}b"), char


def test_fold_and_plain_words_agree_on_french_letters() -> None:
    letters = "à â ä ç é è ê ë î ï ô ö ù û ü ÿ œ æ"
    expected = "a a a c e e e e i i o o u u u y oe ae"
    assert fold(letters).text == expected
    assert fold(letters.upper()).text == expected
    assert plain_words(letters) == expected
    assert plain_words(letters.upper(), keep_case=True) == expected.upper()


def _sample_characters() -> list[str]:
    """Every character of the first blocks (Latin, Greek, punctuation), a sample beyond."""
    codes = [*range(0x80, 0x3000), *range(0x3000, 0x110000, 97)]
    return [chr(c) for c in codes if not 0xD800 <= c < 0xE000]


def test_folding_replaces_what_translating_the_whole_text_would() -> None:
    # Only the characters outside ASCII are replaced, the rest lower-cased: each alone
    # among ASCII letters and a backtick, then all together, as str.translate folds them.
    characters = _sample_characters()
    for char in characters:
        text = f"A`b{char}Zé x"
        assert fold_module._fold_text(text) == text.translate(fold_module._FOLD_TABLE), hex(
            ord(char)
        )
    text = "A`".join(characters)
    assert fold_module._fold_text(text) == text.translate(fold_module._FOLD_TABLE)


def test_plain_words_replace_what_translating_the_whole_text_would() -> None:
    def translated(text: str) -> str:
        data = text.translate(fold_module._PLAIN_TABLE).encode("ascii", "ignore")
        return " ".join(data.translate(fold_module._LOWER).decode("ascii").split())

    characters = _sample_characters()
    for char in characters:
        text = f"A`b{char}Zé x"
        assert plain_words(text) == translated(text), hex(ord(char))
    text = "A`".join(characters)
    assert plain_words(text) == translated(text)
