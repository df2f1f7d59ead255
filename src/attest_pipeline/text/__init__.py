"""Text helpers shared by every plugin: French dates, names, identifiers, hours."""
