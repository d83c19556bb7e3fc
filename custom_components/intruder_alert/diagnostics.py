"""Diagnostics: what a bug report needs, without credentials or the account id.

A zone's recent runs come from the run history on disk (``index.jsonl``), so they survive a
reload and a restart; they carry no names (who was recognised is nobody else's business).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_ACCESS_KEY_ID, CONF_ACCOUNT_ID, CONF_SECRET_ACCESS_KEY
from .coordinator import IntruderAlertConfigEntry
from .engine.rekognition import Rekognition
from .history import RunFilter, RunHistory, async_history
from .zone import Zone

TO_REDACT = {CONF_ACCESS_KEY_ID, CONF_SECRET_ACCESS_KEY, CONF_ACCOUNT_ID, "unique_id"}
# A zone's newest runs shown.
RECENT_RUNS = 10


def _recent_runs(history: RunHistory, zone: Zone, device_id: str | None) -> list[dict[str, Any]]:
    """The zone's newest finished runs, without names; blocking."""
    run_filter = RunFilter(device_id=device_id) if device_id else RunFilter(zone=zone.name)
    return [
        {
            "run_id": run.get("run_id"),
            "time": run.get("time"),
            "type": run.get("type"),
            "verdict": run.get("verdict"),
            "backend": run.get("backend"),
            "reason": run.get("reason"),
            "faces": len(run.get("faces") or []),
        }
        for run in history.page(run_filter, RECENT_RUNS)
    ]


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: IntruderAlertConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for an account entry."""
    coordinator = entry.runtime_data
    backend = coordinator.backend
    history = async_history(hass, coordinator)
    recent = {
        zone.subentry_id: await hass.async_add_executor_job(
            _recent_runs, history, zone, zone.device_id
        )
        for zone in coordinator.zones.values()
    }
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
                # Since the last reload from memory, else the newest run on disk.
                "last_verdict": zone.last_outcome.verdict.value
                if zone.last_outcome
                else next((run["verdict"] for run in recent[zone.subentry_id]), None),
                "recent_runs": recent[zone.subentry_id],
            }
            for zone in coordinator.zones.values()
        },
        "api_calls": {
            "today": coordinator.backend.usage.today(),
            "total": coordinator.backend.usage.total(),
        },
    }
