from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from attest_pipeline.errors import ConfigError
from attest_pipeline.referentiel import (
    DEFAULT_REFERENTIEL,
    Referentiel,
    format_referentiel,
    load_referentiel,
    referentiel_to_json,
)
from attest_pipeline.text.keywords import KeyMatcher


@pytest.fixture(scope="module")
def ref() -> Referentiel:
    return load_referentiel()


# ------------------------------------------------------------------ the shipped file


def test_default_file_is_shipped_in_the_package() -> None:
    assert DEFAULT_REFERENTIEL.name == "referentiel.toml"
    assert DEFAULT_REFERENTIEL.is_file()
    assert DEFAULT_REFERENTIEL.parent.name == "data"


def test_header(ref: Referentiel) -> None:
    assert ref.status == "EN ATTENTE DE VALIDATION DGOS"
    assert ref.version
    assert "Collège de la Médecine Générale" in ref.source
    assert [(b.number, b.title) for b in ref.blocs] == [
        (1, "Améliorer les connaissances et les compétences"),
        (2, "Renforcer la qualité des pratiques et des soins"),
        (3, "Améliorer la relation avec les patients"),
        (4, "Mieux prendre en compte sa santé personnelle"),
    ]


def test_letters_per_bloc(ref: Referentiel) -> None:
    letters = {b.number: "".join(a.letter for a in b.actions) for b in ref.blocs}
    assert letters == {1: "ABCDEFGH", 2: "ABCDEFGHIJKL", 3: "ABCDEFG", 4: "ABCDEFG"}
    assert len(list(ref.actions)) == 34
    assert [a.key for a in ref.actions][:3] == ["1.A", "1.B", "1.C"]
    assert all(a.bloc == b.number for b in ref.blocs for a in b.actions)


@pytest.mark.parametrize(
    ("bloc", "letter", "labellisation", "hors_liste"),
    [
        (1, "A", "de_fait", None),
        (1, "B", "a_demander", None),
        (1, "C", "de_fait", "a_demander"),
        (1, "D", "de_fait", "a_demander"),
        (1, "E", "de_fait", "a_demander"),
        (1, "F", "de_fait", None),
        (1, "H", "de_fait", "a_demander"),
        (2, "A", "de_fait", None),
        (2, "B", "a_demander", None),
        (2, "H", "de_fait", "a_demander"),
        (2, "J", "de_fait", None),
        (2, "L", "de_fait", None),
        (3, "A", "de_fait", None),
        (3, "B", "a_demander", None),
        (3, "D", "de_fait", "a_demander"),
        (3, "F", "a_demander", None),
        (3, "G", "de_fait", None),
        (4, "A", "a_demander", None),
        (4, "B", "de_fait", "a_demander"),
        (4, "E", "de_fait", None),
        (4, "F", "de_fait", "a_demander"),
        (4, "G", "de_fait", None),
    ],
)
def test_labellisations(
    ref: Referentiel, bloc: int, letter: str, labellisation: str, hors_liste: str | None
) -> None:
    action = ref.action(bloc, letter)
    assert action.labellisation == labellisation
    assert action.hors_liste == hors_liste


def test_letter_slips_are_corrected(ref: Referentiel) -> None:
    # Bloc 3: "II" is D (patients' associations), "III" is G (peer group on the relation).
    assert "association d'usagers" in ref.action(3, "D").label
    assert "centrés sur la relation avec le patient" in ref.action(3, "G").label
    # Bloc 4: H, H, H, H, E, F, H read A, B, C, D, E, F, G.
    assert ref.action(4, "A").label.startswith("Action de gestion des risques professionnels")
    assert "Qualiopi" in ref.action(4, "A").label
    assert ref.action(4, "B").label == "Action de prévention en santé du professionnel de santé"
    assert "médecin traitant" in ref.action(4, "C").label
    assert "auto-évaluation" in ref.action(4, "D").label
    assert ref.action(4, "E").label.endswith("publiée par ANDPC et FAF")
    assert "dimension psychologique et sociale" in ref.action(4, "F").label
    assert "groupe d'analyse de pratiques" in ref.action(4, "G").label


def test_labels_are_clean_text(ref: Referentiel) -> None:
    for action in ref.actions:
        assert action.label
        assert "**" not in action.label and "](" not in action.label, action.key
    assert ref.action(1, "B").label.endswith("liste publique des organismes de formation")


def test_congress_list_keeps_exact_texts(ref: Referentiel) -> None:
    action = ref.action(1, "D")
    assert [i.text for i in action.items] == [
        "Comité de mise à jour SFMG (CMAJ)",
        "Congrès CMGF",
        "Congrès MG France",
        "Congrès CNGE (à partir de l'édition 2024)",
        "Congrès national des centres de santé",
        "Ecole FAYR-GP",
        "Journées du SML",
        "Journées nationales des CPTS (FCPTS)",
        "Journée recherche SFTG",
        "Préconférence FAYR-GP",
        "Rencontres nationales ReAGJIR",
    ]
    cnge = action.items[3]
    assert cnge.min_year == 2024
    assert all(i.min_year is None for i in action.items if i is not cnge)
    assert "CMGF" in action.items[1].aliases


def test_other_lists(ref: Referentiel) -> None:
    institutions = [i.text for i in ref.action(1, "E").items]
    assert len(institutions) == 23
    assert institutions[0] == "ABM Agence de biomédecine"
    assert institutions[-2:] == ["Universités", "WONCA"]
    assert [i.text for i in ref.action(2, "C").items][15] == "INCA Institut national du cancer"
    assert [i.text for i in ref.action(1, "H").items] == ["Exercer", "Médecine", "Prescrire"]
    assert [i.text for i in ref.action(2, "G").items] == ["Réseau Sentinelles", "Réseau P4DP"]
    assert [i.text for i in ref.action(3, "E").items] == ["Réseau Sentinelles", "Réseau P4DP"]
    assert len(ref.action(3, "D").items) == 6
    assert len(ref.action(4, "B").items) == 5
    assert len(ref.action(4, "F").items) == 6
    # The DU/DIU annexes are not published: empty lists, everything "à demander".
    assert ref.action(1, "C").items == () and ref.action(1, "C").list_title
    assert ref.action(3, "C").items == ()


def test_conditions(ref: Referentiel) -> None:
    assert dict(ref.action(2, "J").conditions) == {"min_meetings": 4}
    assert dict(ref.action(3, "G").conditions) == {"min_meetings": 4}
    assert dict(ref.action(4, "G").conditions) == {"min_meetings": 4}
    assert dict(ref.action(1, "H").conditions) == {"min_duration_days": 365}
    assert dict(ref.action(1, "F").conditions) == {"min_duration_days": 365}
    both = {"min_meetings": 4, "min_duration_days": 365}
    for key in ("1.G", "2.D", "3.F"):
        bloc, letter = key.split(".")
        assert dict(ref.action(int(bloc), letter).conditions) == both, key
    assert dict(ref.action(1, "A").conditions) == {}


def test_action_lookup_and_immutability(ref: Referentiel) -> None:
    with pytest.raises(KeyError):
        ref.action(1, "I")
    with pytest.raises(KeyError):
        ref.action(5, "A")
    action = ref.action(2, "J")
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.label = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        action.conditions["min_meetings"] = 1  # type: ignore[index]
    assert action == load_referentiel().action(2, "J")
    assert hash(action) == hash(load_referentiel().action(2, "J"))


# ----------------------------------------------------------------------- matching


def test_key_matcher_words_acronyms_and_exact() -> None:
    matcher = KeyMatcher([("ANS", 1), ("santé publique France", 2)], exact=[("Médecine", 3)])
    assert matcher.find("Agence: ANS") == 1
    assert matcher.find("depuis 10 ans") is None  # acronyms only match in capitals
    assert matcher.find("TRANSFERT") is None  # whole words only
    assert matcher.find("SANTE PUBLIQUE-FRANCE") == 2
    assert matcher.find("médecine") == 3
    assert matcher.find("médecine générale") is None


def test_find_item(ref: Referentiel) -> None:
    congress = ref.action(1, "D")
    assert congress.find_item("19e Congrès de la Médecine Générale France (CMGF 2025)")
    assert congress.find_item("congres cmgf").text == "Congrès CMGF"  # type: ignore[union-attr]
    assert congress.find_item("Congrès régional MG France") is None
    assert congress.find_item("Journées nationales de pédiatrie") is None
    institution = ref.action(1, "E")
    found = institution.find_item("Conseil départemental de l'Ordre des médecins du Nord")
    assert found is not None and found.text.startswith("CNOM")
    assert institution.find_item("ARS Hauts-de-France").text.startswith("ARS")  # type: ignore[union-attr]
    assert institution.find_item("Réunion de 2 ans, has been moved") is None
    journals = ref.action(1, "H")
    assert journals.find_item("Médecine").text == "Médecine"  # type: ignore[union-attr]
    assert journals.find_item("La Revue de médecine interne") is None
    assert journals.find_item("La revue Prescrire").text == "Prescrire"  # type: ignore[union-attr]


def test_every_item_matches_its_own_text(ref: Referentiel) -> None:
    for action in ref.actions:
        for item in action.items:
            assert action.find_item(item.text) == item, (action.key, item.text)
            for alias in item.aliases:
                assert action.find_item(alias) is not None, (action.key, alias)


# ---------------------------------------------------------------------- rendering


def test_format_referentiel(ref: Referentiel) -> None:
    text = format_referentiel(ref)
    lines = text.splitlines()
    assert lines[0].startswith(f"Référentiel {ref.version}")
    assert "EN ATTENTE DE VALIDATION DGOS" in lines[0]
    assert "Bloc 1. Améliorer les connaissances et les compétences" in lines
    assert "1.A  [de fait]  Action de formation au titre du DPC publiée par ANDPC ou FAF" in lines
    assert any(
        line.startswith("3.F  [à demander]  Participation à un dispositif") for line in lines
    )
    index = lines.index("       Liste indicative de revues [de fait]:")
    assert lines[index + 1 : index + 4] == [
        "         - Exercer",
        "         - Médecine",
        "         - Prescrire",
    ]
    assert lines[index + 4] == "       Hors liste [à demander]"
    assert sum(1 for line in lines if line[:1].isdigit()) == 34


def test_referentiel_to_json(ref: Referentiel) -> None:
    data = referentiel_to_json(ref)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["status"] == "EN ATTENTE DE VALIDATION DGOS"
    assert [len(b["actions"]) for b in data["blocs"]] == [8, 12, 7, 7]
    d = data["blocs"][0]["actions"][3]
    assert d["key"] == "1.D" and d["hors_liste"] == "a_demander"
    assert d["items"][3]["min_year"] == 2024
    assert data["blocs"][1]["actions"][9]["conditions"] == {"min_meetings": 4}


# ------------------------------------------------------------------ malformed files

GOOD = """\
version = "test"
source = "tests"
status = "EN ATTENTE DE VALIDATION DGOS"

[[blocs]]
number = 1
title = "Bloc un"

[[actions]]
bloc = 1
letter = "A"
label = "Action A"
labellisation = "de_fait"

[[actions]]
bloc = 1
letter = "B"
label = "Action B"
labellisation = "de_fait"
items = [
    { text = "Exercer", aliases = ["revue Exercer"] },
    { text = "Médecine", exact = true },
]
hors_liste = "a_demander"
conditions = { min_meetings = 4 }
"""


def _load(tmp_path: Path, text: str) -> Referentiel:
    path = tmp_path / "ref.toml"
    path.write_text(text, encoding="utf-8")
    return load_referentiel(path)


def _error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    return caught.value


def test_good_small_file(tmp_path: Path) -> None:
    ref = _load(tmp_path, GOOD)
    assert ref.version == "test"
    assert ref.action(1, "B").items[1].exact
    assert ref.action(1, "B").items[1].aliases == ()


def test_syntax_error_has_line(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('label = "Action B"', 'label = "Action B'))
    assert error.line == 18
    assert "malformed TOML" in error.problem
    assert str(error).startswith(f"{tmp_path / 'ref.toml'}:18:")


def test_bad_labellisation_has_line(tmp_path: Path) -> None:
    error = _error(
        tmp_path, GOOD.replace('labellisation = "de_fait"\nitems', 'labellisation = "oui"\nitems')
    )
    assert error.line == 19
    assert "labellisation" in error.problem and "'oui'" in error.problem


def test_bad_hors_liste_has_line(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('hors_liste = "a_demander"', 'hors_liste = "à demander"'))
    assert error.line == 24


def test_wrong_type_has_line(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('bloc = 1\nletter = "B"', 'bloc = "1"\nletter = "B"'))
    assert error.line == 16
    assert "bloc must be a whole number, not '1'" in error.problem


def test_missing_key_points_at_its_table(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('label = "Action A"\n', ""))
    assert error.line == 9
    assert "[[actions]] #1 label is required" in error.problem


def test_duplicate_letter_has_line(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('letter = "B"', 'letter = "A"'))
    assert error.line == 17
    assert "duplicate action 1.A" in error.problem


def test_unknown_condition_and_key(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace("min_meetings = 4", "min_meeting = 4"))
    assert error.line == 25 and "conditions.min_meeting is unknown" in error.problem
    error = _error(tmp_path, GOOD.replace('hors_liste = "a_demander"', 'hors_list = "a_demander"'))
    assert error.line == 24 and "hors_list is unknown" in error.problem


def test_bad_item_points_at_the_item(tmp_path: Path) -> None:
    error = _error(
        tmp_path, GOOD.replace('aliases = ["revue Exercer"]', 'aliases = "revue Exercer"')
    )
    assert error.line == 21 and "aliases" in error.problem
    error = _error(tmp_path, GOOD.replace("exact = true", "exact = 1"))
    assert error.line == 22 and "exact" in error.problem


def test_unknown_bloc_and_bad_letter(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('bloc = 1\nletter = "B"', 'bloc = 7\nletter = "B"'))
    assert error.line == 16 and "unknown bloc 7" in error.problem
    error = _error(tmp_path, GOOD.replace('letter = "B"', 'letter = "b"'))
    assert error.line == 17


def test_missing_top_level_key(tmp_path: Path) -> None:
    error = _error(tmp_path, GOOD.replace('status = "EN ATTENTE DE VALIDATION DGOS"\n', ""))
    assert "status is required" in error.problem


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_referentiel(tmp_path / "absent.toml")
    assert caught.value.line is None
    assert "not found" in caught.value.problem
