"""The sidebar panel: registered for administrators only, served as built, and up to date.

The bundle is committed (HACS installs the folder as is). Its first line names the SHA-256 of
the sources it was built from; the test below recomputes it the way ``frontend/build.mjs`` does,
so a source change without a rebuild fails here even where npm is not installed (``scripts/test``
also rebuilds it byte for byte when npm is).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
import re

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.intruder_alert.const import (
    CONF_BACKEND,
    CONF_BLACKLIST_COLLECTION,
    CONF_WHITELIST_COLLECTION,
    DOMAIN,
    Backend,
)
from custom_components.intruder_alert.panel import BUNDLE, PANEL_URL_PATH
from homeassistant.components import frontend
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from .conftest import BLACKLIST, WHITELIST, AwsStubs

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
# What build.mjs hashes besides src/ (node_modules is pinned by the lock file).
INPUTS = ("build.mjs", "package.json", "package-lock.json", "tsconfig.json")


def source_hash() -> str:
    names = sorted(
        [
            *INPUTS,
            *(
                p.relative_to(FRONTEND).as_posix()
                for p in (FRONTEND / "src").rglob("*")
                if p.is_file()
            ),
        ]
    )
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode() + b"\0")
        digest.update((FRONTEND / name).read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def test_bundle_is_built_from_the_current_sources() -> None:
    """A change under frontend/ without `npm run build` (scripts/setup runs it) fails here."""
    first_line = BUNDLE.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"/\* intruder-alert-panel sources sha256:([0-9a-f]{64}) \*/", first_line)
    assert match, first_line
    assert match.group(1) == source_hash(), (
        "custom_components/intruder_alert/frontend/intruder-alert-panel.js is out of date with "
        "frontend/: run scripts/setup (or `npm run build` in frontend/) and commit the bundle"
    )


def test_bundle_defines_the_panel_element() -> None:
    """The element the panel registration names is the one the bundle defines."""
    bundle = BUNDLE.read_text(encoding="utf-8")
    for element in (
        "intruder-alert-panel",
        "intruder-alert-visitors",
        "intruder-alert-review",
        "intruder-alert-people",
        "intruder-alert-zones",
    ):
        assert f'customElements.define("{element}"' in bundle


@pytest.fixture
async def with_frontend(hass: HomeAssistant) -> None:
    """Home Assistant's frontend, as every real installation has it."""
    assert await async_setup_component(hass, "frontend", {})


async def _panels(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, token: str | None = None
) -> dict[str, dict[str, object]]:
    client = await hass_ws_client(hass, access_token=token) if token else await hass_ws_client(hass)
    await client.send_json_auto_id({"type": "get_panels"})
    answer = await client.receive_json()
    assert answer["success"], answer
    return dict(answer["result"])


async def test_panel_for_administrators_only(
    hass: HomeAssistant,
    with_frontend: None,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_client: ClientSessionGenerator,
    user_token: str,
) -> None:
    """Admins get "Intruder Alert" in the sidebar and its module; other users do not see it."""
    panels = await _panels(hass, hass_ws_client)
    panel = panels[PANEL_URL_PATH]
    assert panel["title"] == "Intruder Alert"
    assert panel["require_admin"] is True
    custom = panel["config"]["_panel_custom"]  # type: ignore[index]
    assert custom["name"] == "intruder-alert-panel"
    assert custom["module_url"].startswith(f"/{DOMAIN}_panel/intruder-alert-panel.js?v=")

    # The module is served as built (the browser loads it from this address).
    client = await hass_client()
    response = await client.get(custom["module_url"])
    assert response.status == 200
    assert await response.read() == BUNDLE.read_bytes()

    assert PANEL_URL_PATH not in await _panels(hass, hass_ws_client, user_token)


async def test_panel_leaves_with_the_last_account(
    hass: HomeAssistant, with_frontend: None, loaded_entry: MockConfigEntry, aws: AwsStubs
) -> None:
    """Two accounts share one panel; it goes when the last one is unloaded, and comes back."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title="On this device",
        data={
            CONF_BACKEND: Backend.LOCAL,
            CONF_WHITELIST_COLLECTION: WHITELIST,
            CONF_BLACKLIST_COLLECTION: BLACKLIST,
        },
        unique_id=Backend.LOCAL,
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    assert second.state is ConfigEntryState.LOADED

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert PANEL_URL_PATH in hass.data[frontend.DATA_PANELS]
    assert await hass.config_entries.async_unload(second.entry_id)
    assert PANEL_URL_PATH not in hass.data[frontend.DATA_PANELS]

    aws.setup_ok()
    assert await hass.config_entries.async_setup(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert PANEL_URL_PATH in hass.data[frontend.DATA_PANELS]


async def test_no_panel_without_a_frontend(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A Home Assistant without its frontend (no one could open a panel) still runs the alarm."""
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert (
        frontend.DATA_PANELS not in hass.data
        or PANEL_URL_PATH not in hass.data[frontend.DATA_PANELS]
    )
