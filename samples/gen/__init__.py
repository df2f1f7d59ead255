"""Generator of the sample corpus of attestations (see samples/README.md)."""
