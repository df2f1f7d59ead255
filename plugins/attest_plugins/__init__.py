"""The built-in issuer plugins, loaded first, in the order of ``BUILTIN_PLUGINS``.

Each is a data file (``data/<name>.toml``) read by the public issuer engine
(:mod:`attest_pipeline.issuers`), plus only the Python its issuer needs.
"""

from __future__ import annotations

#: The built-in plugin modules, in load order: the most specific families first, so that
#: ``attest plugins`` lists them in the order their markers take precedence.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "attest_plugins.andpc",
    "attest_plugins.university",
    "attest_plugins.journal_test",
    "attest_plugins.peer_group",
    "attest_plugins.congress",
    "attest_plugins.qualiopi",
)
