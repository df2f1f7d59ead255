from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from attest_pipeline.errors import ConfigError
from attest_pipeline.models import Physician, Problem
from attest_pipeline.reasons import Reason
from attest_pipeline.roster import Match, Roster, load_roster


def with_key(body: str) -> str:
    """Append the Luhn key to ``body`` (written here independently of the module)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def rpps(n: int) -> str:
    """The n-th valid test RPPS."""
    return with_key(f"1{n:09d}")


DUPONT_JP = Physician("10005682603", "DUPONT", "Jean-Pierre")
DUPONT_J = Physician(rpps(1), "DUPONT", "Jean")
DUPONT_J2 = Physician(rpps(2), "Dupont", "Jean")  # a homonym
MARTIN_M = Physician(rpps(3), "MARTIN", "Marie")
MARTIN_T = Physician(rpps(4), "MARTIN", "Thomas")
THOMAS_M = Physician(rpps(5), "THOMAS", "Martin")
ALMEIDA = Physician(rpps(6), "D'ALMEIDA", "Anne-Sophie")
NDIAYE = Physician(rpps(7), "NDIAYE", "Aminata")
FONTAINE = Physician(rpps(8), "DE LA FONTAINE", "Jean")
COMPOUND = Physician(rpps(9), "LEROY-MOREAU", "Hélène")
MULLER = Physician(rpps(10), "MÜLLER", "Émilie")

ALL = (
    DUPONT_JP,
    DUPONT_J,
    DUPONT_J2,
    MARTIN_M,
    MARTIN_T,
    THOMAS_M,
    ALMEIDA,
    NDIAYE,
    FONTAINE,
    COMPOUND,
    MULLER,
)
ROSTER = Roster(ALL)

ANS_HEADER = (
    "Type d'identifiant PP|Identifiant PP|Identification nationale PP|Code civilité d'exercice|"
    "Libellé civilité d'exercice|Code civilité|Libellé civilité|Nom d'exercice|Prénom d'exercice|"
    "Code profession|Libellé profession|Code catégorie professionnelle|Code savoir-faire|"
    "Libellé commune (coord. structure)|"
)


def ans_row(
    identifier: str, last: str, first: str, *, kind: str = "8", profession: str = "10"
) -> str:
    national = kind + identifier
    return (
        f"{kind}|{identifier}|{national}|DR|Docteur|M|Monsieur|{last}|{first}|"
        f"{profession}|Médecin|C|SM54|LYON|"
    )


# ---------------------------------------------------------------------------- Roster


def test_roster_holds_physicians_and_finds_them_by_rpps() -> None:
    assert len(ROSTER) == len(ALL)
    assert ROSTER.physicians == ALL
    assert ROSTER.by_rpps("10005682603") == DUPONT_JP
    assert ROSTER.by_rpps(rpps(999)) is None


def test_empty_roster_matches_nobody() -> None:
    match = Roster(()).match(rpps=None, name="Jean DUPONT")
    assert match.physician is None
    assert [p.reason for p in match.problems] == [Reason.UNKNOWN_PARTICIPANT]


# -------------------------------------------------------------------- match by RPPS


@pytest.mark.parametrize(
    ("read", "name"),
    [
        ("10005682603", "Dr Jean-Pierre DUPONT"),
        ("100 056 826 03", "DUPONT Jean-Pierre"),
        ("810005682603", "Jean Pierre Dupont"),
        ("1OOO5682603", "dupont jean-pierre"),
        ("10005682603", None),
        ("10005682603", "J.-P. DUPONT"),  # initials do not contradict
        ("10005682603", "Jean DUPONT"),  # a shortened first name does not either
        ("10005682603", "DUPONT"),
    ],
)
def test_match_by_rpps(read: str, name: str | None) -> None:
    assert ROSTER.match(rpps=read, name=name) == Match(DUPONT_JP)


def test_match_by_rpps_with_separate_fields() -> None:
    match = ROSTER.match(
        rpps="10005682603", name=None, last_name="Dupont", first_name="Jean-Pierre"
    )
    assert match == Match(DUPONT_JP)


@pytest.mark.parametrize("read", ["10003461033", "10005682604", "1000568260", "ABC", "0612345678"])
def test_match_invalid_rpps(read: str) -> None:
    match = ROSTER.match(rpps=read, name="Jean-Pierre DUPONT")
    assert match.physician is None
    assert [p.reason for p in match.problems] == [Reason.INVALID_RPPS]
    assert read in match.problems[0].detail


def test_match_valid_rpps_not_on_roster_names_the_homonyms() -> None:
    unknown = rpps(12345)
    match = ROSTER.match(rpps=unknown, name="Dr Jean-Pierre DUPONT")
    assert match.physician is None
    (problem,) = match.problems
    assert problem.reason is Reason.UNKNOWN_PARTICIPANT
    assert unknown in problem.detail
    assert "10005682603" in problem.detail  # the same name on the roster, for the reviewer


@pytest.mark.parametrize(
    "name", ["Marie MARTIN", "Jean-Paul DUPONT", "DUPOND Jean-Pierre", "Pierre DUPONT"]
)
def test_match_rpps_with_a_disagreeing_name(name: str) -> None:
    match = ROSTER.match(rpps="10005682603", name=name)
    assert match.physician is None
    (problem,) = match.problems
    assert problem.reason is Reason.PARTICIPANT_MISMATCH
    assert name in problem.detail and "DUPONT Jean-Pierre" in problem.detail
    assert match.candidates == (DUPONT_JP,)


# -------------------------------------------------------------------- match by name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Dr Jean-Pierre DUPONT", DUPONT_JP),
        ("DUPONT Jean-Pierre", DUPONT_JP),
        ("dupont jean pierre", DUPONT_JP),
        ("Jean Pierre DUPONT", DUPONT_JP),
        ("Dupont, Jean-Pierre", DUPONT_JP),
        ("Monsieur le Docteur Jean-Pierre Dupont", DUPONT_JP),
        ("Mme Marie DUPONT épouse MARTIN", MARTIN_M),
        ("Marie Martin née Durand", MARTIN_M),
        ("MARTIN-DURAND Marie", MARTIN_M),
        ("Anne-Sophie d'ALMEIDA", ALMEIDA),
        ("Anne Sophie D’Almeida", ALMEIDA),
        ("N'DIAYE Aminata", NDIAYE),
        ("Aminata Ndiaye", NDIAYE),
        ("Jean de La Fontaine", FONTAINE),
        ("DELAFONTAINE Jean", FONTAINE),
        ("Hélène LEROY", COMPOUND),
        ("Helene MOREAU", COMPOUND),
        ("Hélène LEROY-MOREAU", COMPOUND),
        ("EMILIE MULLER", MULLER),
        ("MARTIN Thomas", MARTIN_T),  # capitals decide the order
        ("THOMAS Martin", THOMAS_M),
    ],
)
def test_match_by_name_ignores_case_accents_order_and_married_names(
    name: str, expected: Physician
) -> None:
    assert ROSTER.match(rpps=None, name=name) == Match(expected)


@pytest.mark.parametrize("read", [None, "", "  "])
def test_match_by_name_when_no_rpps_was_read(read: str | None) -> None:
    assert ROSTER.match(rpps=read, name="Jean-Pierre DUPONT") == Match(DUPONT_JP)


def test_match_by_separate_fields() -> None:
    match = ROSTER.match(rpps=None, name=None, last_name="d'Almeida", first_name="Anne-Sophie")
    assert match == Match(ALMEIDA)


def test_match_homonyms_are_ambiguous() -> None:
    match = ROSTER.match(rpps=None, name="Dr Jean DUPONT")
    assert match.physician is None
    (problem,) = match.problems
    assert problem.reason is Reason.AMBIGUOUS_PARTICIPANT
    assert set(match.candidates) == {DUPONT_J, DUPONT_J2}
    assert DUPONT_J.rpps in problem.detail and DUPONT_J2.rpps in problem.detail


def test_match_order_unknown_from_case_is_ambiguous_when_both_readings_exist() -> None:
    match = ROSTER.match(rpps=None, name="Martin Thomas")
    assert [p.reason for p in match.problems] == [Reason.AMBIGUOUS_PARTICIPANT]
    assert set(match.candidates) == {MARTIN_T, THOMAS_M}
    only_one = Roster((MARTIN_T, DUPONT_JP))
    assert only_one.match(rpps=None, name="Martin Thomas") == Match(MARTIN_T)
    assert only_one.match(rpps=None, name="Thomas Martin") == Match(MARTIN_T)


@pytest.mark.parametrize(
    "name",
    [
        "Jean-Paul DUPONT",
        "DUPOND Jean-Pierre",  # a typo goes to review, never fuzzy-matched
        "J.-P. DUPONT",  # initials are too weak
        "Jean-Pierre MARTIN",
        "Pierre-Jean DUPONT",
        "Anne-Sophie ALMEIDA",
    ],
)
def test_match_unknown_name(name: str) -> None:
    match = ROSTER.match(rpps=None, name=name)
    assert match.physician is None
    assert [p.reason for p in match.problems] == [Reason.UNKNOWN_PARTICIPANT]


def test_match_jean_is_not_jean_pierre() -> None:
    roster = Roster((DUPONT_JP,))
    match = roster.match(rpps=None, name="Jean DUPONT")
    (problem,) = match.problems
    assert problem.reason is Reason.UNKNOWN_PARTICIPANT
    assert "DUPONT Jean-Pierre" in problem.detail  # the closest roster name, for the reviewer


def test_match_family_name_only_is_not_filed() -> None:
    match = ROSTER.match(rpps=None, name="Dr NDIAYE")
    assert match.physician is None
    assert [p.reason for p in match.problems] == [Reason.AMBIGUOUS_PARTICIPANT]
    assert match.candidates == (NDIAYE,)
    nobody = ROSTER.match(rpps=None, name="Dr LAMBERT")
    assert [p.reason for p in nobody.problems] == [Reason.UNKNOWN_PARTICIPANT]


@pytest.mark.parametrize(("read", "name"), [(None, None), ("", ""), (None, "  "), (None, "Dr")])
def test_match_without_rpps_or_name_is_a_missing_field(read: str | None, name: str | None) -> None:
    match = ROSTER.match(rpps=read, name=name)
    assert match == Match(None, (Problem(Reason.MISSING_FIELD, "participant"),))


# --------------------------------------------------------------------------- loading


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_load_csv_with_any_delimiter(tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["rpps", "last_name", "first_name", "email"],
        ["10005682603", "DUPONT", "Jean-Pierre", "jp@example.org"],
        [MARTIN_M.rpps, "MARTIN", "Marie", ""],
    ]
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    roster = load_roster(path)
    assert roster.physicians == (DUPONT_JP, MARTIN_M)


def test_load_csv_with_bom_extra_columns_quotes_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    text = (
        'id;"RPPS";Last_Name;First_Name;ville\r\n'
        '1;"100 056 826 03";"DUPONT";"Jean-Pierre";Lyon\r\n'
        "\r\n"
        f"2;{MULLER.rpps};MÜLLER;Émilie;Paris\r\n"
    )
    path.write_bytes(text.encode("utf-8-sig"))
    assert load_roster(path).physicians == (DUPONT_JP, MULLER)


def test_load_csv_in_windows_1252(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(f"rpps;last_name;first_name\n{MULLER.rpps};MÜLLER;Émilie\n".encode("cp1252"))
    assert load_roster(path).physicians == (MULLER,)


def test_load_csv_twelve_character_idnatps(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "rpps,last_name,first_name\n810005682603,DUPONT,Jean-Pierre\n", encoding="utf-8"
    )
    assert load_roster(path).physicians == (DUPONT_JP,)


def test_load_csv_invalid_rpps_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "rpps,last_name,first_name\n10005682603,DUPONT,Jean-Pierre\n10003461033,FICTIF,Jean\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_roster(path)
    assert raised.value.line == 3
    assert raised.value.path == path
    assert "10003461033" in str(raised.value) and f"{path}:3" in str(raised.value)


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("rpps,last_name,first_name\n1.00057E+10,DUPONT,Jean\n", 2),
        ("rpps,last_name,first_name\n,DUPONT,Jean\n", 2),
        ("rpps,last_name,first_name\n10005682603,,Jean\n", 2),
        ("rpps,last_name,first_name\n10005682603,DUPONT\n", 2),
        (
            "rpps,last_name,first_name\n10005682603,DUPONT,Jean-Pierre\n10005682603,MARTIN,Marie\n",
            3,
        ),
    ],
)
def test_load_csv_unusable_rows(tmp_path: Path, content: str, line: int) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_roster(path)
    assert raised.value.line == line


def test_load_csv_same_physician_twice_is_kept_once(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    rows = ["rpps,last_name,first_name", "10005682603,DUPONT,Jean-Pierre"]
    rows.append("10005682603,Dupont,Jean Pierre")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert load_roster(path).physicians == (DUPONT_JP,)


@pytest.mark.parametrize(
    "header", ["rpps,nom,prenom", "last_name,first_name", "RPPS;Last_name", "name"]
)
def test_load_csv_missing_columns(tmp_path: Path, header: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(f"{header}\n10005682603,DUPONT,Jean\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing column") as raised:
        load_roster(path)
    assert raised.value.path == path


def test_load_empty_or_missing_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ConfigError, match="empty"):
        load_roster(empty)
    with pytest.raises(ConfigError, match="cannot read"):
        load_roster(tmp_path / "absent.csv")


def test_load_ans_extract(tmp_path: Path) -> None:
    lines = [
        ANS_HEADER,
        ans_row("10005682603", "DUPONT", "Jean-Pierre"),
        ans_row("10005682603", "DUPONT", "Jean-Pierre"),  # a second activity
        ans_row("751234567", "ADELI", "Paul", kind="0"),  # an ADELI identifier: skipped
        ans_row(MARTIN_M.rpps, "MARTIN", "Marie", profession="60"),  # a nurse: skipped
        ans_row(NDIAYE.rpps, "NDIAYE", "Aminata"),
        "",
    ]
    path = tmp_path / "PS_LibreAcces_Personne_activite.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    roster = load_roster(path)
    assert roster.physicians == (DUPONT_JP, NDIAYE)
    assert roster.match(rpps=None, name="Aminata N'DIAYE") == Match(NDIAYE)


def test_load_ans_extract_with_national_identifier_only(tmp_path: Path) -> None:
    header = "Identification nationale PP|Nom d'exercice|Prénom d'exercice|"
    path = tmp_path / "extract.txt"
    path.write_text(f"{header}\n810005682603|DUPONT|Jean-Pierre|\n", encoding="utf-8")
    assert load_roster(path).physicians == (DUPONT_JP,)


def test_load_ans_extract_invalid_rpps_names_the_line(tmp_path: Path) -> None:
    lines = [ANS_HEADER, ans_row("10005682603", "DUPONT", "Jean-Pierre")]
    lines.append(ans_row("10003461033", "FICTIF", "Jean"))
    path = tmp_path / "extract.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_roster(path)
    assert raised.value.line == 3


def test_load_ans_extract_without_name_columns(tmp_path: Path) -> None:
    path = tmp_path / "extract.txt"
    path.write_text("Identifiant PP|Code profession|\n10005682603|10|\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Nom d'exercice") as raised:
        load_roster(path)
    assert raised.value.path == path


def test_a_large_ans_extract_is_loaded_whole(tmp_path: Path) -> None:
    # bench/bench.py --roster-entries measures the cost of a large roster.
    lines = [ANS_HEADER]
    for n in range(50_000):
        row = ans_row(rpps(n + 100), f"NOM{n % 5000}", f"Prénom{n % 37}")
        lines += [row, row]  # two activities per physician: 100,000 rows
    path = tmp_path / "extract.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = load_roster(path)
    match = roster.match(rpps=None, name="Prénom5 NOM5")
    assert len(roster) == 50_000
    # NOM5 with Prénom5 is one physician of the 50,000 (n = 5), found by name alone.
    assert match.physician is not None
    assert (match.physician.last_name, match.physician.first_name) == ("NOM5", "Prénom5")
    assert match.problems == ()


def test_the_registration_date_column_is_read_when_present(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "rpps;last_name;first_name;registered_on\n"
        "10005682603;DUPONT;Jean-Pierre;2024-09-01\n"
        "10101010105;MARTIN;Claire;01/02/2020\n"
        f"{rpps(1)};DURAND;Paul;\n",
        encoding="utf-8",
    )
    roster = load_roster(path)
    registered = {p.rpps: p.registered for p in roster.physicians}
    assert registered["10005682603"] == date(2024, 9, 1)
    assert registered["10101010105"] == date(2020, 2, 1)
    assert registered[rpps(1)] is None


def test_a_registration_date_that_is_not_a_date_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "rpps,last_name,first_name,registered_on\n10005682603,DUPONT,Jean-Pierre,soon\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"roster.csv:2: registration date 'soon'"):
        load_roster(path)


@pytest.mark.parametrize("name", ["DUPONT", "CON", "Dr DUPONT"])
def test_match_rpps_with_a_disagreeing_family_name_alone(name: str) -> None:
    match = ROSTER.match(rpps=MARTIN_M.rpps, name=name)
    assert match.physician is None and match.candidates == (MARTIN_M,)
    assert [p.reason for p in match.problems] == [Reason.PARTICIPANT_MISMATCH]


@pytest.mark.parametrize("name", ["12345", "X" * 300, "MARTIN 2"])
def test_match_rpps_with_something_that_cannot_be_a_name(name: str) -> None:
    match = ROSTER.match(rpps=MARTIN_M.rpps, name=name)
    assert match.physician is None
    (problem,) = match.problems
    assert problem.reason is Reason.PARTICIPANT_MISMATCH
    assert "cannot be a person's name" in problem.detail


def test_match_rpps_with_the_holders_family_name_alone() -> None:
    assert ROSTER.match(rpps=MARTIN_M.rpps, name="MARTIN").physician == MARTIN_M
