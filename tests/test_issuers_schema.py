"""The data file's schema: every problem named with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from attest_pipeline.errors import ConfigError
from attest_pipeline.issuers import check_data_file, load_template, read_data_file
from attest_pipeline.testing import document_from_text
from tests.issuer_data import MINIMAL, write


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[issuer]\nname = "x"\nfamily = \n', 3, "malformed TOML: Invalid value"),
        (MINIMAL + "[fields.participant]\npatern = 'x'\n", 7, "participant] patern is unknown"),
        (MINIMAL + "[fields.partcipant]\nafter = 'x'\n", 6, "[fields.partcipant] is not a field"),
        (MINIMAL.replace("qualiopi", "hospital"), 3, "family must be one of"),
        (MINIMAL + "[fields.title]\npattern = '(unclosed'\n", 7, "pattern '(unclosed'"),
        (MINIMAL + "[fields.hours]\nhelper = 'rpps'\n", 7, "helper 'rpps' cannot fill"),
        (MINIMAL + "[fields.title]\nhelper = 'magic'\n", 7, "helper 'magic' is unknown"),
        (MINIMAL + "[fields.title]\nconstant = 'x'\nafter = 'y'\n", 8, "cannot go with"),
        (MINIMAL + "[fields.meetings]\nconstant = 'six'\n", 7, "'six' is not a int"),
        (MINIMAL + "[fields.end]\nhelper = 'date'\n", 7, "helper 'date' needs labels"),
        (MINIMAL + "[fields.title]\nuntil = 'x'\npattern = 'y'\n", 7, "until needs after"),
        (MINIMAL + "[fields.title]\nignore_case = true\n", 6, "needs pattern, after, helper"),
        (MINIMAL.replace('name = "acme"', 'name = "ACME corp"'), 2, "[issuer] name is required"),
        (MINIMAL + '[issuer.extra]\n', 6, "[issuer.extra] is unknown"),
        ('[issuer]\nname = "a"\nfamily = "other"\nnature = "seminar"\n[match]\nany = ["x"]\n', 4,
         "'seminar' is not a nature"),
        ('[issuer]\nname = "a"\nfamily = "other"\nscore = 1.5\n[match]\nany = ["x"]\n', 4,
         "score must be a number in ]0, 1]"),
        ('[issuer]\nname = "a"\nfamily = "other"\n[match]\nnone = ["x"]\n', 4,
         "[match] needs 'all' or 'any'"),
        (MINIMAL + "[fields.nature]\nafter = 'x'\nmap = { a = 'seminar' }\n", 8,
         "'seminar' is not a nature"),
        (MINIMAL + "[fields.title]\nafter = ' : '\n", 7, "a label needs letters or digits"),
        ('[issuer]\nname = "a"\nfamily = "other"\n[match]\nall = ["--"]\n', 5,
         "must be a list of phrases"),
        (MINIMAL + "[fields.start]\nhelper = 'period'\ndate_formats = ['%d']\n", 8,
         "date_formats apply to a located date field"),
        (MINIMAL + "[fields.title]\nhelper = 'period'\n", 7, "helper 'period' cannot fill"),
        (MINIMAL + "[layout]\n", 6, "[layout] is unknown"),
    ],
)
def test_malformed_templates_name_the_line(
    tmp_path: Path, text: str, line: int | None, message: str
) -> None:
    path = write(tmp_path, "broken.toml", text)
    with pytest.raises(ConfigError) as raised:
        load_template(path)
    assert raised.value.path == path
    assert message in raised.value.problem
    assert raised.value.line == line


def test_a_template_file_that_cannot_be_read_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.replace("ACME", "ACMÉ").encode("latin-1"))
    with pytest.raises(ConfigError, match="cannot read the template"):
        load_template(path)


PLUGIN = """[identify]
[[identify.markers]]
reason = "ACME"
pattern = 'acme'
weight = 0.6
anchor = true
[[identify.markers]]
reason = "attestation"
pattern = 'attestation'
weight = 0.2
"""


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (PLUGIN + "anchr = true\n", 11, "[[identify.markers]] #2 anchr is unknown"),
        (PLUGIN.replace("weight = 0.2\n", ""), 7, "[[identify.markers]] #2 weight is required"),
        (PLUGIN.replace("weight = 0.2", "weight = 2"), 10, "weight must be a number in [0, 1]"),
        (PLUGIN.replace("pattern = 'attestation'", "pattern = '(x'"), 9, "is not a regex"),
        (PLUGIN.replace("anchor = true\n", ""), 1, "needs a marker with anchor = true"),
        (PLUGIN.replace("[identify]\n", '[identify]\nexclude = ["menu"]\n'), 2,
         "unknown exclusion 'menu'"),
        (PLUGIN.replace("[identify]\n", '[identify]\ndefer = [{ signature = "x", cap = 0.4 }]\n'),
         2, "'x' is an unknown signature"),
        (PLUGIN + "[match]\nall = ['acme']\n", 1, "[identify] and [match] exclude each other"),
        (PLUGIN + "[fields.title]\nhelper = 'title'\n", 12, "needs a [title] table"),
        (PLUGIN + "[title]\nlabels = ['titre']\n[fields.title]\nafter = 'x'\nhelper = 'title'\n",
         15, "helper 'title' reads the whole attestation"),
        (PLUGIN + "[title]\ncut = ['(']\n", 12, "[title] cut '(' is not a regex"),
        (PLUGIN + "[nature]\n[[nature.rules]]\nvalue = 'seminar'\npatterns = ['x']\n", 13,
         "'seminar' is not a nature"),
        (PLUGIN + "[split]\nper_page = true\nparticipants = true\n", 11, "exclude each other"),
        (PLUGIN + "[organisaton]\n", 11, "[organisaton] is unknown"),
    ],
)
def test_a_plugins_data_file_is_checked_key_by_key(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    problem = check_data_file(write(tmp_path, "acme.toml", text))
    assert problem is not None
    assert message in problem.problem
    assert problem.line == line


def test_own_tables_are_left_to_the_plugin_and_identity_to_its_class(tmp_path: Path) -> None:
    text = PLUGIN + "[own.anything]\nkey = [1, 'two']\n[[own.list]]\nx = 1\n"
    data = read_data_file(write(tmp_path, "acme.toml", text))
    assert data.own == {"anything": {"key": [1, "two"]}, "list": [{"x": 1}]}
    assert (data.name, data.family, data.version) == (None, None, None)
    assert data.scorer.patterns("") == ["acme", "attestation"]


def test_a_data_file_without_identification_declines_every_document(tmp_path: Path) -> None:
    data = read_data_file(write(tmp_path, "fields.toml", "[fields.rpps]\nhelper = 'rpps'\n"))
    assert data.identification is None
    assert data.identify(document_from_text("ACME Formation\nAttestation")) is None
    with pytest.raises(ValueError, match="no \\[identify\\] table"):
        data.scorer  # noqa: B018
