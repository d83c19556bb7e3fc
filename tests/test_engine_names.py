"""Display names ↔ Rekognition user ids."""

from __future__ import annotations

import re

from hypothesis import given, strategies as st
import pytest

from custom_components.intruder_alert.engine.errors import InvalidNameError
from custom_components.intruder_alert.engine.names import name_for, normalize_name, user_id_for

VALID_ID = re.compile(r"^[a-zA-Z0-9_.\-:]{1,128}$")


@pytest.mark.parametrize(
    ("name", "user_id"),
    [
        ("Alice", "Alice"),
        ("Bob O'Neil", "Bob_O.27Neil"),
        ("Ana María", "Ana_Mar.C3.ADa"),
        ("under_score.dot", "under.5Fscore.2Edot"),
        ("李小龙", ".E6.9D.8E.E5.B0.8F.E9.BE.99"),
        ("  many   spaces ", "many_spaces"),
    ],
)
def test_examples(name: str, user_id: str) -> None:
    """Readable where possible, escaped where needed, and reversible."""
    assert user_id_for(name) == user_id
    assert name_for(user_id) == normalize_name(name)


@given(st.text(alphabet=st.characters(exclude_categories=("C",)), min_size=1, max_size=20))
def test_round_trip(name: str) -> None:
    """Every printable name maps to a valid id and back, or is refused as a whole."""
    try:
        user_id = user_id_for(name)
    except InvalidNameError:
        return
    assert VALID_ID.match(user_id)
    assert name_for(user_id) == normalize_name(name)


@pytest.mark.parametrize("name", ["", "   ", "x" * 65, "bell\x07", "😀" * 40])
def test_refused(name: str) -> None:
    """Empty, too long, or control characters."""
    with pytest.raises(InvalidNameError):
        user_id_for(name)


def test_not_text() -> None:
    """A number is not a name."""
    with pytest.raises(InvalidNameError):
        normalize_name(42)  # type: ignore[arg-type]


def test_foreign_ids_display_as_they_are() -> None:
    """Users made outside the integration keep their ids as names."""
    assert name_for("employee:1234") == "employee:1234"
