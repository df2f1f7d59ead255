"""The issuer engine: what the built-in plugins know, for every plugin and template.

One declarative engine reads the built-in plugins' data files, third-party plugins' and the
templates alike, with one schema (:mod:`attest_pipeline.issuers.schema`): identification by
markers or phrases, splitting, and the shared readers of labels, people and periods,
natures, titles and organisations. A plugin subclasses :class:`DataIssuer`, points it at its
data file and writes in :meth:`DataIssuer.complete` only what is its own; a template needs
no Python. The plugin author's guide (``docs/plugins.md``) documents every name exported
here.
"""

from __future__ import annotations

from attest_pipeline.issuers.base import (
    DataIssuer,
    Reading,
    TemplateIssuer,
    TemplateProblem,
    load_template,
    load_templates,
)
from attest_pipeline.issuers.common import (
    COMMON_FILE,
    CommonRules,
    Exclusion,
    common_rules,
    compile_folded,
)
from attest_pipeline.issuers.fields import FieldRule, after_pattern, convert
from attest_pipeline.issuers.helpers import HELPERS, Helper
from attest_pipeline.issuers.labels import (
    Labels,
    continued,
    excerpt,
    flat,
    has_letters,
    label_line,
    line_span,
    rows,
    tidy,
)
from attest_pipeline.issuers.markers import (
    Marker,
    PhraseMatch,
    Scorer,
    loose_phrase,
    matchable,
    phrase_words,
)
from attest_pipeline.issuers.natures import NatureRule, NatureRules
from attest_pipeline.issuers.organisations import Organisations
from attest_pipeline.issuers.people import People, Person, year_span
from attest_pipeline.issuers.schema import (
    DEFAULT_SCORE,
    IssuerData,
    check_data_file,
    read_data_file,
)
from attest_pipeline.issuers.splitting import (
    split_at_phrases,
    split_by_participant,
    split_per_page,
)
from attest_pipeline.issuers.titles import Phrases, Titles

__all__ = [
    "COMMON_FILE",
    "DEFAULT_SCORE",
    "HELPERS",
    "CommonRules",
    "DataIssuer",
    "Exclusion",
    "FieldRule",
    "Helper",
    "IssuerData",
    "Labels",
    "Marker",
    "NatureRule",
    "NatureRules",
    "Organisations",
    "People",
    "Person",
    "PhraseMatch",
    "Phrases",
    "Reading",
    "Scorer",
    "TemplateIssuer",
    "TemplateProblem",
    "Titles",
    "after_pattern",
    "check_data_file",
    "common_rules",
    "compile_folded",
    "continued",
    "convert",
    "excerpt",
    "flat",
    "has_letters",
    "label_line",
    "line_span",
    "load_template",
    "load_templates",
    "loose_phrase",
    "matchable",
    "phrase_words",
    "read_data_file",
    "rows",
    "split_at_phrases",
    "split_by_participant",
    "split_per_page",
    "tidy",
    "year_span",
]
