"""argv -> calls for starting a project (policykit init)."""

from __future__ import annotations

import argparse


def register(commands: argparse._SubParsersAction) -> None:
    """Add this module's commands to the policykit command line."""
