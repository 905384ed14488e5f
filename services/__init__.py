"""Everything that does I/O: settings, model backends, the HTTP app and the CLI."""

# The one place the version is written; pyproject.toml reads it from here.
__version__ = "0.1.0"
