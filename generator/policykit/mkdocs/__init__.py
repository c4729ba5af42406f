"""The host adapter: the only package that imports mkdocs, material or watchdog."""
