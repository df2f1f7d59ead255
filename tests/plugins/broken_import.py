"""A test plugin that fails to import."""

import attest_pipeline.this_module_does_not_exist  # noqa: F401
