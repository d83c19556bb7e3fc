"""Synthetic frames whose "faces" the local Rekognition server can tell apart.

A face is a solid square of one palette colour on a dark background; the colour is the
person's identity. Two palette entries are look-alikes (similar colours) so thresholds matter.
"""

from __future__ import annotations

from dataclasses import dataclass
import io

from PIL import Image, ImageDraw

BACKGROUND = (24, 24, 24)
PALETTE: dict[str, tuple[int, int, int]] = {
    "alice": (230, 60, 60),
    "bob": (60, 200, 60),
    "carol": (60, 90, 230),
    "dave": (230, 220, 50),
    "eve": (220, 60, 220),
    "mallory": (50, 220, 220),
    "trent": (240, 140, 40),
    "walter": (150, 100, 240),
    # Looks like alice, is not alice.
    "alice_twin": (250, 95, 80),
}
# Similarity the fake service reports between two different identities that look alike.
LOOKALIKES = {frozenset({"alice", "alice_twin"}): 82.0}


@dataclass(frozen=True)
class Person:
    """One face placed in a scene: who, where (pixels), how large."""

    who: str
    left: int
    top: int
    size: int


def scene(people: list[Person], width: int = 640, height: int = 480, fmt: str = "JPEG") -> bytes:
    """Encode a frame holding ``people``."""
    image = Image.new("RGB", (width, height), BACKGROUND)
    pen = ImageDraw.Draw(image)
    for person in people:
        pen.rectangle(
            (person.left, person.top, person.left + person.size, person.top + person.size),
            fill=PALETTE[person.who],
        )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def portrait(who: str) -> bytes:
    """A frame with one large face, for enrolment."""
    return scene([Person(who, 220, 140, 200)])


def empty() -> bytes:
    """A frame without faces."""
    return scene([])
