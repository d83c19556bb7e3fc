"""The ``intruder_alert.export_evidence`` action: kept runs, their images and manifests, zipped.

The zip holds, per run, its stored images (the snapshot and the annotated copy) in a folder
named after the run id, ``manifest.json`` (every run's manifest as it was recorded, see
evidence.py, plus whether its images still matched it at export) and ``summary.txt`` (a few
lines per run, for people). It is written into a folder the caller names, which must pass
``hass.config.is_allowed_path`` and may not be the public ``www`` folder: it holds faces. The
file is created private (0600) under a temporary name, then renamed; nothing is overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import errno
import hashlib
import json
import os
from pathlib import Path
import sys
from typing import Any, Final
import zipfile

import voluptuous as vol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID, ATTR_DEVICE_ID
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.service import async_register_admin_service
from homeassistant.util import dt as dt_util

from . import evidence
from .const import DOMAIN, LOGGER
from .coordinator import IntruderAlertConfigEntry, IntruderAlertCoordinator
from .errors import validation_error
from .history import RunFilter, async_history
from .services import coordinator_for, zone_for_device
from .snapshots import SnapshotStore

SERVICE_EXPORT_EVIDENCE: Final = "export_evidence"
ATTR_RUN_IDS: Final = "run_ids"
ATTR_AFTER: Final = "after"
ATTR_BEFORE: Final = "before"
ATTR_DIRECTORY: Final = "directory"
EXPORT_FORMAT: Final = 1
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}

EXPORT_SCHEMA = vol.Schema(
    {
        vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string,
        # A zone's device: only its runs (and its account).
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_RUN_IDS): vol.All(cv.ensure_list, [cv.string]),
        vol.Optional(ATTR_AFTER): cv.datetime,
        vol.Optional(ATTR_BEFORE): cv.datetime,
        vol.Required(ATTR_DIRECTORY): cv.string,
    }
)


@dataclass
class _Run:
    """One run to export: its images' bytes, its manifest, and whether they still match."""

    manifest: dict[str, Any]
    images: dict[str, bytes] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return str(self.manifest["run_id"])


def _collect(store: SnapshotStore, stem: str, record: dict[str, Any]) -> _Run:
    """Read a run's images and manifest (made now for runs recorded before manifests); blocking."""
    manifest = evidence.read_manifest(store.folder, stem)
    if manifest is None:
        try:
            manifest = evidence.write_manifest(store.folder, stem, record, store.images_of(stem))
        except OSError as err:
            LOGGER.warning("The manifest of %s could not be written: %s", stem, err)
            manifest = evidence.build_manifest(store.folder, record, store.images_of(stem))
    recorded = {image["file"]: image["sha256"] for image in manifest.get("images") or []}
    run = _Run(manifest)
    for _, name in store.images_of(stem):
        try:
            data = (store.folder / name).read_bytes()
        except FileNotFoundError:
            continue
        run.images[name] = data
        if recorded.get(name) != hashlib.sha256(data).hexdigest():
            run.changed.append(name)
    return run


def _check_directory(hass: HomeAssistant, directory: str) -> Path:
    """The folder to write into, resolved once; blocking. Raises a translated error."""
    folder = Path(directory).resolve()
    if not hass.config.is_allowed_path(str(folder)):
        raise validation_error("export_directory_not_allowed", directory=directory)
    public = Path(hass.config.path("www")).resolve()
    if folder == public or folder.is_relative_to(public):
        raise validation_error("export_directory_public", directory=directory)
    if not folder.is_dir():
        raise validation_error("export_directory_missing", directory=directory)
    return folder


def _when(value: str | None) -> str:
    parsed = dt_util.parse_datetime(value or "")
    if parsed is None:
        return value or "unknown time"
    return dt_util.as_local(parsed).strftime("%Y-%m-%d %H:%M:%S %Z")


def _summary(runs: list[_Run], exported: datetime) -> str:
    """A few lines per run, for people; manifest.json has the rest."""
    lines = [
        "Intruder Alert: evidence export",
        f"Exported {_when(exported.isoformat())}; {len(runs)} run(s). Each run's images are in",
        "the folder named after its run id; manifest.json has their SHA-256 as recorded.",
        "",
    ]
    for run in runs:
        manifest = run.manifest
        zone = manifest.get("zone") or "an action (no zone)"
        armed = " (armed)" if manifest.get("armed") else ""
        kept = {
            evidence.BLACKLISTED: "a blacklisted face",
            evidence.FAILED: "recognition failed",
            evidence.UNKNOWN_WHILE_ARMED: "an unknown face while armed",
        }.get(manifest.get("evidence_reason") or "")
        lines += [
            f"Run {run.run_id}",
            f"  When:    {_when(manifest.get('time'))}",
            f"  Where:   {zone}{armed}",
            f"  Verdict: {manifest.get('verdict')} (by {manifest.get('backend')})",
            f"  Who:     {manifest.get('summary') or 'not recorded'}",
        ]
        lines.extend(
            f"  Face {face.get('index')}: {_face_line(face)}"
            for face in manifest.get("faces") or []
        )
        if manifest.get("reason"):
            lines.append(f"  Reason:  {manifest['reason']}")
        if kept:
            lines.append(f"  Kept as evidence: {kept}")
        images = ", ".join(f"{run.run_id}/{name}" for name in run.images) or "none kept"
        lines.append(f"  Images:  {images}")
        if run.changed:
            lines.append(
                "  WARNING: changed since the run was recorded (hash differs from the manifest): "
                + ", ".join(run.changed)
            )
        else:
            lines.append("  Hashes:  every image matches its manifest")
        lines.append("")
    return "\n".join(lines)


def _face_line(face: dict[str, Any]) -> str:
    verdict = face.get("verdict")
    if face.get("name"):
        similarity = face.get("similarity")
        score = f" {similarity:.1f} %" if isinstance(similarity, (int, float)) else ""
        return f"{verdict}: {face['name']} ({face.get('tier')}){score}"
    if closest := face.get("closest"):
        return f"{verdict} (closest: {closest.get('name')} {closest.get('similarity')} %)"
    return str(verdict)


def _write_zip(folder: Path, runs: list[_Run], exported: datetime) -> tuple[Path, int]:
    """Write the zip into ``folder`` (already checked); blocking. Returns its path and size."""
    manifest = {
        "format": EXPORT_FORMAT,
        "exported": exported.isoformat(),
        "runs": [
            run.manifest | {"folder": f"{run.run_id}/", "unchanged": not run.changed}
            for run in runs
        ],
    }
    stamp = dt_util.as_utc(exported).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"intruder_alert_evidence_{stamp}.zip"
    counter = 1
    while target.exists() or target.is_symlink():
        counter += 1
        target = folder / f"intruder_alert_evidence_{stamp}_{counter}.zip"
    temporary = target.with_name(f".{target.name}.part")
    # Private, new, and never through a symlink put there.
    descriptor = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
    )
    try:
        with (
            os.fdopen(descriptor, "wb") as stream,
            zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive,
        ):
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, default=str))
            archive.writestr("summary.txt", _summary(runs, exported))
            for run in runs:
                for name, data in run.images.items():
                    # JPEGs do not compress: stored as they are.
                    archive.writestr(f"{run.run_id}/{name}", data, zipfile.ZIP_STORED)
        size = temporary.stat().st_size
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target, size


def _loaded(hass: HomeAssistant) -> list[IntruderAlertCoordinator]:
    entries: list[IntruderAlertConfigEntry] = hass.config_entries.async_entries(DOMAIN)
    return [entry.runtime_data for entry in entries if entry.state is ConfigEntryState.LOADED]


def _accounts(call: ServiceCall) -> tuple[list[IntruderAlertCoordinator], str | None]:
    """The accounts to search, and the zone device to keep runs of (if one was named)."""
    hass = call.hass
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if (device_id := call.data.get(ATTR_DEVICE_ID)) is not None:
        coordinator = zone_for_device(hass, device_id).coordinator
        if entry_id is not None and entry_id != coordinator.config_entry.entry_id:
            raise validation_error("device_in_other_account", title=coordinator.config_entry.title)
        return [coordinator], device_id
    if entry_id is not None:
        return [coordinator_for(hass, entry_id)], None
    return _loaded(hass), None


def _timestamp(value: datetime | None) -> float | None:
    return dt_util.as_utc(value).timestamp() if value is not None else None


async def async_export(call: ServiceCall) -> ServiceResponse:
    """Export the runs a call selects; its response names the zip."""
    hass = call.hass
    run_ids: list[str] = call.data.get(ATTR_RUN_IDS) or []
    ranged = ATTR_AFTER in call.data or ATTR_BEFORE in call.data
    if bool(run_ids) == ranged:
        raise validation_error("export_selection")
    coordinators, device_id = _accounts(call)
    directory: str = call.data[ATTR_DIRECTORY]
    folder = await hass.async_add_executor_job(_check_directory, hass, directory)
    run_filter = RunFilter(
        device_id=device_id,
        after=_timestamp(call.data.get(ATTR_AFTER)),
        before=_timestamp(call.data.get(ATTR_BEFORE)),
    )

    histories = [(coordinator, async_history(hass, coordinator)) for coordinator in coordinators]

    def collect() -> list[_Run]:
        runs: list[_Run] = []
        if run_ids:
            for run_id in dict.fromkeys(run_ids):
                for coordinator in coordinators:
                    found = coordinator.snapshots.find_run(run_id)
                    if (
                        found is not None
                        and found[1].get("status") == "done"
                        and (device_id is None or found[1].get("device_id") == device_id)
                    ):
                        snapshot, record = found
                        runs.append(_collect(coordinator.snapshots, snapshot.path.stem, record))
                        break
                else:
                    raise validation_error("run_not_found", run_id=run_id)
            return runs
        for coordinator, history in histories:
            for line in history.page(run_filter, sys.maxsize):
                record_path = coordinator.snapshots.folder / f"{line['stem']}.json"
                try:
                    record = json.loads(record_path.read_text())
                except OSError, ValueError:
                    continue  # pruned meanwhile
                runs.append(_collect(coordinator.snapshots, str(line["stem"]), record))
        runs.sort(key=lambda run: str(run.manifest.get("time")))
        return runs

    runs = await hass.async_add_executor_job(collect)
    if not runs:
        raise validation_error("export_no_runs")
    exported = dt_util.now()
    try:
        path, size = await hass.async_add_executor_job(_write_zip, folder, runs, exported)
    except OSError as err:
        if err.errno in _DISK_FULL:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="export_disk_full",
                translation_placeholders={"directory": directory},
            ) from err
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="export_failed",
            translation_placeholders={"directory": directory, "error": err.strerror or str(err)},
        ) from err
    changed = [run.run_id for run in runs if run.changed]
    if changed:
        LOGGER.warning("Exported runs whose images changed since they were recorded: %s", changed)
    return {
        "path": str(path),
        "runs": [run.run_id for run in runs],
        "images": sum(len(run.images) for run in runs),
        "bytes": size,
        "changed": [run.run_id for run in runs if run.changed],
    }


def async_setup_evidence_services(hass: HomeAssistant) -> None:
    """Register ``intruder_alert.export_evidence`` (administrators and automations only)."""
    async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_EXPORT_EVIDENCE,
        async_export,
        EXPORT_SCHEMA,
        SupportsResponse.OPTIONAL,
    )
