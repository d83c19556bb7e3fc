"""A missing IAM permission raises a repair issue naming the refused action, never the account.

A real Home Assistant with its issue registry, the zone pipeline and real botocore against the
local Rekognition protocol server, which answers AccessDeniedException with AWS's own wording
(the caller's ARN, with the account id). The issue goes by itself once AWS accepts the call.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
import re

import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.intruder_alert.const import CONF_ENDPOINT_URL, DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.coordinator import ACCOUNT_RETRY_INTERVAL
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir, translation
from homeassistant.util import dt as dt_util

from .conftest import (
    ACCESS_KEY_ID,
    ACCOUNT_ID_PATTERN,
    ENTRY_DATA,
    REGION,
    SECRET_ACCESS_KEY,
    UNIQUE_ID,
    SceneCamera,
    wait_until,
    zone_data,
)
from .rekognition_server import ACCOUNT_ID, Fault, RekognitionServer
from .scenes import portrait

IAM_POLICY_URL = "https://github.com/intruder-alert/intruder_alert#iam-policy"


def _issue_id(entry: MockConfigEntry) -> str:
    return f"access_denied_{entry.entry_id}"


def _issue(issue_registry: ir.IssueRegistry, entry: MockConfigEntry) -> ir.IssueEntry | None:
    issue = issue_registry.async_get_issue(DOMAIN, _issue_id(entry))
    return issue if issue is not None and issue.active else None


async def _set_up(hass: HomeAssistant, server: RekognitionServer) -> MockConfigEntry:
    """An account on the local server with one zone, set up with whatever faults are queued."""
    hass.states.async_set("binary_sensor.hall_motion", "off")
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Intruder Alert ({REGION})",
        data={**ENTRY_DATA, CONF_ENDPOINT_URL: server.url},
        unique_id=UNIQUE_ID,
        subentries_data=[
            ConfigSubentryData(
                data=zone_data(), subentry_type="zone", title="Zone 0", unique_id=None
            )
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _motion(
    hass: HomeAssistant, entry: MockConfigEntry, camera: SceneCamera, who: str
) -> None:
    """``who`` walks past the zone's camera (a new picture each time: a stuck one is a problem)."""
    camera.frame = portrait(who)
    zone = next(iter(entry.runtime_data.zones.values()))
    hass.states.async_set("binary_sensor.hall_motion", "off")
    hass.states.async_set("binary_sensor.hall_motion", "on")
    await hass.async_block_till_done()
    await wait_until(lambda: not zone._running)
    await hass.async_block_till_done()


async def _check_again(hass: HomeAssistant) -> None:
    """Let the failed account check's retry come round."""
    async_fire_time_changed(hass, dt_util.utcnow() + ACCOUNT_RETRY_INTERVAL)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _assert_tells_the_action(
    hass: HomeAssistant, issue: ir.IssueEntry, entry: MockConfigEntry, action: str
) -> None:
    """Non-fixable, an error, the README's IAM policy, the action named, no account id."""
    assert issue.is_fixable is False
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_key == "access_denied"
    assert issue.learn_more_url == IAM_POLICY_URL
    placeholders = issue.translation_placeholders or {}
    assert placeholders["title"] == entry.title
    assert action in placeholders["action"]
    # Nothing AWS said reaches the UI: its message names the caller's ARN with the account id.
    shown = json.dumps(dataclasses.asdict(issue), default=str)
    for secret in (ACCOUNT_ID, ACCESS_KEY_ID, SECRET_ACCESS_KEY, "arn:"):
        assert secret not in shown
    assert not ACCOUNT_ID_PATTERN.search(shown)
    # The English text uses exactly the placeholders given, and says what to do.
    texts = await translation.async_get_translations(hass, "en", "issues", [DOMAIN])
    for part in ("title", "description"):
        text = texts[f"component.{DOMAIN}.issues.access_denied.{part}"]
        assert set(re.findall(r"{(\w+)}", text)) <= set(placeholders)
    description = texts[f"component.{DOMAIN}.issues.access_denied.description"]
    assert "{action}" in description
    assert "IAM policy" in description
    assert "goes away by itself" in description


async def test_denied_at_start_up_is_an_issue_until_the_check_passes(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """DescribeCollection refused at start-up: an issue names it; the retried check clears it.

    A run that works meanwhile proves nothing about DescribeCollection: the issue stays.
    """
    rekognition_server.service.faults.append(Fault("DescribeCollection", "denied", count=100))
    entry = await _set_up(hass, rekognition_server)
    assert not entry.runtime_data.last_update_success

    issue = _issue(issue_registry, entry)
    assert issue is not None
    await _assert_tells_the_action(hass, issue, entry, "rekognition:DescribeCollection")

    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    await _motion(hass, entry, scene_camera, "carol")
    assert [event.data["type"] for event in events] == ["unknown_person"]
    assert _issue(issue_registry, entry) is not None

    # Still refused at the next check: the issue stays.
    await _check_again(hass)
    assert not entry.runtime_data.last_update_success
    assert _issue(issue_registry, entry) is not None

    # The owner adds the permission: the next check passes and the issue goes by itself.
    rekognition_server.service.faults.clear()
    await _check_again(hass)
    assert entry.runtime_data.last_update_success
    assert _issue(issue_registry, entry) is None


async def test_denied_during_a_run_still_alerts_and_raises_the_issue(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """SearchUsersByImage refused: the run fires recognition_failed and the issue names it.

    An account check that passes does not clear it (it does not search); the next run that
    AWS answers does.
    """
    entry = await _set_up(hass, rekognition_server)
    assert _issue(issue_registry, entry) is None
    rekognition_server.service.faults.append(Fault("SearchUsersByImage", "denied", count=100))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)

    await _motion(hass, entry, scene_camera, "carol")

    [event] = events
    assert event.data["type"] == "recognition_failed"
    assert "rekognition:SearchUsersByImage" in event.data["reason"]
    issue = _issue(issue_registry, entry)
    assert issue is not None
    await _assert_tells_the_action(hass, issue, entry, "rekognition:SearchUsersByImage")

    # A second refused run keeps one issue, unchanged.
    await _motion(hass, entry, scene_camera, "dave")
    assert [event.data["type"] for event in events] == ["recognition_failed"] * 2
    assert [
        key for key in issue_registry.issues if key[0] == DOMAIN and key[1].startswith("access")
    ] == [(DOMAIN, _issue_id(entry))]

    rekognition_server.service.faults.clear()
    await entry.runtime_data.async_refresh()
    assert entry.runtime_data.last_update_success
    assert _issue(issue_registry, entry) is not None

    await _motion(hass, entry, scene_camera, "eve")
    assert events[-1].data["type"] == "unknown_person"
    assert _issue(issue_registry, entry) is None


async def test_both_refusals_are_named_and_each_clears_its_own(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Check and runs refused: one issue names both; it goes when both are allowed."""
    service = rekognition_server.service
    service.faults.append(Fault("DescribeCollection", "denied", count=100))
    entry = await _set_up(hass, rekognition_server)
    searches = Fault("SearchUsersByImage", "denied", count=100)
    service.faults.append(searches)
    await _motion(hass, entry, scene_camera, "carol")

    issue = _issue(issue_registry, entry)
    assert issue is not None
    action = (issue.translation_placeholders or {})["action"]
    assert "rekognition:DescribeCollection" in action
    assert "rekognition:SearchUsersByImage" in action

    # SearchUsersByImage is allowed: the next run clears it, DescribeCollection is still named.
    service.faults.remove(searches)
    await _motion(hass, entry, scene_camera, "dave")
    issue = _issue(issue_registry, entry)
    assert issue is not None
    assert (issue.translation_placeholders or {})["action"] == "`rekognition:DescribeCollection`"

    service.faults.clear()
    await _check_again(hass)
    assert _issue(issue_registry, entry) is None


@pytest.mark.parametrize("kind", ["throttle", "error500"])
async def test_other_failures_raise_no_permission_issue(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    issue_registry: ir.IssueRegistry,
    kind: str,
) -> None:
    """Throttling or a 500 at start-up and in a run: logged and alerted, but no such issue."""
    rekognition_server.service.faults.append(Fault("*", kind, count=1000))
    entry = await _set_up(hass, rekognition_server)
    assert not entry.runtime_data.last_update_success
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)

    await _motion(hass, entry, scene_camera, "carol")

    assert [event.data["type"] for event in events] == ["recognition_failed"]
    assert _issue(issue_registry, entry) is None
    assert not [key for key in issue_registry.issues if key[0] == DOMAIN]


async def test_removing_the_account_removes_its_issue(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    media_dir: Path,
    scene_camera: SceneCamera,
    issue_registry: ir.IssueRegistry,
) -> None:
    """No issue is left about an account that no longer exists."""
    rekognition_server.service.faults.append(Fault("DescribeCollection", "denied", count=100))
    entry = await _set_up(hass, rekognition_server)
    assert _issue(issue_registry, entry) is not None
    rekognition_server.service.faults.clear()

    assert await hass.config_entries.async_remove(entry.entry_id)

    assert issue_registry.async_get_issue(DOMAIN, _issue_id(entry)) is None
