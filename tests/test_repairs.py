"""The missing-collection repair when its fix cannot work: AWS failing, the account gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.const import DOMAIN
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowManager
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from .conftest import BLACKLIST
from .rekognition_server import Fault, RekognitionServer
from .scenes import portrait


@pytest.fixture
async def open_repair(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    issue_registry: ir.IssueRegistry,
) -> tuple[FlowManager, dict[str, Any], str]:
    """The blacklist was deleted in AWS; the user opened the issue's Fix dialog."""
    assert await async_setup_component(hass, "repairs", {})
    rekognition_server.service.op_delete_collection({"CollectionId": BLACKLIST})
    path = media_dir / "v.jpg"
    path.write_bytes(portrait("eve"))
    await hass.services.async_call(
        DOMAIN, "recognize", {"image_path": str(path)}, blocking=True, return_response=True
    )
    issue_id = f"collection_missing_{server_entry.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
    flows = repairs_flow_manager(hass)
    assert flows is not None
    result = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {"title": server_entry.title}
    return flows, dict(result), issue_id


async def test_fix_while_aws_fails_keeps_the_issue(
    hass: HomeAssistant,
    open_repair: tuple[FlowManager, dict[str, Any], str],
    rekognition_server: RekognitionServer,
    issue_registry: ir.IssueRegistry,
) -> None:
    """AWS answers 500: the dialog says why, nothing is created, the issue stays to try again."""
    flows, form, issue_id = open_repair
    rekognition_server.service.faults.append(Fault("*", "error500", count=100))
    result = await flows.async_configure(form["flow_id"], {})
    assert result["type"] == "abort"
    assert result["reason"] == "cannot_recreate"
    assert "InternalServerError" in result["description_placeholders"]["error"]
    assert BLACKLIST not in rekognition_server.service.collections
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None


async def test_fix_after_the_account_was_deleted(
    hass: HomeAssistant,
    open_repair: tuple[FlowManager, dict[str, Any], str],
    server_entry: MockConfigEntry,
    rekognition_server: RekognitionServer,
) -> None:
    """The account is deleted while the dialog is open: the fix says so and touches no AWS."""
    flows, form, _ = open_repair
    assert await hass.config_entries.async_remove(server_entry.entry_id)
    calls_before = sum(rekognition_server.service.calls.values())
    result = await flows.async_configure(form["flow_id"], {})
    assert result["type"] == "abort"
    assert result["reason"] == "entry_removed"
    assert sum(rekognition_server.service.calls.values()) == calls_before
    assert BLACKLIST not in rekognition_server.service.collections
