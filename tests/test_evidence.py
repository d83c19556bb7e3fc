"""Evidence: kept past the retention until released, manifests, and the export zip.

A real Home Assistant, the local Rekognition protocol server and a zone on a camera entity with
an alarm panel: runs with real faces (blacklisted, unknown while armed and while disarmed,
known, failed), the real scheduled prune with the files' modification times moved back, the
panel's websocket commands and the ``intruder_alert.export_evidence`` action.
"""

from __future__ import annotations

from datetime import timedelta
import errno
import hashlib
import json
import os
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch
import zipfile

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.intruder_alert import PRUNE_INTERVAL, evidence, evidence_export
from custom_components.intruder_alert.const import DOMAIN
from custom_components.intruder_alert.pipeline import Outcome
from custom_components.intruder_alert.snapshots import SnapshotStore
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError, Unauthorized
from homeassistant.util import dt as dt_util

from .conftest import BLACKLIST, WHITELIST, SceneCamera, enroll_directly, zone_data
from .rekognition_server import Fault, RekognitionServer
from .scenes import portrait
from .test_websocket_api import Panel

EN = json.loads(
    (Path(evidence.__file__).parent / "translations" / "en.json").read_text(encoding="utf-8")
)
PANEL = "alarm_control_panel.home"
FRONT_DOOR = zone_data(title="Front door", alarm_panel=PANEL)


@pytest.fixture
def zones() -> list[dict[str, Any]]:
    """One zone, "Front door", armed and disarmed by an alarm panel."""
    return [dict(FRONT_DOOR)]


@pytest.fixture
async def panel(hass: HomeAssistant, hass_ws_client: WebSocketGenerator) -> Panel:
    """An administrator's websocket connection."""
    return Panel(await hass_ws_client(hass))


class Runs:
    """The runs of the Front door zone, each with a real face (or a failure)."""

    def __init__(
        self, hass: HomeAssistant, entry: MockConfigEntry, camera: SceneCamera, server: Any
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.camera = camera
        self.server = server
        self.zone = next(iter(entry.runtime_data.zones.values()))

    @property
    def store(self) -> SnapshotStore:
        return self.entry.runtime_data.snapshots

    async def run(self, who: str, panel: str = "armed_away") -> Outcome:
        """A run of the zone with ``who`` at the door and the alarm panel in ``panel``."""
        self.hass.states.async_set(PANEL, panel)
        self.camera.frame = portrait(who)
        outcome = await self.zone.async_run_once(fire_event=False)
        await self.hass.async_block_till_done()
        return outcome

    async def failed(self) -> Outcome:
        """A run whose recognition AWS refuses: failed, with its snapshot."""
        self.server.service.faults.append(Fault("SearchUsersByImage", "denied", count=100))
        try:
            return await self.run("bob")
        finally:
            self.server.service.faults.clear()

    def files(self, outcome: Outcome) -> list[Path]:
        """Every file of a run in the snapshot folder."""
        assert outcome.snapshot is not None
        stem = outcome.snapshot.path.stem
        return sorted(path for path in self.store.folder.iterdir() if path.name.startswith(stem))

    def age_everything(self, days: int = 40) -> None:
        """Move every file's modification time ``days`` back (the index and states too)."""
        long_ago = time.time() - days * 86400
        for path in self.store.folder.iterdir():
            os.utime(path, (long_ago, long_ago))


@pytest.fixture
async def runs(
    hass: HomeAssistant,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    rekognition_server: RekognitionServer,
) -> Runs:
    """Alice is in the whitelist, Mallory in the blacklist."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    enroll_directly(rekognition_server, BLACKLIST, "mallory", "Mallory")
    return Runs(hass, zone_entry, scene_camera, rekognition_server)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _prune(hass: HomeAssistant) -> None:
    """Let the scheduled prune run (every six hours), as it does in a running installation."""
    async_fire_time_changed(hass, dt_util.utcnow() + PRUNE_INTERVAL + timedelta(seconds=1))
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.async_block_till_done()


async def test_evidence_outlives_the_retention_until_released(
    hass: HomeAssistant, runs: Runs, panel: Panel
) -> None:
    """Blacklisted, failed and unknown-while-armed runs stay; release one and it goes."""
    blacklisted = await runs.run("mallory")
    unknown_armed = await runs.run("bob")
    unknown_disarmed = await runs.run("bob", panel="disarmed")
    known = await runs.run("alice")
    failed = await runs.failed()
    assert [o.verdict.value for o in (blacklisted, unknown_armed, known, failed)] == [
        "blacklisted",
        "unknown",
        "known",
        "failed",
    ]
    evidence_runs = {blacklisted.run_id, unknown_armed.run_id, failed.run_id}

    listed = (await panel.result("runs"))["runs"]
    assert {run["run_id"]: run["evidence"] for run in listed} == {
        blacklisted.run_id: True,
        unknown_armed.run_id: True,
        unknown_disarmed.run_id: False,
        known.run_id: False,
        failed.run_id: True,
    }
    assert {run["run_id"]: run["armed"] for run in listed}[unknown_disarmed.run_id] is False
    one = await panel.result("run", run_id=unknown_armed.run_id)
    assert one["evidence"] is True
    assert one["armed"] is True
    assert (await panel.result("run", run_id=known.run_id))["evidence"] is False

    # Forty days later (the retention is thirty), the scheduled prune runs.
    kept_files = {o.run_id: runs.files(o) for o in (blacklisted, unknown_armed, failed)}
    gone_files = runs.files(unknown_disarmed) + runs.files(known)
    assert all(len(files) >= 3 for files in kept_files.values())  # jpg, json, manifest
    runs.age_everything()
    await _prune(hass)
    for files in kept_files.values():
        assert all(path.exists() for path in files)
    assert not any(path.exists() for path in gone_files)
    listed = (await panel.result("runs"))["runs"]
    assert {run["run_id"] for run in listed} == evidence_runs

    # An administrator releases one in the panel: the next prune deletes it.
    answer = await panel.result("release_evidence", run_id=unknown_armed.run_id)
    assert answer["run_id"] == unknown_armed.run_id
    assert answer["evidence"] is False
    assert dt_util.parse_datetime(answer["released"]) is not None
    listed = (await panel.result("runs"))["runs"]
    assert {run["run_id"]: run["evidence"] for run in listed}[unknown_armed.run_id] is False
    assert (await panel.result("run", run_id=unknown_armed.run_id))["evidence"] is False
    await _prune(hass)
    assert not any(path.exists() for path in kept_files[unknown_armed.run_id])
    for run_id in (blacklisted.run_id, failed.run_id):
        assert all(path.exists() for path in kept_files[run_id])
    listed = (await panel.result("runs"))["runs"]
    assert {run["run_id"] for run in listed} == {blacklisted.run_id, failed.run_id}
    # The release is forgotten with the run; the state file itself is never pruned by age.
    assert evidence.released(runs.store.folder) == {}
    assert (runs.store.folder / evidence.EVIDENCE_STATE).is_file()

    # Releasing a run no longer kept, or of another account, says so.
    error = await panel.error("release_evidence", run_id=unknown_armed.run_id)
    assert error["translation_key"] == "run_not_found"
    error = await panel.error(
        "release_evidence", run_id=blacklisted.run_id, entry_id=runs.entry.entry_id + "x"
    )
    assert error["translation_key"] == "entry_not_found"


async def test_an_ordinary_user_cannot_release_evidence(
    hass: HomeAssistant,
    runs: Runs,
    hass_ws_client: WebSocketGenerator,
    user_token: str,
) -> None:
    """Releasing evidence deletes faces: administrators only."""
    blacklisted = await runs.run("mallory")
    household = Panel(await hass_ws_client(hass, access_token=user_token))
    error = await household.error("release_evidence", run_id=blacklisted.run_id)
    assert error["code"] == "unauthorized"
    assert evidence.released(runs.store.folder) == {}


async def test_the_manifest_hashes_every_stored_image(
    hass: HomeAssistant, runs: Runs, panel: Panel
) -> None:
    """Written when the run is recorded; written again when the annotated copy is."""
    outcome = await runs.run("mallory")
    assert outcome.snapshot is not None
    assert outcome.annotated is not None
    stem = outcome.snapshot.path.stem
    manifest = json.loads((runs.store.folder / f"{stem}.manifest").read_text())
    assert manifest == evidence.read_manifest(runs.store.folder, stem)
    assert manifest["run_id"] == outcome.run_id
    assert manifest["zone"] == "Front door"
    assert manifest["armed"] is True
    assert manifest["verdict"] == "blacklisted"
    assert manifest["type"] == "blacklisted_person"
    assert manifest["backend"] == "rekognition"
    assert manifest["evidence_reason"] == "blacklisted"
    assert manifest["time"] == outcome.time.isoformat()
    [face] = manifest["faces"]
    assert face["verdict"] == "blacklisted"
    assert face["name"] == "Mallory"
    assert face["tier"] == "blacklist"
    assert face["similarity"] >= 95
    assert [(image["role"], image["file"]) for image in manifest["images"]] == [
        ("snapshot", outcome.snapshot.path.name),
        ("annotated", outcome.annotated.path.name),
    ]
    for image in manifest["images"]:
        data = (runs.store.folder / image["file"]).read_bytes()
        assert image["sha256"] == _sha256(data)
        assert image["bytes"] == len(data)
    # No path, no account: the manifest names files and the zone only.
    text = json.dumps(manifest)
    assert str(runs.store.folder) not in text
    assert "snapshot_path" not in text

    # The annotated copy written again after the run was recorded: the manifest follows.
    await hass.async_add_executor_job(runs.store.write, outcome.annotated, b"\xff\xd8 again")
    manifest = evidence.read_manifest(runs.store.folder, stem)
    assert manifest is not None
    assert manifest["images"][1]["sha256"] == _sha256(b"\xff\xd8 again")


async def test_an_annotated_copy_before_the_record_waits_for_it(
    hass: HomeAssistant, runs: Runs
) -> None:
    """A copy written while the run is still in progress leaves the manifest to the record."""
    store = runs.store
    snapshot = await hass.async_add_executor_job(
        store.save_in_progress, portrait("bob"), "Front door", None, dt_util.utcnow(), "run-1"
    )
    await hass.async_add_executor_job(store.write, store.annotated(snapshot), b"\xff\xd8 boxes")
    assert evidence.read_manifest(store.folder, snapshot.path.stem) is None
    await hass.async_add_executor_job(
        store.write_record, snapshot, {"run_id": "run-1", "verdict": "unknown", "zone": "Hall"}
    )
    manifest = evidence.read_manifest(store.folder, snapshot.path.stem)
    assert manifest is not None
    assert [image["role"] for image in manifest["images"]] == ["snapshot", "annotated"]
    # A record of an older version says nothing of arming: a zone's run counted as armed.
    assert manifest["armed"] is True
    assert manifest["evidence_reason"] == "unknown_while_armed"


async def _export(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "export_evidence", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


def _open(response: dict[str, Any]) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    archive = zipfile.ZipFile(response["path"])
    return archive, json.loads(archive.read("manifest.json"))


async def test_the_export_zip_rehashes_against_its_manifest(
    hass: HomeAssistant, runs: Runs, media_dir: Path
) -> None:
    """Images, manifest.json and summary.txt; every image's SHA-256 matches the manifest."""
    blacklisted = await runs.run("mallory")
    unknown = await runs.run("bob")
    known = await runs.run("alice")
    failed = await runs.failed()
    folder = media_dir / "evidence"
    folder.mkdir()

    response = await _export(
        hass, run_ids=[blacklisted.run_id, failed.run_id], directory=str(folder)
    )
    path = Path(response["path"])
    assert path.parent == folder
    assert path.name.startswith("intruder_alert_evidence_")
    assert path.suffix == ".zip"
    assert path.stat().st_mode & 0o777 == 0o600
    assert response["runs"] == [blacklisted.run_id, failed.run_id]
    assert response["images"] == 3  # a failed run has no annotated copy
    assert response["bytes"] == path.stat().st_size
    assert response["changed"] == []
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary left

    archive, manifest = _open(response)
    assert manifest["format"] == 1
    assert [run["run_id"] for run in manifest["runs"]] == response["runs"]
    hashed = 0
    for run in manifest["runs"]:
        assert run["unchanged"] is True
        for image in run["images"]:
            data = archive.read(f"{run['folder']}{image['file']}")
            assert _sha256(data) == image["sha256"]
            hashed += 1
    assert hashed == 3
    assert sorted(archive.namelist()) == sorted(
        ["manifest.json", "summary.txt"]
        + [f"{run['folder']}{image['file']}" for run in manifest["runs"] for image in run["images"]]
    )
    summary = archive.read("summary.txt").decode()
    assert f"Run {blacklisted.run_id}" in summary
    assert "Where:   Front door (armed)" in summary
    assert "Face 0: blacklisted: Mallory (blacklist)" in summary
    assert "Kept as evidence: a blacklisted face" in summary
    assert "Kept as evidence: recognition failed" in summary
    assert "Reason:" in summary
    assert "every image matches its manifest" in summary

    # A time range: every kept run in it (evidence or not), oldest first.
    response = await _export(
        hass, after=unknown.time.isoformat(), before=known.time.isoformat(), directory=str(folder)
    )
    assert response["runs"] == [unknown.run_id, known.run_id]
    archive, manifest = _open(response)
    assert "closest" in manifest["runs"][0]["faces"][0]
    assert "Face 0: known: Alice (whitelist)" in archive.read("summary.txt").decode()
    # A run pruned between listing and reading is left out.
    assert known.snapshot is not None
    known.snapshot.path.with_suffix(".json").unlink()
    pruned = await _export(
        hass, after=unknown.time.isoformat(), before=known.time.isoformat(), directory=str(folder)
    )
    assert pruned["runs"] == [unknown.run_id]
    # Two exports in the same second never overwrite each other.
    again = await _export(
        hass, after=unknown.time.isoformat(), before=known.time.isoformat(), directory=str(folder)
    )
    assert again["path"] != response["path"]

    # The zone's device selects its runs; a device of another account is refused.
    device_id = runs.zone.device_id
    response = await _export(
        hass, device_id=device_id, after=blacklisted.time.isoformat(), directory=str(folder)
    )
    assert response["runs"] == [blacklisted.run_id, unknown.run_id, failed.run_id]
    response = await _export(
        hass,
        device_id=device_id,
        config_entry_id=runs.entry.entry_id,
        run_ids=[unknown.run_id],
        directory=str(folder),
    )
    assert response["runs"] == [unknown.run_id]
    with pytest.raises(ServiceValidationError) as err:
        await _export(
            hass,
            device_id=device_id,
            config_entry_id="another",
            run_ids=[unknown.run_id],
            directory=str(folder),
        )
    assert err.value.translation_key == "device_in_other_account"


async def test_an_export_flags_an_image_changed_since_it_was_recorded(
    hass: HomeAssistant, runs: Runs, media_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The manifest keeps what was recorded; the export says which image no longer matches."""
    outcome = await runs.run("mallory")
    assert outcome.snapshot is not None
    outcome.snapshot.path.write_bytes(b"\xff\xd8 edited")
    response = await _export(
        hass,
        run_ids=[outcome.run_id],
        config_entry_id=runs.entry.entry_id,
        directory=str(media_dir),
    )
    assert response["changed"] == [outcome.run_id]
    archive, manifest = _open(response)
    [run] = manifest["runs"]
    assert run["unchanged"] is False
    recorded = run["images"][0]["sha256"]
    assert _sha256(archive.read(f"{run['folder']}{run['images'][0]['file']}")) != recorded
    summary = archive.read("summary.txt").decode()
    assert (
        f"WARNING: changed since the run was recorded (hash differs from the manifest): {outcome.snapshot.path.name}"
        in summary
    )
    assert "changed since they were recorded" in caplog.text


async def test_runs_recorded_before_manifests_get_one_at_export(
    hass: HomeAssistant, runs: Runs, media_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A run without a manifest (an older version) has it made, and written, when exported."""
    first = await runs.run("bob")
    second = await runs.run("alice")
    for outcome in (first, second):
        assert outcome.snapshot is not None
        evidence.manifest_path(runs.store.folder, outcome.snapshot.path.stem).unlink()
    response = await _export(hass, run_ids=[first.run_id], directory=str(media_dir))
    assert response["changed"] == []
    assert first.snapshot is not None
    assert evidence.read_manifest(runs.store.folder, first.snapshot.path.stem) is not None
    # A folder that cannot take it: the export still carries a manifest made on the spot.
    with patch.object(evidence, "write_manifest", side_effect=OSError("read-only")):
        response = await _export(hass, run_ids=[second.run_id], directory=str(media_dir))
    _, manifest = _open(response)
    assert manifest["runs"][0]["run_id"] == second.run_id
    assert "could not be written: read-only" in caplog.text


async def test_export_refusals(
    hass: HomeAssistant,
    runs: Runs,
    media_dir: Path,
    tmp_path: Path,
    hass_read_only_user: MockUser,
) -> None:
    """No selection, two selections, unknown runs, no runs, folders not allowed, not admin."""
    outcome = await runs.run("mallory")
    media = str(media_dir)

    async def refused(**data: Any) -> str:
        with pytest.raises(HomeAssistantError) as err:
            await _export(hass, **data)
        key = err.value.translation_key
        assert key is not None
        # Every refusal reads as a sentence, with its folder when it is about one.
        assert str(err.value) != key
        assert str(err.value).startswith(EN["exceptions"][key]["message"].split("{")[0].rstrip("."))
        return key

    assert await refused(directory=media) == "export_selection"
    assert (
        await refused(run_ids=[outcome.run_id], after="2020-01-01T00:00:00", directory=media)
        == "export_selection"
    )
    assert await refused(run_ids=["nope"], directory=media) == "run_not_found"
    assert await refused(after="2999-01-01T00:00:00", directory=media) == "export_no_runs"
    # Outside allowlist_external_dirs; the public www folder (served without a login, and
    # allowed by default); a folder that does not exist; a symlink out of an allowed folder.
    outside = tmp_path / "outside"
    outside.mkdir()
    assert (
        await refused(run_ids=[outcome.run_id], directory=str(outside))
        == "export_directory_not_allowed"
    )
    www = Path(hass.config.path("www"))
    (www / "sub").mkdir(parents=True)
    hass.config.allowlist_external_dirs.add(str(www))
    for public in (www, www / "sub"):
        assert (
            await refused(run_ids=[outcome.run_id], directory=str(public))
            == "export_directory_public"
        )
    assert (
        await refused(run_ids=[outcome.run_id], directory=str(media_dir / "missing"))
        == "export_directory_missing"
    )
    (media_dir / "link").symlink_to(outside)
    assert (
        await refused(run_ids=[outcome.run_id], directory=str(media_dir / "link"))
        == "export_directory_not_allowed"
    )
    assert list(outside.iterdir()) == []

    # Not an administrator: Home Assistant's own Unauthorized, before anything is read.
    with pytest.raises(Unauthorized):
        await hass.services.async_call(
            DOMAIN,
            "export_evidence",
            {"run_ids": [outcome.run_id], "directory": media},
            blocking=True,
            return_response=True,
            context=Context(user_id=hass_read_only_user.id),
        )
    assert not any(media_dir.glob("*.zip"))


@pytest.mark.parametrize(
    ("error", "key"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "export_disk_full"),
        (OSError(errno.EIO, "Input/output error"), "export_failed"),
    ],
)
async def test_a_full_disk_leaves_no_half_zip(
    hass: HomeAssistant, runs: Runs, media_dir: Path, error: OSError, key: str
) -> None:
    """The zip is written under a temporary name: a failure removes it and says why."""
    outcome = await runs.run("mallory")
    with (
        patch.object(zipfile.ZipFile, "writestr", side_effect=error),
        pytest.raises(HomeAssistantError) as err,
    ):
        await _export(hass, run_ids=[outcome.run_id], directory=str(media_dir))
    assert err.value.translation_key == key
    assert str(media_dir) in str(err.value)
    assert list(media_dir.iterdir()) == []


def test_evidence_rules_and_run_stems() -> None:
    """What is evidence, and which run a file of the snapshot folder belongs to."""
    cases = [
        ({"verdict": "blacklisted", "armed": False}, "blacklisted"),
        ({"verdict": "failed", "armed": False}, "failed"),
        ({"verdict": "unknown", "armed": True}, "unknown_while_armed"),
        ({"verdict": "unknown", "armed": False}, None),
        ({"verdict": "unknown", "armed": None, "zone": "Hall"}, None),
        ({"verdict": "unknown", "zone": "Hall"}, "unknown_while_armed"),
        ({"verdict": "unknown", "zone": None}, None),
        ({"verdict": "known", "armed": True}, None),
        ({"verdict": "no_face", "armed": True}, None),
    ]
    for run, reason in cases:
        assert evidence.evidence_reason(run) == reason, run
    stem = "20260501T120000123456Z_front_door"
    for name in (
        f"{stem}.jpg",
        f"{stem}.json",
        f"{stem}.part",
        f"{stem}.manifest",
        f"{stem}.manifest.part",
        f"{stem}_annotated.jpg",
        f"{stem}_thumb.jpg",
        f"{stem}_annotated_thumb.jpg",
    ):
        assert evidence.run_stem(name) == stem, name


def test_an_unreadable_state_keeps_all_evidence(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing counts as released when the state cannot be read: nothing kept is deleted."""
    (tmp_path / evidence.EVIDENCE_STATE).write_text("{not json")
    assert evidence.released(tmp_path) == {}
    assert "all evidence is kept" in caplog.text
    evidence.release(tmp_path, "run-1")
    assert set(evidence.released(tmp_path)) == {"run-1"}
    # Releasing twice keeps the first time; forgetting a run whose record remains does nothing.
    first = evidence.released(tmp_path)["run-1"]
    assert evidence.release(tmp_path, "run-1") == first
    (tmp_path / "stem.json").write_text("{}")
    evidence.forget_released(tmp_path, {"stem": "run-1"})
    assert set(evidence.released(tmp_path)) == {"run-1"}
    (tmp_path / "stem.json").unlink()
    evidence.forget_released(tmp_path, {"stem": "run-1", "other": "run-2"})
    assert evidence.released(tmp_path) == {}
    evidence.forget_released(tmp_path, {"gone": "never-released"})
    assert evidence.released(tmp_path) == {}


async def test_pruning_reads_records_carefully(
    hass: HomeAssistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Records that cannot be read, unfinished runs, files and states that fail."""
    hass.config.config_dir = str(tmp_path)
    store = SnapshotStore(hass, "entry")
    store.folder.mkdir(parents=True)
    (store.folder / "broken.jpg").write_bytes(b"x")
    (store.folder / "broken.json").write_text("{not json")
    (store.folder / "running.jpg").write_bytes(b"x")
    (store.folder / "running.json").write_text(
        json.dumps({"status": "in_progress", "verdict": "failed"})
    )
    long_ago = time.time() - 40 * 86400
    for path in store.folder.iterdir():
        os.utime(path, (long_ago, long_ago))
    real_is_file = Path.is_file

    def is_file(path: Path) -> bool:
        if path.name == "running.jpg":
            raise PermissionError(13, "Permission denied")
        return real_is_file(path)

    with (
        patch.object(evidence, "forget_released", side_effect=OSError("read-only")),
        patch.object(Path, "is_file", is_file),
    ):
        assert store.prune(timedelta(days=30)) == 3
    assert "Could not read the old snapshot running.jpg" in caplog.text
    assert "The evidence state could not be updated: read-only" in caplog.text
    assert store.prune(timedelta(days=30)) == 1
    assert list(store.folder.iterdir()) == []
    # A manifest that cannot be written costs the manifest, never the record.
    snapshot = store.save(b"\xff\xd8", "Hall", dt_util.utcnow())
    with patch.object(evidence, "write_manifest", side_effect=OSError("disk full")):
        store.write_record(snapshot, {"run_id": "run-1", "verdict": "known"})
    assert snapshot.path.with_suffix(".json").is_file()
    assert "The manifest of" in caplog.text
    assert "could not be written: disk full" in caplog.text
    # A manifest that cannot be read is no manifest.
    (store.folder / "x.manifest").write_text("[1]")
    assert evidence.read_manifest(store.folder, "x") is None


def test_the_summary_of_sparse_manifests() -> None:
    """A face with a closest candidate, a run without time, zone or images."""
    run = evidence_export._Run(
        {
            "run_id": "run-1",
            "faces": [
                {
                    "index": 0,
                    "verdict": "unknown",
                    "closest": {"name": "Alice", "tier": "whitelist", "similarity": 81.5},
                }
            ],
        }
    )
    summary = evidence_export._summary([run], dt_util.utcnow())
    assert "When:    unknown time" in summary
    assert "Where:   an action (no zone)" in summary
    assert "Face 0: unknown (closest: Alice 81.5 %)" in summary
    assert "Images:  none kept" in summary
    assert "Kept as evidence" not in summary
