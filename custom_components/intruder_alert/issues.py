"""Repair issues the integration raises."""

from __future__ import annotations

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def issue_id(entry_id: str) -> str:
    """The id of the missing-collection issue of an account."""
    return f"collection_missing_{entry_id}"


@callback
def async_create_collection_issue(
    hass: HomeAssistant, entry_id: str, title: str, error: str
) -> None:
    """Raise the fixable missing-collection issue for an account."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry_id),
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="collection_missing",
        translation_placeholders={"error": error, "title": title},
        data={"entry_id": entry_id},
    )


@callback
def async_delete_collection_issue(hass: HomeAssistant, entry_id: str) -> None:
    """The account's collections are back."""
    ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id))
