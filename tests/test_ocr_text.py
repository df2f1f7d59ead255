"""The clean-up of OCR text and the joining of lines cut by Tesseract's segmentation."""

from __future__ import annotations

from attest_pipeline.models import Word
from attest_pipeline.ocr.layout import join_split_lines
from attest_pipeline.ocr.text import clean_text, evidence_confidence

# ---------------------------------------------------------------------------- clean_text


def test_clean_text_normalises_quotes_ligatures_and_spaces() -> None:
    assert clean_text(["L’action « ﬁnale »   de  “DPC”"]) == 'L\'action « finale » de "DPC"'


def test_clean_text_drops_lines_of_specks() -> None:
    assert clean_text(["| — .", "RPPS : 10005682603", "~ ' ,"]) == "RPPS : 10005682603"


def test_clean_text_joins_a_word_cut_at_a_line_end_only_before_lowercase() -> None:
    assert clean_text(["action de forma-", "tion continue du 12 mars"]) == (
        "action de formation\ncontinue du 12 mars"
    )
    assert clean_text(["Dr Jean-", "Pierre DUPONT"]) == "Dr Jean-\nPierre DUPONT"
    assert clean_text(["année 2024-", "2025"]) == "année 2024-\n2025"


def test_clean_text_never_changes_digits_or_letters() -> None:
    assert clean_text(["RPPS : 1OOO5682603 l0"]) == "RPPS : 1OOO5682603 l0"


def test_clean_text_reads_the_first_of_the_month() -> None:
    assert clean_text(["Dates le ler et 2 juin 2023", "du Ier mars au 3 avril"]) == (
        "Dates le 1er et 2 juin 2023\ndu 1er mars au 3 avril"
    )
    assert clean_text(["François Ier, roi", "le ler"]) == "François Ier, roi\nle ler"


def test_the_pieces_of_a_line_cut_by_the_segmentation_are_joined() -> None:
    def word(text: str, x0: float, x1: float, top: float = 100) -> Word:
        return Word(text, x0, x1, top, top + 10, 90.0)

    right = (word("es", 300, 310, 99), word("ReAGJIR", 315, 350, 98))
    left = (word("Rencontres", 100, 150), word("national", 155, 298.5))
    other_column = (word("Présidente", 600, 650, 101),)
    next_line = (word("de", 100, 110, 115), word("Bordeaux", 115, 160, 115))
    lines = join_split_lines([right, next_line, left, other_column])
    assert [" ".join(w.text for w in line) for line in lines] == [
        "Rencontres nationales ReAGJIR",
        "de Bordeaux",
        "Présidente",
    ]
    glued = lines[0][1]
    assert (glued.x0, glued.x1, glued.confidence) == (155, 310, 90.0)


def test_the_confidence_of_a_value_leaves_out_its_label() -> None:
    def word(text: str, confidence: float) -> Word:
        return Word(text, 0, 10, 0, 10, confidence)

    # Tesseract reads a label run into by a dot leader with a low confidence.
    line = [word("Nom", 96), word("du", 97), word("participant", 29), word("Dr", 93)]
    line += [word("KOWALSKI", 92.3), word("Anna", 96.5)]
    evidence = "Nom du participant Dr KOWALSKI Anna"
    assert evidence_confidence(evidence, line) == 29
    assert evidence_confidence(evidence, line, "KOWALSKI Anna") == 92.3
    assert evidence_confidence(evidence, line, "Anna") == 96.5
    # A value none of whose words is in the run: the whole run counts.
    assert evidence_confidence(evidence, line, "DUPONT") == 29


def test_clean_text_takes_out_a_space_read_inside_a_numeric_date() -> None:
    assert clean_text(["du 16/10/2025 au 17/1 0/2025."]) == "du 16/10/2025 au 17/10/2025."
    assert clean_text(["le 03.0 6.2025", "le 03/06/20 25"]) == "le 03.06.2025\nle 03/06/2025"
    # Not a date: left alone.
    assert clean_text(["Salle 1/2 3/4 places", "le 17/1 0/25"]) == (
        "Salle 1/2 3/4 places\nle 17/1 0/25"
    )
