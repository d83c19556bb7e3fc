"""Repair flows: recreate a face collection that was deleted outside Home Assistant."""

from __future__ import annotations

from typing import Any

import voluptuous as vol

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.core import HomeAssistant

from .coordinator import aws_settings, collection_ids
from .engine.errors import EngineError
from .engine.rekognition import Rekognition


class RecreateCollectionsFlow(RepairsFlow):
    """Confirm, then create the account's missing collections and reload it."""

    def __init__(self, entry_id: str) -> None:
        """Remember which account."""
        self._entry_id = entry_id

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> RepairsFlowResult:
        """Go to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Recreate the collections when the user confirms."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None:
            return self.async_abort(reason="entry_removed")
        if user_input is None:
            return self.async_show_form(
                step_id="confirm",
                data_schema=vol.Schema({}),
                description_placeholders={"title": entry.title},
            )

        def recreate() -> None:
            rekognition = Rekognition(aws_settings(entry.data))
            for collection_id in collection_ids(entry.data).values():
                rekognition.ensure_collection(collection_id)

        try:
            await self.hass.async_add_executor_job(recreate)
        except EngineError as err:
            return self.async_abort(
                reason="cannot_recreate", description_placeholders={"error": str(err)}
            )
        self.hass.config_entries.async_schedule_reload(self._entry_id)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """Create the fix flow of an issue (only the missing-collection issue has one)."""
    return RecreateCollectionsFlow(str((data or {})["entry_id"]))
