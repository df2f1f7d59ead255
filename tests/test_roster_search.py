"""The roster search: roster identities found in an attestation's own text, and designation."""

from __future__ import annotations

import pytest

from attest_pipeline.models import Physician
from attest_pipeline.roster_search import RosterIndex
from attest_pipeline.text.identifiers import luhn_valid


def rpps(body: str) -> str:
    """A valid RPPS from its first ten digits."""
    return next(body + key for key in "0123456789" if luhn_valid(body + key))


DUPONT = Physician(rpps("1000000001"), "DUPONT", "Jean-Pierre")
MARTIN = Physician(rpps("1000000002"), "MARTIN", "Claire")
NDIAYE = Physician(rpps("1000000003"), "N'DIAYE", "Aminata")
FONTAINE = Physician(rpps("1000000004"), "DE LA FONTAINE", "Hélène")
MARRIED = Physician(rpps("1000000005"), "LEFÈVRE épouse ROUSSEAU", "Anne-Sophie")
HYPHEN = Physician(rpps("1000000006"), "SAINT-ANDRÉ", "Louis")
BERNARD_1 = Physician(rpps("1000000007"), "BERNARD", "Nicolas")
BERNARD_2 = Physician(rpps("1000000008"), "BERNARD", "Nicolas")
ROSTER = (DUPONT, MARTIN, NDIAYE, FONTAINE, MARRIED, HYPHEN, BERNARD_1, BERNARD_2)


@pytest.fixture(scope="module")
def index() -> RosterIndex:
    return RosterIndex(ROSTER)


def found(index: RosterIndex, text: str) -> list[str]:
    return [s.physician.rpps for s in index.search(text).sightings]


@pytest.mark.parametrize(
    ("text", "physician"),
    [
        ("certifie que le Docteur Claire MARTIN a participé", MARTIN),
        ("MARTIN Claire", MARTIN),
        ("martin claire", MARTIN),
        ("Mme Aminata NDIAYE", NDIAYE),
        ("N’Diaye Aminata", NDIAYE),
        ("Dr Hélène de la Fontaine", FONTAINE),
        ("HELENE DE LA FONTAINE", FONTAINE),
        ("Mme ROUSSEAU Anne-Sophie", MARRIED),
        ("Anne Sophie LEFEVRE", MARRIED),
        ("LEFÈVRE épouse ROUSSEAU Anne-Sophie", MARRIED),
        ("Nom : DUPONT   Prénom : Jean-Pierre", DUPONT),
        # A form's fields in English, one per line, either order.
        ("Last name : DUPONT\nFirst name : Jean-Pierre", DUPONT),
        ("First name: Claire\nFamily name: MARTIN", MARTIN),
        ("Surname : N'DIAYE\nGiven names : Aminata", NDIAYE),
        ("Louis SAINT ANDRE", HYPHEN),
        ("Dr Louis Saint-André", HYPHEN),
    ],
)
def test_a_roster_name_is_found_however_it_is_written(
    index: RosterIndex, text: str, physician: Physician
) -> None:
    assert found(index, f"Attestation\n{text}\nFait le 12/03/2025") == [physician.rpps]


@pytest.mark.parametrize(
    "text",
    [
        "Jean DUPONT",  # another first name
        "Claire MARTINEAU",  # a longer family name
        "DUPONT et Jean-Pierre MARTIN",  # first name beside another family name
        "Hélène FONTAINE",  # the particles are part of the name
        "la place Jean-Pierre et la rue Dupont",
    ],
)
def test_a_partial_or_different_name_is_not_a_sighting(index: RosterIndex, text: str) -> None:
    assert found(index, text) == []


def test_the_case_of_the_words_says_which_is_the_family_name() -> None:
    thomas_martin = Physician(rpps("1000000011"), "THOMAS", "Martin")
    martin_thomas = Physician(rpps("1000000012"), "MARTIN", "Thomas")
    index = RosterIndex([thomas_martin, martin_thomas])
    assert found(index, "le Dr Thomas MARTIN a participé") == [martin_thomas.rpps]
    # Without case to tell, both readings stand.
    assert sorted(found(index, "thomas martin")) == sorted([thomas_martin.rpps, martin_thomas.rpps])


def grouped(number: str, sizes: tuple[int, ...], separator: str) -> str:
    groups, at = [], 0
    for size in sizes:
        groups.append(number[at : at + size])
        at += size
    return separator.join(groups)


@pytest.mark.parametrize(
    ("prefix", "sizes", "separator"),
    [("", (11,), ""), ("", (1, 2, 2, 2, 2, 2), " "), ("8", (12,), ""), ("", (3, 3, 5), ".")],
)
def test_a_roster_rpps_is_found_in_any_grouping(
    index: RosterIndex, prefix: str, sizes: tuple[int, ...], separator: str
) -> None:
    text = "Participant : X\nN° : " + grouped(prefix + MARTIN.rpps, sizes, separator)
    evidence = index.search(text)
    assert [s.physician for s in evidence.sightings] == [MARTIN]
    assert evidence.rpps_printed


def test_an_rpps_after_its_label_is_printed_even_off_the_roster(index: RosterIndex) -> None:
    elsewhere = rpps("1999999999")
    assert index.search(f"Dr Claire MARTIN\nN° RPPS : {elsewhere}").rpps_printed
    assert index.search(f"Dr Claire MARTIN\nN° : {MARTIN.rpps}").rpps_printed
    assert not index.search(f"Dr Claire MARTIN\nN° : {elsewhere}").rpps_printed


LOEUVRE = Physician(rpps("1000000021"), "LŒUVRE", "Zoé")


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        # Folding writes "œ" as two letters and "ﬁ" as two: the positions shift.
        ("Attestation\nDr Zoé LŒUVRE, médecin", [("Zoé LŒUVRE", 1)]),
        (
            "ﬁn de la formation ; Œuvre : Mme Zoé Lœuvre\fpage 2: Dr Hélène DE LA FONTAINE",
            [("Zoé Lœuvre", 1), ("Hélène DE LA FONTAINE", 2)],
        ),
        (
            "Dr Jean-Pierre\nDUPONT Dr Zoé  L'Œuvre",
            [("Jean-Pierre\nDUPONT", 1), ("Zoé  L'Œuvre", 1)],
        ),
        ("Jean-Pierre DUPONT2", []),
    ],
)
def test_a_name_is_quoted_exactly_as_written(text: str, quoted: list[tuple[str, int]]) -> None:
    index = RosterIndex((*ROSTER, LOEUVRE))
    found = [(hit.evidence, hit.page) for s in index.search(text).sightings for hit in s.names]
    assert found == quoted


def test_digits_glued_to_other_digits_are_not_an_rpps(index: RosterIndex) -> None:
    assert found(index, f"SIRET 9{MARTIN.rpps}12") == []
    assert found(index, f"tel {MARTIN.rpps[:5]}") == []


def test_hits_carry_their_page_and_exact_evidence(index: RosterIndex) -> None:
    text = f"Page un\fLe Dr Claire MARTIN,\nRPPS : {MARTIN.rpps}"
    (sighting,) = index.search(text).sightings
    assert sighting.to_json(text) == {
        "rpps": MARTIN.rpps,
        "last_name": "MARTIN",
        "first_name": "Claire",
        "by": "rpps+name",
        "pages": [2],
        "evidence": f"Claire MARTIN, RPPS : {MARTIN.rpps}",
    }


def test_one_physician_with_rpps_beside_the_name_is_designated(index: RosterIndex) -> None:
    text = (
        "Le participant nommé ci-après a suivi l'action.\n"
        f"Dr Claire MARTIN\nRPPS {MARTIN.rpps}\nFait à Paris, le 12/03/2025"
    )
    designation = index.search(text).designated()
    assert designation.sighting is not None
    assert designation.sighting.physician == MARTIN
    assert "RPPS beside the name" in designation.why


def test_a_name_alone_does_not_identify_when_an_rpps_is_printed(index: RosterIndex) -> None:
    # The RPPS printed is someone else's (not on the roster): the roster name beside it
    # may be a homonym or a signatory.
    text = "certifie que le Dr Claire MARTIN, RPPS 10005682603, a participé"
    designation = index.search(text).designated()
    assert designation.sighting is None and not designation.ambiguous


def test_a_full_name_alone_identifies_when_no_rpps_is_printed(index: RosterIndex) -> None:
    designation = index.search("Nous certifions que\nDr Claire MARTIN\na participé").designated()
    assert designation.sighting is not None and designation.sighting.physician == MARTIN
    assert "full name" in designation.why


def test_a_signatory_alone_is_never_the_participant(index: RosterIndex) -> None:
    text = (
        "Attestation de présence\nFait à Paris, le 12/03/2025\nLe Président\nDr Jean-Pierre DUPONT"
    )
    designation = index.search(text).designated()
    assert designation.sighting is None and not designation.ambiguous


def test_the_participant_wording_designates_among_several(index: RosterIndex) -> None:
    text = (
        "Je soussigné, Dr Jean-Pierre DUPONT, président du congrès,\n"
        "atteste que le Docteur Claire MARTIN a assisté au congrès.\n"
        "Dr Jean-Pierre DUPONT, président"
    )
    designation = index.search(text).designated()
    assert designation.sighting is not None and designation.sighting.physician == MARTIN
    assert len(designation.identified) == 2


def test_the_rpps_beside_the_name_designates_among_several(index: RosterIndex) -> None:
    text = (
        f"Intervenants : Dr Jean-Pierre DUPONT ({DUPONT.rpps[:3]}), Dr Claire MARTIN\n"
        f"Médecin : Aminata N'DIAYE - {NDIAYE.rpps}\n"
        f"Contact : Dr Claire MARTIN - {MARTIN.rpps}"
    )
    designation = index.search(text).designated()
    assert designation.sighting is None and designation.ambiguous
    text = f"Dr Jean-Pierre DUPONT\nMme Claire MARTIN\nRPPS {MARTIN.rpps}"
    designation = index.search(text).designated()
    assert designation.sighting is not None and designation.sighting.physician == MARTIN


def test_several_physicians_without_designation_are_ambiguous(index: RosterIndex) -> None:
    text = "Liste des présents\nDr Claire MARTIN\nDr Jean-Pierre DUPONT\nDr Aminata N'DIAYE"
    designation = index.search(text).designated()
    assert designation.sighting is None and designation.ambiguous
    assert {s.physician for s in designation.identified} == {MARTIN, DUPONT, NDIAYE}


def test_homonyms_on_the_same_words_are_never_told_apart(index: RosterIndex) -> None:
    designation = index.search("atteste que le Dr Nicolas BERNARD a participé").designated()
    assert designation.sighting is None and designation.ambiguous
    assert len(designation.identified) == 2


def test_a_first_name_is_never_cut_out_of_a_compound_one() -> None:
    pierre = Physician(rpps("1000000021"), "DUPONT", "Pierre")
    marie = Physician(rpps("1000000022"), "MARTIN", "Marie")
    index = RosterIndex([pierre, marie])
    assert found(index, "Dr Jean-Pierre DUPONT et Anne-Marie MARTIN") == []
    assert found(index, "DUPONT Pierre-Yves, MARTIN Marie-Claire") == []
    assert found(index, "Pierre DUPONT et MARTIN Marie") == [pierre.rpps, marie.rpps]


def test_hits_name_the_original_pages_of_a_subset(index: RosterIndex) -> None:
    text = f"Attestation\fDr Claire MARTIN\nRPPS {MARTIN.rpps}"
    (sighting,) = index.search(text, pages=(4, 5)).sightings
    assert {hit.page for hit in (*sighting.names, *sighting.rpps)} == {5}


def test_a_family_name_that_begins_a_longer_one_finds_each_physician() -> None:
    short = Physician(rpps("1000000011"), "LE GALL", "Yves")
    longer = Physician(rpps("1000000012"), "LE GALL BRIAND", "Anne")
    index = RosterIndex((short, longer))
    assert found(index, "certifie que le Dr Anne LE GALL BRIAND a suivi") == [longer.rpps]
    assert found(index, "certifie que le Dr Yves Le Gall a suivi") == [short.rpps]
    assert found(index, "Dr Anne LE GALL") == []
