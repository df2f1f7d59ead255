"""Data files shipped with the package: the référentiel and the mapping rules."""
