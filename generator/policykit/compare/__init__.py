"""Comparing versions: alignment by clause id, redlines, reports (pure)."""
