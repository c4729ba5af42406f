"""The rules a project must keep, each yielding located Problems (pure)."""
