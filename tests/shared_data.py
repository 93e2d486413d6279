"""Data that lives beside the project, in ../shared, and not in it.

CI has it; a fresh clone alone does not, and then the tests that need it skip with
one line saying what is missing (never fail, never error).
"""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_path(relative: str) -> Path:
    """`../shared/<relative>`, or a skip naming it when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"needs ../shared/{relative} beside the project checkout (not present)")
    return path
