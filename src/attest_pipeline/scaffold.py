"""``attest new-plugin NAME``: the skeleton of a third-party issuer plugin package.

The skeleton is a complete, installable package that passes its own tests as generated:
a :class:`~attest_pipeline.issuers.DataIssuer` subclass and its data file (the issuer
engine's schema), which already work on the sample attestation shipped with it, the hook
implementation, the entry point in the group ``attest_pipeline.plugins``, a golden sample
with its expected JSON and tests written with the test kit. The author then replaces the
sample by real (anonymised) attestations and adapts the data file until the tests pass
again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template

from attest_pipeline.errors import UsageError

__all__ = ["SAMPLE_TEXT", "organisation_name", "package_name", "write_plugin"]

_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_MAX_NAME = 40

#: The text of the sample attestation of a new plugin (``$organisation`` is filled in).
SAMPLE_TEXT = Template(
    """$organisation
Organisme de formation certifié Qualiopi
ATTESTATION DE FIN DE FORMATION
Nom et prénom : Dr Jean-Pierre DUPONT
N° RPPS : 10005682603
Formation : Prise en charge de l'asthme de l'adulte en soins primaires
Dates : du 12 au 13 mars 2025
Durée : 14 heures
Fait à Rennes, le 14 mars 2025
La directrice, Sophie LEBRUN
"""
)

_SAMPLE_EXPECTED = {
    "attestations": [
        {
            "family": "qualiopi",
            "pages": [1],
            "participant": {
                "last_name": "DUPONT",
                "first_name": "Jean-Pierre",
                "rpps": "10005682603",
            },
            "start": "2025-03-12",
            "end": "2025-03-13",
            "title": "Prise en charge de l'asthme de l'adulte en soins primaires",
            "nature": "formation_continue",
            "hours": 14,
        }
    ]
}

_PYPROJECT = Template(
    """[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "$distribution"
version = "0.1.0"
description = "attest-pipeline issuer plugin: attestations of $organisation"
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["attest-pipeline>=0.1"]

[project.optional-dependencies]
test = ["pytest>=8", "reportlab>=4.0"]

# attest-pipeline finds the plugin through this entry point: the value names the module
# that implements the attest_register_issuers hook.
[project.entry-points."attest_pipeline.plugins"]
$name = "$module"

[tool.setuptools.packages.find]
where = ["src"]

[tool.setuptools.package-data]
$module = ["py.typed", "*.toml"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]

[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP", "D", "SIM", "RUF"]
ignore = ["D203", "D213", "D105", "D107", "RUF001", "RUF002", "RUF003"]

[tool.ruff.lint.per-file-ignores]
"tests/*" = ["D"]

[tool.mypy]
python_version = "3.11"
strict = true
ignore_missing_imports = true
"""
)

_DATA = Template(
    """# The data file of the $name issuer, read by attest-pipeline's issuer engine
# (attest_pipeline.issuers). The plugin author's guide of attest-pipeline
# (docs/plugins.md, "The issuer engine") describes every table and key.

[issuer]
# One issuer's own name and the attestation's title: above the built-in families' scores.
score = 0.9

# The document is this issuer's when every "all" phrase is present and no "none" phrase
# (compared word by word, whatever the case, accents and punctuation).
[match]
all = ["$organisation", "attestation de fin de formation"]
none = ["facture", "devis"]

# One table per field: where its value is written, and how it is read.
[fields.issuer]
constant = "$organisation"

[fields.participant]
helper = "person"

[fields.rpps]
helper = "rpps"

# A regex: the value is its group "value" ("Formation : Prise en charge de l'asthme").
[fields.title]
pattern = '^Formation\\s*:\\s*(?P<value>.+)$$'

[fields.start]
helper = "period"

[fields.end]
helper = "period"

[fields.nature]
constant = "formation_continue"

[fields.hours]
helper = "hours"
"""
)

_MODULE = Template(
    '''"""attest-pipeline issuer plugin for the attestations of $organisation.

The pipeline calls the ``attest_register_issuers`` hook once, when it loads plugins; the
issuer object registered there is then asked about every document (see the plugin
author's guide, docs/plugins.md in attest-pipeline). The issuer is built by
attest-pipeline's issuer engine from the data file ``issuer.toml`` beside this module:
identification, splitting and the fields are described there, and this module holds only
what the data file cannot say.
"""

from __future__ import annotations

from importlib import resources

from attest_pipeline.contract import Register, hookimpl
from attest_pipeline.issuers import DataIssuer, Reading
from attest_pipeline.models import Family

__version__ = "0.1.0"


class ${class_name}(DataIssuer):
    """The attestations of $organisation (one attestation per PDF)."""

    name = "$name"
    version = __version__
    families = (Family.QUALIOPI,)
    covers = "$organisation: attestations de fin de formation"
    data_file = resources.files(__name__) / "issuer.toml"

    def complete(self, reading: Reading) -> None:
        """Add or change what the data file's rules read, when they cannot say it all.

        ``reading.values`` holds the fields read (``Found(value, evidence)`` by field
        name), ``reading.extras`` the issuer-specific values; ``reading.document`` and
        ``reading.folded`` give the attestation. Leave a field out rather than guess: the
        pipeline sends incomplete attestations to a person.
        """
        return None


@hookimpl
def attest_register_issuers(register: Register) -> None:
    """Register this plugin's issuer (called once, when the pipeline loads plugins)."""
    register(${class_name}())
'''
)

_TEST_COMMON = Template(
    '''"""Tests of the $name issuer, written with attest-pipeline's test kit."""

from __future__ import annotations

${imports}from pathlib import Path

from attest_pipeline.issuers import check_data_file
from attest_pipeline.testing import assert_samples, document_from_text, run_issuer

from $module import ${class_name}

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_the_data_file_is_valid() -> None:
    # Checked whole (every regex compiled): the issuer reads it on its first document only.
    assert check_data_file(${class_name}.data_file) is None


def test_reads_the_sample_text() -> None:
    text = (SAMPLES / "sample-1.txt").read_text(encoding="utf-8")
    run = run_issuer(${class_name}(), document_from_text(*text.split("\\f")))
    extraction = run.extraction
    assert extraction.participant is not None
    assert "DUPONT" in extraction.participant.value
    assert extraction.rpps is not None and extraction.rpps.value == "10005682603"
    assert extraction.hours is not None and extraction.hours.value == 14


def test_declines_other_documents() -> None:
    for text in ("Facture n° 2025-12\\n$organisation", "Attestation de présence\\nCongrès"):
        assert not run_issuer(${class_name}(), document_from_text(text)).identified


$samples_test'''
)

_SAMPLES_FROM_PDF = '''def test_samples() -> None:
    # Every samples/*.pdf with its *.json beside it: add real (anonymised) attestations.
    assert_samples(${class_name}(), SAMPLES)
'''

_SAMPLES_FROM_TEXT = '''def test_samples(tmp_path: Path) -> None:
    # The samples are kept as text (samples/*.txt, pages separated by form feeds); their
    # PDFs are built here. Add real (anonymised) PDFs to samples/ beside their *.json.
    from attest_pipeline.testing import make_pdf

    for pdf in SAMPLES.glob("*.pdf"):
        shutil.copy(pdf, tmp_path)
    for sample in SAMPLES.glob("*.txt"):
        if not (tmp_path / f"{sample.stem}.pdf").exists():
            pages = sample.read_text(encoding="utf-8").split("\\f")
            (tmp_path / f"{sample.stem}.pdf").write_bytes(make_pdf(pages))
    for expected in SAMPLES.glob("*.json"):
        shutil.copy(expected, tmp_path)
    assert_samples(${class_name}(), tmp_path)
'''

_README = Template(
    """# $distribution

An issuer plugin for attest-pipeline: it recognises the attestations of $organisation
and reads their fields.

## Develop

    pip install -e '.[test]'
    pytest

`src/$module/issuer.toml` describes the issuer for attest-pipeline's issuer engine:
which phrases make a document one of ours (`[match]`), where each attestation lies in a
PDF holding several (`[split]`), and where each field is written (`[fields.NAME]`).
`src/$module/__init__.py` holds the issuer class and the hook; its `complete` method is
the place for what the data file cannot say.

The plugin author's guide of attest-pipeline (`docs/plugins.md`) describes the data
file's tables, the engine's Python, the shared text helpers and the test kit.

## Samples

`samples/` holds golden samples: each `*.pdf` with a `*.json` beside it listing the
attestations it holds and the values expected (`family`, `pages`, `participant`, `start`,
`end`, `title`, `reference`, `nature`, `event`, `journal`, `meetings`, `hours`; `null`
means "must be left out").

$sample_note Replace the made-up sample by real, anonymised attestations of
$organisation.

## Install and check

    pip install .
    attest plugins                      # the issuer "$name" is listed as loaded
    attest extract --explain some.pdf   # every issuer's score and reasons for one file

attest-pipeline finds the plugin through its entry point in the group
`attest_pipeline.plugins` (see `pyproject.toml`): `$name = "$module"`.
"""
)


def package_name(name: str) -> str:
    """Return the Python package of the plugin ``name``: ``attest_plugin_<name>``."""
    return "attest_plugin_" + name.replace("-", "_")


def organisation_name(name: str) -> str:
    """The organisation a new plugin describes: the words of ``name``, capitalised.

    Nothing is added to them: a suffix such as "Formation" would repeat a word the author
    already chose ("acme-formation" is "Acme Formation").
    """
    return " ".join(word.capitalize() for word in re.split(r"[-_]", name))


def write_plugin(name: str, dest: Path) -> Path:
    """Write the skeleton of the plugin ``name`` into ``dest/attest-plugin-<name>/``.

    ``name`` is a lower-case slug (letters, digits, single ``-`` or ``_`` between them).
    Raises :class:`UsageError` for a bad name or when the folder already exists (nothing
    is ever overwritten). Returns the new folder.
    """
    if not _NAME.match(name) or len(name) > _MAX_NAME:
        raise UsageError(
            f"invalid plugin name {name!r}: use lower-case letters and digits, words "
            f"joined by '-' or '_', starting with a letter, at most {_MAX_NAME} characters "
            "(e.g. 'medformation' or 'cpts-iroise')"
        )
    distribution = f"attest-plugin-{name}"
    root = dest / distribution
    if root.exists():
        raise UsageError(f"{root} already exists: choose another name or folder")
    module = package_name(name)
    words = re.split(r"[-_]", name)
    organisation = organisation_name(name)
    values = {
        "name": name,
        "distribution": distribution,
        "module": module,
        "class_name": "".join(word.capitalize() for word in words) + "Issuer",
        "organisation": organisation,
    }
    sample = SAMPLE_TEXT.substitute(values)
    pdf = _sample_pdf(sample)
    samples_test = Template(_SAMPLES_FROM_PDF if pdf else _SAMPLES_FROM_TEXT).substitute(values)
    tests = _TEST_COMMON.substitute(
        values, imports="" if pdf else "import shutil\n", samples_test=samples_test
    )
    note = (
        "The sample PDF was generated from `sample-1.txt`."
        if pdf
        else "The sample is kept as text (`sample-1.txt`); the tests build its PDF."
    )
    files: dict[str, str | bytes] = {
        "pyproject.toml": _PYPROJECT.substitute(values),
        "README.md": _README.substitute(values, sample_note=note),
        f"src/{module}/__init__.py": _MODULE.substitute(values),
        f"src/{module}/issuer.toml": _DATA.substitute(values),
        f"src/{module}/py.typed": "",
        "tests/test_plugin.py": tests,
        "samples/sample-1.txt": sample,
        "samples/sample-1.json": json.dumps(_SAMPLE_EXPECTED, indent=2, ensure_ascii=False) + "\n",
    }
    if pdf:
        files["samples/sample-1.pdf"] = pdf
    root.mkdir(parents=True)
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def _sample_pdf(text: str) -> bytes | None:
    """Build the sample's PDF, or ``None`` when reportlab (a test extra) is not installed."""
    try:
        from attest_pipeline.testing.pdf import make_pdf

        return make_pdf([text])
    except ImportError:
        return None
