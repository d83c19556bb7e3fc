"""The "Intruder Alert" sidebar panel: Visitors, Review, People and Zones, for administrators.

The panel is a web component built from ``frontend/`` (Lit) into ``frontend/`` inside this
package, so HACS installs it as is. It is registered while at least one account is loaded and
talks only to the admin-only websocket commands in ``websocket_api.py``; the module itself holds
no data, so serving it like Home Assistant's own frontend code is safe.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, LOGGER

PANEL_URL_PATH = "intruder-alert"
PANEL_TITLE = "Intruder Alert"
PANEL_ICON = "mdi:shield-account"
WEBCOMPONENT = "intruder-alert-panel"
BUNDLE = Path(__file__).parent / "frontend" / f"{WEBCOMPONENT}.js"
STATIC_URL = f"/{DOMAIN}_panel"
# Set once the bundle's folder is served: static routes cannot be removed again.
_STATIC_REGISTERED: HassKey[bool] = HassKey(f"{DOMAIN}_panel_static")


def _bundle_version() -> str:
    """The source hash the bundle's first line names: a new build is a new URL (no stale cache)."""
    with BUNDLE.open("rb") as file:
        first = file.readline().decode("ascii", "replace")
    return first.rsplit("sha256:", 1)[-1].split()[0][:16] if "sha256:" in first else "dev"


async def async_register_panel(hass: HomeAssistant) -> None:
    """Add the panel to the sidebar of administrators (once, however many accounts)."""
    if "frontend" not in hass.config.components:
        # Only a Home Assistant without its frontend (some tests); nobody could open it anyway.
        LOGGER.debug("No frontend loaded: the Intruder Alert panel is not registered")
        return
    if PANEL_URL_PATH in hass.data.get(frontend.DATA_PANELS, {}):
        return
    if not hass.data.get(_STATIC_REGISTERED):
        await hass.http.async_register_static_paths(
            [StaticPathConfig(STATIC_URL, str(BUNDLE.parent), cache_headers=False)]
        )
        hass.data[_STATIC_REGISTERED] = True
    version = await hass.async_add_executor_job(_bundle_version)
    await panel_custom.async_register_panel(
        hass,
        frontend_url_path=PANEL_URL_PATH,
        webcomponent_name=WEBCOMPONENT,
        sidebar_title=PANEL_TITLE,
        sidebar_icon=PANEL_ICON,
        module_url=f"{STATIC_URL}/{BUNDLE.name}?v={version}",
        require_admin=True,
        config={},
    )


@callback
def async_unregister_panel_if_unused(hass: HomeAssistant, unloading_entry_id: str) -> None:
    """Take the panel out of the sidebar when the last account goes."""
    others = [
        entry
        for entry in hass.config_entries.async_entries(DOMAIN)
        if entry.entry_id != unloading_entry_id and entry.state is ConfigEntryState.LOADED
    ]
    if not others and PANEL_URL_PATH in hass.data.get(frontend.DATA_PANELS, {}):
        frontend.async_remove_panel(hass, PANEL_URL_PATH)
