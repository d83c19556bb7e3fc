"""Diagnostics: what a bug report needs, without credentials or the account id."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_ACCESS_KEY_ID, CONF_ACCOUNT_ID, CONF_SECRET_ACCESS_KEY
from .coordinator import IntruderAlertConfigEntry
from .engine.rekognition import Rekognition

TO_REDACT = {CONF_ACCESS_KEY_ID, CONF_SECRET_ACCESS_KEY, CONF_ACCOUNT_ID, "unique_id"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: IntruderAlertConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for an account entry."""
    coordinator = entry.runtime_data
    backend = coordinator.backend
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "aws": (
            {
                "region": backend.settings.region,
                "custom_endpoint": backend.settings.endpoint_url is not None,
                "connect_timeout": backend.settings.connect_timeout,
                "read_timeout": backend.settings.read_timeout,
                "max_attempts": backend.settings.max_attempts,
            }
            if isinstance(backend, Rekognition)
            else None
        ),
        "collections": (
            {str(tier): asdict(info) for tier, info in coordinator.data.collections.items()}
            if coordinator.data is not None
            else None
        ),
        "account_check": {
            "passed": coordinator.last_update_success,
            "error": None
            if coordinator.last_exception is None
            else str(coordinator.last_exception),
        },
        "zones": {
            zone.name: {
                "motion_source": zone.motion_source.value,
                "camera_source": zone.camera_source.value,
                "motion_available": zone.motion_available,
                "camera_available": zone.camera_available,
                "recognize_on_motion": zone.recognize_on_motion,
                "stats": asdict(zone.stats),
                "last_verdict": zone.last_outcome.verdict.value if zone.last_outcome else None,
            }
            for zone in coordinator.zones.values()
        },
        "api_calls": {
            "today": coordinator.backend.usage.today(),
            "total": coordinator.backend.usage.total(),
        },
    }
