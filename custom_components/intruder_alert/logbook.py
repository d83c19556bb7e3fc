"""Logbook lines for recognition runs: who was seen, per face, not just the verdict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ICON,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_INTRUDER_ALERT

_ICONS = {
    "blacklisted_person": "mdi:account-alert",
    "unknown_person": "mdi:account-question",
    "known_person": "mdi:account-check",
    "loitering": "mdi:account-search",
    "no_face": "mdi:account-off-outline",
    "recognition_failed": "mdi:alert-circle",
    "person_outside_rules": "mdi:account-clock",
    "camera_problem": "mdi:cctv-off",
}


def _message(data: dict[str, Any]) -> str:
    """'saw Blacklisted: Eve 99 %; known: Alice', 'saw no face', 'could not recognise: …'."""
    summary = data.get("summary")
    kind = data.get("type")
    if kind == "recognition_failed":
        reason = data.get("reason")
        return f"could not recognise: {reason}" if reason else "could not recognise"
    if kind == "no_face":
        return "saw no face"
    if kind == "camera_problem":
        reason = data.get("reason")
        return f"camera cannot see: {reason}" if reason else "camera cannot see"
    if summary:
        return f"saw {summary}"
    # An event from a version without the summary: what it had.
    names = ", ".join(data.get("names") or [])
    return f"saw {str(kind).replace('_', ' ')}" + (f": {names}" if names else "")


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the bus event every run fires (test calls fire none)."""

    @callback
    def describe(event: Event) -> dict[str, str]:
        data = dict(event.data)
        return {
            LOGBOOK_ENTRY_NAME: str(data.get("zone") or "Intruder Alert"),
            LOGBOOK_ENTRY_MESSAGE: _message(data),
            LOGBOOK_ENTRY_ICON: _ICONS.get(str(data.get("type")), "mdi:shield-account"),
        }

    async_describe_event(DOMAIN, EVENT_INTRUDER_ALERT, describe)
