"""Per-person rules on real faces: the cleaner allowed on Tuesday mornings, and not while armed.

The local Rekognition protocol server decides identities with the offline backend (dlib) on real
photos; a zone on a camera entity with an alarm panel takes the frames; the clock is frozen at
chosen times in Home Assistant's time zone (Berlin here: not the host's, not UTC).
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.intruder_alert.history import async_history
from homeassistant.core import HomeAssistant

from .conftest import SceneCamera, enroll_photo, zone_data
from .faces import grace_hopper, jpeg, mirrored, rescaled
from .rekognition_server import RekognitionServer
from .test_person_rules import _run_zone, _set_rules

BERLIN = ZoneInfo("Europe/Berlin")
# 2026-05-05 is a Tuesday; Berlin is UTC+2 then (summer time).
TUESDAY = date(2026, 5, 5)
PANEL = "alarm_control_panel.house"
TUESDAY_MORNING = {"days": ["tue"], "start": "09:00", "end": "12:00"}


def _at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), BERLIN)


@pytest.fixture
def rekognition_server(real_faces_server: RekognitionServer) -> RekognitionServer:
    """The account's server decides identities on real photos (dlib)."""
    return real_faces_server


@pytest.mark.parametrize("zones", [[zone_data(title="Hall", alarm_panel=PANEL)]])
@pytest.mark.freeze_time(tick=True)
async def test_the_cleaner_on_tuesday_morning_and_afternoon_and_while_armed_away(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
    media_dir: Path,
) -> None:
    """Tuesday 09:00-12:00, not while armed away: known at 10:00, an alert at 15:00 and armed."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    hass.states.async_set(PANEL, "disarmed")
    await enroll_photo(hass, media_dir, "whitelist", "Cleaner", jpeg(grace_hopper()))
    set_to = await _set_rules(
        hass, name="Cleaner", windows=[TUESDAY_MORNING], not_while=["armed_away"]
    )
    assert set_to == {
        "tier": "whitelist",
        "name": "Cleaner",
        "user_id": "Cleaner",
        "rules": {"windows": [TUESDAY_MORNING], "until": None, "not_while": ["armed_away"]},
    }
    # The camera sees her as it would: never quite the enrolment photo.
    seen = [jpeg(mirrored(grace_hopper())), jpeg(rescaled(grace_hopper(), 0.7))]

    # Tuesday 10:00 in Berlin is 08:00 UTC: the rule is read in Home Assistant's time zone.
    freezer.move_to(_at(TUESDAY, "10:00"))
    morning = await _run_zone(hass, zone_entry, scene_camera, seen[0])
    assert (morning["type"], morning["names"]) == ("known_person", ["Cleaner"])
    assert morning["faces"][0]["outside_rules"] is None
    assert morning["summary"] == "Known: Cleaner"

    freezer.move_to(_at(TUESDAY, "15:00"))
    data = await _run_zone(hass, zone_entry, scene_camera, seen[1])
    assert data["type"] == "person_outside_rules"
    assert data["verdict"] == "known"  # recognised; not allowed now
    assert data["names"] == ["Cleaner"]
    assert data["faces"][0]["outside_rules"] == "outside_allowed_hours"
    assert data["summary"] == "Known: Cleaner — outside allowed hours"
    assert hass.states.get("sensor.hall_last_verdict").state == "person_outside_rules"
    assert hass.states.get("event.hall_recognition").attributes["event_type"] == (
        "person_outside_rules"
    )
    # The panel's run history keeps why (Visitors shows it).
    history = async_history(hass, zone_entry.runtime_data)
    kept = await hass.async_add_executor_job(history.get, data["run_id"])
    assert kept is not None
    assert kept["faces"][0]["outside_rules"] == "outside_allowed_hours"

    # Back in her hours, but the house is armed away.
    freezer.move_to(_at(TUESDAY, "10:30"))
    hass.states.async_set(PANEL, "armed_away")
    armed = await _run_zone(hass, zone_entry, scene_camera, seen[0])
    assert armed["type"] == "person_outside_rules"
    assert armed["faces"][0]["outside_rules"] == "while_armed_away"
    assert armed["summary"] == "Known: Cleaner — while armed away"

    # Cleared: always allowed again (today's behaviour).
    cleared = await _set_rules(hass, name="Cleaner")
    assert cleared["rules"] is None
    again = await _run_zone(hass, zone_entry, scene_camera, seen[1])
    assert again["type"] == "known_person"
