"""The browser userscript, shipped as package data so that the service can serve it."""
