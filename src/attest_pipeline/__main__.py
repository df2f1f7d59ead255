"""``python -m attest_pipeline`` runs the ``attest`` command."""

from attest_pipeline.cli import main

main()
