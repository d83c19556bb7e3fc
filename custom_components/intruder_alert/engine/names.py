"""Display names ↔ Rekognition ids.

``UserId`` and ``ExternalImageId`` allow only ``[a-zA-Z0-9_.\\-:]``. Names are mapped reversibly:
letters, digits and ``-`` stay, a space becomes ``_``, every other character becomes ``.`` plus
the hex of its UTF-8 bytes (``.`` itself is ``.2E``, ``_`` is ``.5F``), so any name a person
types survives the round trip and two names never share an id.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import InvalidNameError

MAX_NAME_LENGTH = 64
MAX_USER_ID_LENGTH = 128
_KEPT = re.compile(r"[A-Za-z0-9-]")
_ESCAPE_OR_SPACE = re.compile(r"((?:\.[0-9A-F]{2})+)|_")


def normalize_name(name: str) -> str:
    """Trim and collapse whitespace; refuse empty, over-long or control-character names."""
    if not isinstance(name, str):
        raise InvalidNameError("The name must be text.")
    cleaned = " ".join(unicodedata.normalize("NFC", name).split())
    if not cleaned:
        raise InvalidNameError("The name is empty.")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidNameError(f"The name is longer than {MAX_NAME_LENGTH} characters.")
    if any(unicodedata.category(char).startswith("C") for char in cleaned):
        raise InvalidNameError("The name contains control characters.")
    return cleaned


def user_id_for(name: str) -> str:
    """The Rekognition user id of a display name."""
    parts: list[str] = []
    for char in normalize_name(name):
        if _KEPT.fullmatch(char):
            parts.append(char)
        elif char == " ":
            parts.append("_")
        else:
            parts.extend(f".{byte:02X}" for byte in char.encode())
    user_id = "".join(parts)
    if len(user_id) > MAX_USER_ID_LENGTH:
        raise InvalidNameError("The name is too long once encoded for Rekognition.")
    return user_id


def name_for(user_id: str) -> str:
    """The display name of a user id (ids made elsewhere are shown as they are)."""

    def unescape(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return " "
        data = bytes(int(chunk, 16) for chunk in match.group(1).split(".")[1:])
        return data.decode(errors="replace")

    # One pass, so an escaped "_" is not turned into a space afterwards.
    return _ESCAPE_OR_SPACE.sub(unescape, user_id)
