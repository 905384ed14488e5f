"""Everything that does I/O: settings, model backends, the HTTP app and the CLI."""
