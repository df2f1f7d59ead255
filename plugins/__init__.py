"""The built-in issuer plugins, loaded first, in the order of ``BUILTIN_PLUGINS``."""
