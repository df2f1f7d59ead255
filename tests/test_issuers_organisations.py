"""The issuing organisation's name (attest_pipeline.issuers.organisations)."""

from __future__ import annotations

from attest_pipeline.issuers.organisations import Organisations
from attest_pipeline.models import Document, Page
from attest_pipeline.text.fold import fold

#: As the data files write them: labels, a sentence, the letterhead's words.
READER = Organisations(
    ["organisme", "organisateur"],
    sentences=[r"\borganise(?:e|es|s)? par\s+(?P<name>[^,\n(]{3,80}?)\s*(?:,|\(|\bqui\b)"],
    letterhead=[r"\bformations?\b|\binstitut\b|\bsante\b|\breseau\b|\bcentre\b"],
    not_letterhead=[r"\bcongres\b"],
)


def organisation(text: str) -> str | None:
    found = READER.find(Document(pages=(Page(1, text),)), fold(text))
    return None if found is None else found.value


def test_a_labelled_organisation_comes_first_without_its_registration() -> None:
    text = "Institut Santé Plus\nOrganisme : FORMEDIC SAS (ODPC n° 1234)\nAttestation"
    assert organisation(text) == "FORMEDIC SAS"


def test_a_sentence_naming_the_organiser_is_read_as_written() -> None:
    text = "ATTESTATION\nLa journée organisée par le Réseau Gériatrie Bourgogne, qui s'est tenue"
    assert organisation(text) == "le Réseau Gériatrie Bourgogne"


def test_the_letterhead_line_naming_an_organisation() -> None:
    assert organisation("MF\nMédiForm Formations - ODPC 4321\nAttestation") == "MédiForm Formations"


def test_a_letterhead_line_holding_a_date_is_no_organisation() -> None:
    # The event's banner: its date and its venue, whose words ("Santé") look like a name.
    text = (
        "7E ÉDITION\nJournée régionale de gériatrie en soins primaires\n"
        "le mardi 14 janvier 2025 - Amphithéâtre de la Faculté des Sciences de Santé\n"
        "ATTESTATION DE PRÉSENCE"
    )
    assert organisation(text) is None
    assert organisation("Réseau Santé Bourgogne\nle 14 janvier 2025\nATTESTATION") == (
        "Réseau Santé Bourgogne"
    )


def test_no_organisation_stated_in_a_known_way() -> None:
    assert organisation("ATTESTATION DE PRÉSENCE\nDr Léa Moreau a participé") is None


def test_a_letterhead_line_with_a_word_of_not_letterhead_is_no_organisation() -> None:
    assert organisation("Centre de congrès Jean Monnier\nAttestation") is None
    assert organisation("Centre de formation Jean Monnier\nAttestation") == (
        "Centre de formation Jean Monnier"
    )
