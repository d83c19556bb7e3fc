"""Snapshots on disk: written atomically under the media folder, pruned by retention."""

from __future__ import annotations

from datetime import timedelta
import os
from pathlib import Path
import time
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.intruder_alert.const import CONF_SNAPSHOT_RETENTION_DAYS
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util


async def test_old_snapshots_are_pruned(
    hass: HomeAssistant,
    server_entry: MockConfigEntry,
    media_dir: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Snapshots older than the retention option are deleted; newer ones stay."""
    hass.config_entries.async_update_entry(server_entry, options={CONF_SNAPSHOT_RETENTION_DAYS: 7})
    await hass.async_block_till_done()
    store = server_entry.runtime_data.snapshots
    old = store.save(b"old", "Porch", dt_util.utcnow())
    new = store.save(b"new", "Porch", dt_util.utcnow() + timedelta(seconds=1))
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old.path, (eight_days_ago, eight_days_ago))
    assert old.path.parent == Path(hass.config.path("intruder_alert", "snapshots")) / (
        server_entry.entry_id
    )
    assert not old.path.is_relative_to(media_dir)
    assert old.path.name.endswith("_porch.jpg")

    freezer.tick(timedelta(hours=6, seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert not old.path.exists()
    assert new.path.read_bytes() == b"new"


async def test_one_undeletable_snapshot_does_not_stop_pruning(
    hass: HomeAssistant, server_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """A file that cannot be deleted is logged; the other old snapshots still go."""
    store = server_entry.runtime_data.snapshots
    old = [store.save(b"old", f"Zone {n}", dt_util.utcnow()) for n in range(3)]
    long_ago = time.time() - 60 * 86400
    for snapshot in old:
        os.utime(snapshot.path, (long_ago, long_ago))
    stuck = old[0].path
    real_unlink = Path.unlink

    def unlink(path: Path, missing_ok: bool = False) -> None:
        if path == stuck:
            raise PermissionError(13, "Permission denied")
        real_unlink(path, missing_ok=missing_ok)

    with patch.object(Path, "unlink", unlink):
        removed = await hass.async_add_executor_job(store.prune, timedelta(days=30))
    assert removed == 2
    assert stuck.exists()
    assert not old[1].path.exists()
    assert not old[2].path.exists()
    assert "Permission denied" in caplog.text
