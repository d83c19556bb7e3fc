"""Errors read once: a translated message never repeats what the engine's message already says.

"The image shows several faces: The image shows 6 faces; …" came from a template that said
what its ``{error}`` placeholder said again. The engine's messages are whole sentences, so the
templates that carry one only add what to do next.
"""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.const import DOMAIN
from custom_components.intruder_alert.engine.errors import EnrolmentError
from custom_components.intruder_alert.engine.people import People
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .rekognition_server import RekognitionServer
from .scenes import Person, portrait, scene

EN = json.loads(
    (
        Path(__file__).resolve().parents[1]
        / "custom_components"
        / "intruder_alert"
        / "translations"
        / "en.json"
    ).read_text()
)
EXCEPTIONS: dict[str, str] = {key: value["message"] for key, value in EN["exceptions"].items()}


def repeated_phrase(message: str, words: int = 3) -> str | None:
    """The first run of ``words`` words that appears twice in ``message``, or None."""
    tokens = re.findall(r"[a-z0-9]+", message.casefold())
    seen: set[tuple[str, ...]] = set()
    for index in range(len(tokens) - words + 1):
        phrase = tuple(tokens[index : index + words])
        if phrase in seen:
            return " ".join(phrase)
        seen.add(phrase)
    return None


def test_the_checker_finds_the_old_repetition() -> None:
    """The message of the issue is caught; the fixed one is not."""
    old = (
        "The image shows several faces: The image shows 6 faces; enrol from a photo of one person."
    )
    assert repeated_phrase(old) == "the image shows"
    assert repeated_phrase("The image shows 6 faces; enrol from a photo of one person.") is None


class _Backend:
    """Just enough of a face backend for People to refuse an enrolment in each way."""

    def __init__(self, index: dict[str, Any], association: dict[str, Any] | None = None) -> None:
        self.index = index
        self.association = association or {}

    def index_face(self, collection: str, image: dict[str, Any], user_id: str) -> dict[str, Any]:
        return self.index

    def create_user(self, collection: str, user_id: str) -> bool:
        return True

    def associate_face(self, collection: str, user_id: str, face_id: str) -> dict[str, Any]:
        return self.association

    def delete_faces(self, collection: str, face_ids: list[str]) -> None:
        return None

    def delete_user(self, collection: str, user_id: str) -> None:
        return None


_RECORD = {"Face": {"FaceId": "f1", "BoundingBox": {"Left": 0.1, "Top": 0.1}}}


@pytest.mark.parametrize(
    "backend",
    [
        _Backend(
            {"FaceRecords": [_RECORD], "UnindexedFaces": [{"Reasons": ["EXCEEDS_MAX_FACES"]}]}
        ),
        _Backend({"FaceRecords": [], "UnindexedFaces": [{"Reasons": ["LOW_SHARPNESS"]}]}),
        _Backend({"FaceRecords": [], "UnindexedFaces": []}),
        _Backend(
            {"FaceRecords": [_RECORD]},
            {"UnsuccessfulFaceAssociations": [{"Reasons": ["LOW_MATCH_CONFIDENCE"]}]},
        ),
    ],
    ids=["several_faces", "face_rejected", "no_face", "not_associated"],
)
def test_enrolment_refusals_read_once(backend: _Backend) -> None:
    """Each way People refuses a photo, put in its translated message, says things once."""
    with pytest.raises(EnrolmentError) as err:
        People(backend, {"whitelist": "wl"}).enroll("whitelist", "Bob", portrait("bob"))  # type: ignore[arg-type]
    template = EXCEPTIONS[f"enrol_{err.value.reason}"]
    message = template.format(error=str(err.value))
    assert repeated_phrase(message) is None, message


async def test_a_group_photo_is_refused_in_one_plain_sentence(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
) -> None:
    """What the user reads when enrolling a group photo: how many faces, and what to do."""
    path = media_dir / "group.jpg"
    path.write_bytes(scene([Person("alice", 40, 40, 150), Person("bob", 300, 200, 150)]))
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "enroll_face",
            {"tier": "whitelist", "name": "Someone", "image_path": str(path)},
            blocking=True,
            return_response=True,
        )
    message = str(err.value)
    assert message.startswith("The image shows 2 faces; enrol from a photo of one person.")
    assert message.count("faces") == 1
    assert repeated_phrase(message) is None, message
