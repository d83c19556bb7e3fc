"""Per-person rules: the rule check at fixed times, and the rules in a real Home Assistant.

The rule check is a pure function, tested at fixed local datetimes. The rest runs in Home
Assistant with the local Rekognition protocol server (synthetic faces; the proof on real photos
is test_person_rules_real_faces.py): the action, the panel's websocket commands, the people
lists, what removing a person or the account does, and the event of a run.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_capture_events
from pytest_homeassistant_custom_component.typing import WebSocketGenerator
import voluptuous as vol

from custom_components.intruder_alert.const import DOMAIN, EVENT_INTRUDER_ALERT
from custom_components.intruder_alert.engine.errors import UnavailableError
from custom_components.intruder_alert.engine.images import BoundingBox
from custom_components.intruder_alert.engine.recognition import Face, Match, Verdict, describe_faces
from custom_components.intruder_alert.person_rules import (
    AFTER_END_DATE,
    OUTSIDE_ALLOWED_HOURS,
    RULES_UNREADABLE,
    WHILE_PANEL_UNAVAILABLE,
    PersonRules,
    PersonRulesStore,
    Window,
    broken_rule,
    storage_key,
)
from custom_components.intruder_alert.pipeline import Outcome, async_prepare, async_run
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .conftest import BLACKLIST, WHITELIST, SceneCamera, enroll_directly, enroll_photo, zone_data
from .rekognition_server import RekognitionServer
from .scenes import Person, portrait, scene

BERLIN = ZoneInfo("Europe/Berlin")
# 2026-05-05 is a Tuesday; Berlin is UTC+2 then (summer time).
TUESDAY = date(2026, 5, 5)
PANEL = "alarm_control_panel.house"
TUESDAY_MORNING = {"days": ["tue"], "start": "09:00", "end": "12:00"}


def _at(day: date, clock: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), BERLIN)


def _rules(**data: Any) -> PersonRules:
    return PersonRules.from_dict(data)


# The rule check, at fixed times.


@pytest.mark.parametrize(
    ("clock", "allowed"),
    [("08:59", False), ("09:00", True), ("10:00", True), ("11:59:59", True), ("12:00", False)],
)
def test_a_window_includes_its_start_not_its_end(clock: str, allowed: bool) -> None:
    rules = _rules(windows=[TUESDAY_MORNING])
    expected = None if allowed else OUTSIDE_ALLOWED_HOURS
    assert broken_rule(rules, _at(TUESDAY, clock), None) == expected


def test_a_window_is_only_on_its_days() -> None:
    rules = _rules(
        windows=[TUESDAY_MORNING, {"days": ["thu", "fri"], "start": "14:00", "end": "18:00"}]
    )
    assert broken_rule(rules, _at(date(2026, 5, 6), "10:00"), None) == OUTSIDE_ALLOWED_HOURS  # Wed
    assert broken_rule(rules, _at(date(2026, 5, 7), "15:00"), None) is None  # Thursday
    assert broken_rule(rules, _at(date(2026, 5, 8), "17:59"), None) is None  # Friday
    assert broken_rule(rules, _at(TUESDAY, "15:00"), None) == OUTSIDE_ALLOWED_HOURS


def test_a_window_past_midnight_ends_the_next_day() -> None:
    """Sunday 22:00 to 02:00 covers Sunday night and early Monday, not early Sunday."""
    rules = _rules(windows=[{"days": ["sun"], "start": "22:00", "end": "02:00"}])
    sunday, monday = date(2026, 5, 3), date(2026, 5, 4)
    assert broken_rule(rules, _at(sunday, "23:30"), None) is None
    assert broken_rule(rules, _at(monday, "01:59"), None) is None
    assert broken_rule(rules, _at(monday, "02:00"), None) == OUTSIDE_ALLOWED_HOURS
    assert broken_rule(rules, _at(sunday, "01:00"), None) == OUTSIDE_ALLOWED_HOURS
    whole_day = _rules(windows=[{"days": ["sun"], "start": "00:00", "end": "00:00"}])
    assert broken_rule(whole_day, _at(sunday, "00:00"), None) is None
    assert broken_rule(whole_day, _at(sunday, "23:59"), None) is None
    assert broken_rule(whole_day, _at(monday, "00:00"), None) == OUTSIDE_ALLOWED_HOURS


def test_the_end_date_is_the_last_allowed_day() -> None:
    rules = _rules(until="2026-05-05")
    assert broken_rule(rules, _at(TUESDAY, "23:59"), None) is None
    assert broken_rule(rules, _at(date(2026, 5, 6), "00:00"), None) == AFTER_END_DATE


@pytest.mark.parametrize(
    ("alarm", "reason"),
    [
        (None, None),  # no alarm panel: the rule cannot apply
        ("disarmed", None),
        ("armed_home", None),
        ("arming", None),
        ("armed_away", "while_armed_away"),
        ("armed_night", "while_armed_night"),
        # Fail-secure: an armed panel's entry delay, its alarm, and a panel nobody can read.
        ("pending", "while_alarm_pending"),
        ("triggered", "while_alarm_triggered"),
        ("unavailable", WHILE_PANEL_UNAVAILABLE),
        ("unknown", WHILE_PANEL_UNAVAILABLE),
    ],
)
def test_not_while_armed(alarm: str | None, reason: str | None) -> None:
    rules = _rules(not_while=["armed_night", "armed_away"])
    assert broken_rule(rules, _at(TUESDAY, "10:00"), alarm) == reason


def test_the_end_date_goes_first_then_the_alarm_then_the_hours() -> None:
    rules = _rules(windows=[TUESDAY_MORNING], until="2026-05-01", not_while=["armed_away"])
    assert broken_rule(rules, _at(TUESDAY, "15:00"), "armed_away") == AFTER_END_DATE
    rules = _rules(windows=[TUESDAY_MORNING], not_while=["armed_away"])
    assert broken_rule(rules, _at(TUESDAY, "15:00"), "armed_away") == "while_armed_away"
    assert broken_rule(rules, _at(TUESDAY, "15:00"), "disarmed") == OUTSIDE_ALLOWED_HOURS
    assert broken_rule(PersonRules(), _at(TUESDAY, "03:00"), "armed_away") is None


def test_rules_round_trip_in_a_stable_form() -> None:
    """Days in week order and once, states in a fixed order, times as HH:MM (seconds if any)."""
    rules = _rules(
        windows=[{"days": ["fri", "mon", "fri"], "start": time(9, 0), "end": "17:30:15"}],
        until=date(2026, 8, 31),
        not_while=["armed_night", "armed_away"],
    )
    shown = rules.as_dict()
    assert shown == {
        "windows": [{"days": ["mon", "fri"], "start": "09:00", "end": "17:30:15"}],
        "until": "2026-08-31",
        "not_while": ["armed_away", "armed_night"],
    }
    assert PersonRules.from_dict(shown) == rules
    assert not rules.empty
    assert PersonRules.from_dict({"windows": [], "until": "", "not_while": []}).empty
    assert Window.from_dict(shown["windows"][0]).contains(_at(date(2026, 5, 8), "17:30"))


def test_the_summary_says_who_is_outside_their_rules_and_why() -> None:
    box = BoundingBox(0.1, 0.1, 0.2, 0.2)
    cleaner = Face(
        box,
        Verdict.KNOWN,
        Match("whitelist", "Cleaner", 99.0),
        outside_rules=OUTSIDE_ALLOWED_HOURS,
    )
    alice = Face(box, Verdict.KNOWN, Match("whitelist", "Alice", 98.0))
    assert describe_faces([cleaner]) == "Known: Cleaner — outside allowed hours"
    assert describe_faces([alice, cleaner]) == (
        "Known: Cleaner — outside allowed hours; known: Alice"
    )
    assert cleaner.as_dict()["outside_rules"] == "outside_allowed_hours"
    assert alice.as_dict()["outside_rules"] is None
    # The event type: only known faces, one outside their rules.
    outcome = Outcome(verdict=Verdict.KNOWN, time=dt_util.utcnow(), faces=[alice, cleaner])
    assert outcome.result == "person_outside_rules"
    outcome.faces = [alice]
    assert outcome.result == "known_person"


# In Home Assistant (synthetic faces).


async def _set_rules(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "set_person_rules", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def _people(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "list_people", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def _run_zone(
    hass: HomeAssistant, entry: MockConfigEntry, camera: SceneCamera, frame: bytes
) -> dict[str, Any]:
    """The camera shows ``frame``; one run of the zone; the one event it fired."""
    camera.frame = frame
    zone = next(iter(entry.runtime_data.zones.values()))
    events = async_capture_events(hass, EVENT_INTRUDER_ALERT)
    outcome: Outcome = await zone.async_run_once()
    await hass.async_block_till_done()
    fired = [event.data for event in events if event.data.get("run_id") == outcome.run_id]
    assert len(fired) == 1
    return dict(fired[0])


async def _run_file(hass: HomeAssistant, entry: MockConfigEntry, frame: bytes) -> Outcome:
    """A run without a zone (as ``recognize`` with a file)."""
    return await async_run(hass, entry.runtime_data, await async_prepare(hass, frame))


@pytest.mark.parametrize("zones", [[zone_data(title="Hall", alarm_panel=PANEL)]])
@pytest.mark.freeze_time(tick=True)
async def test_strangers_and_blacklisted_faces_still_decide_the_type(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    rekognition_server: RekognitionServer,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
) -> None:
    """One event per run: the worst face decides; the guest's reason is still said."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    hass.states.async_set(PANEL, "disarmed")
    enroll_directly(rekognition_server, WHITELIST, "alice", "Guest")
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    await _set_rules(hass, name="Guest", until="2026-05-01")
    freezer.move_to(_at(TUESDAY, "10:00"))

    alone = await _run_zone(hass, zone_entry, scene_camera, portrait("alice"))
    assert (alone["type"], alone["summary"]) == (
        "person_outside_rules",
        "Known: Guest — after end date",
    )
    with_stranger = await _run_zone(
        hass,
        zone_entry,
        scene_camera,
        scene([Person("alice", 20, 20, 160), Person("bob", 400, 200, 160)]),
    )
    assert with_stranger["type"] == "unknown_person"
    assert with_stranger["summary"] == "Known: Guest — after end date; 1 unknown"
    with_eve = await _run_zone(
        hass,
        zone_entry,
        scene_camera,
        scene([Person("alice", 20, 20, 160), Person("eve", 400, 200, 160)]),
    )
    assert with_eve["type"] == "blacklisted_person"
    assert with_eve["summary"].startswith("Blacklisted: Eve")
    assert with_eve["summary"].endswith("; known: Guest — after end date")
    # A blacklisted face is never given a rule's reason.
    assert [face["outside_rules"] for face in with_eve["faces"]] == [
        "after_end_date" if face["tier"] == "whitelist" else None for face in with_eve["faces"]
    ]


@pytest.mark.parametrize(
    "zones", [[zone_data(title="Hall", alarm_panel=PANEL), zone_data(title="Garden")]]
)
async def test_not_while_armed_needs_the_zones_alarm_panel(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    zone_entry: MockConfigEntry,
    scene_camera: SceneCamera,
) -> None:
    """A zone (or a run) without a panel cannot apply the rule; a panel that is gone counts as armed."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    await _set_rules(hass, name="Alice", not_while=["armed_night"])
    zones = {zone.name: zone for zone in zone_entry.runtime_data.zones.values()}
    scene_camera.frame = portrait("alice")

    assert hass.states.get(PANEL) is None  # not there (yet): it counts as armed
    hall = await zones["Hall"].async_run_once()
    assert (hall.result, hall.faces[0].outside_rules) == (
        "person_outside_rules",
        WHILE_PANEL_UNAVAILABLE,
    )
    assert hall.summary == "Known: Alice — while alarm panel unavailable"
    hass.states.async_set(PANEL, "armed_night")
    assert (await zones["Hall"].async_run_once()).faces[0].outside_rules == "while_armed_night"
    hass.states.async_set(PANEL, "disarmed")
    assert (await zones["Hall"].async_run_once()).result == "known_person"
    hass.states.async_set(PANEL, "armed_night")
    assert (await zones["Garden"].async_run_once()).result == "known_person"
    assert (await _run_file(hass, zone_entry, portrait("alice"))).result == "known_person"


async def test_the_action_checks_its_input(
    hass: HomeAssistant, rekognition_server: RekognitionServer, server_entry: MockConfigEntry
) -> None:
    """Only enrolled whitelisted people have rules; bad rules change nothing."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    enroll_directly(rekognition_server, BLACKLIST, "eve", "Eve")
    with pytest.raises(ServiceValidationError) as err:
        await _set_rules(hass, tier="blacklist", name="Eve", until="2026-01-01")
    assert err.value.translation_key == "rules_whitelist_only"
    with pytest.raises(ServiceValidationError) as err:
        await _set_rules(hass, name="Bob", until="2026-01-01")
    assert err.value.translation_key == "person_not_found"
    with pytest.raises(ServiceValidationError) as err:
        await _set_rules(hass, name="x" * 500, until="2026-01-01")
    assert err.value.translation_key == "invalid_name"
    for bad in (
        {"windows": [{"days": [], "start": "09:00", "end": "12:00"}]},
        {"windows": [{"days": ["tuesday"], "start": "09:00", "end": "12:00"}]},
        {"windows": [{"days": ["tue"], "start": "9 am", "end": "12:00"}]},
        {"until": "next week"},
        {"not_while": ["disarmed"]},
    ):
        with pytest.raises(vol.Invalid):
            await _set_rules(hass, name="Alice", **bad)
    people = await _people(hass)
    assert people["whitelist"][0]["rules"] is None
    assert people["blacklist"][0]["rules"] is None
    # Clearing asks nobody: rules left behind always go.
    assert (await _set_rules(hass, name="Bob"))["rules"] is None

    coordinator = server_entry.runtime_data
    with (
        patch.object(coordinator.people, "list", side_effect=UnavailableError("no network")),
        pytest.raises(HomeAssistantError) as failed,
    ):
        await _set_rules(hass, name="Alice", until="2026-01-01")
    assert failed.value.translation_key == "cannot_connect"


async def test_rules_are_listed_kept_and_removed_with_the_person(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    rekognition_server: RekognitionServer,
    server_entry: MockConfigEntry,
    media_dir: Path,
) -> None:
    """list_people shows them; they survive a reload; removing or re-creating the person drops them."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    enroll_directly(rekognition_server, WHITELIST, "bob", "Bob")
    rules = {
        "windows": [{"days": ["sat", "mon"], "start": "08:00", "end": "18:30"}],
        "until": "2026-12-31",
        "not_while": ["armed_vacation", "armed_away"],
    }
    shown = {
        "windows": [{"days": ["mon", "sat"], "start": "08:00", "end": "18:30"}],
        "until": "2026-12-31",
        "not_while": ["armed_away", "armed_vacation"],
    }
    assert (await _set_rules(hass, name="Alice", **rules))["rules"] == shown
    await _set_rules(hass, name="Bob", until="2026-06-01")
    key = storage_key(server_entry.entry_id)
    assert hass_storage[key]["data"]["whitelist"]["Alice"] == shown
    people = await _people(hass, tier="whitelist")
    assert {person["name"]: person["rules"] for person in people["whitelist"]} == {
        "Alice": shown,
        "Bob": {"windows": [], "until": "2026-06-01", "not_while": []},
    }

    await hass.config_entries.async_reload(server_entry.entry_id)
    await hass.async_block_till_done()
    people = await _people(hass, tier="whitelist")
    assert {person["name"]: person["rules"] for person in people["whitelist"]}["Alice"] == shown

    await hass.services.async_call(
        DOMAIN, "remove_person", {"tier": "whitelist", "name": "Alice"}, blocking=True
    )
    assert "Alice" not in hass_storage[key]["data"]["whitelist"]
    # Bob removed in the AWS console, then enrolled again here: a new person, without rules.
    del rekognition_server.service.collections[WHITELIST].users["Bob"]
    await enroll_photo(hass, media_dir, "whitelist", "Bob", portrait("bob"))
    assert (await _people(hass, tier="whitelist"))["whitelist"][0]["rules"] is None
    assert hass_storage[key]["data"] == {}

    # Removing the account deletes them.
    await _set_rules(hass, name="Bob", until="2026-06-01")
    assert await hass.config_entries.async_remove(server_entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_unreadable_rules_count_every_known_face_as_outside_them(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    server_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Fail-secure: rules that cannot be read never let a known face suppress the alert."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    with patch.object(PersonRulesStore, "async_load", side_effect=OSError("permission denied")):
        outcome = await _run_file(hass, server_entry, portrait("alice"))
    assert outcome.result == "person_outside_rules"
    assert outcome.faces[0].outside_rules == RULES_UNREADABLE
    assert "The people's rules could not be read (permission denied)" in caplog.text
    # Readable again: read now, and Alice has no rules.
    assert (await _run_file(hass, server_entry, portrait("alice"))).result == "known_person"
    # A stranger alone needs no rules at all.
    assert (await _run_file(hass, server_entry, portrait("bob"))).result == "unknown_person"


async def test_a_rule_that_cannot_be_removed_does_not_stop_the_removal(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    server_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    await _set_rules(hass, name="Alice", until="2026-06-01")
    with patch.object(PersonRulesStore, "async_forget", side_effect=OSError("read-only")):
        await hass.services.async_call(
            DOMAIN, "remove_person", {"tier": "whitelist", "name": "Alice"}, blocking=True
        )
    assert "The rules of Alice could not be removed: read-only" in caplog.text
    assert (await _people(hass, tier="whitelist"))["whitelist"] == []


async def _ws(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    msg: dict[str, Any],
    token: str | None = None,
) -> dict[str, Any]:
    client = await hass_ws_client(hass, access_token=token) if token else await hass_ws_client(hass)
    await client.send_json_auto_id(msg)
    return dict(await client.receive_json())


async def test_the_panel_reads_and_sets_rules(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    server_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """intruder_alert/person_rules and set_person_rules; intruder_alert/people shows them."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    client = await hass_ws_client(hass)

    async def call(**msg: Any) -> dict[str, Any]:
        await client.send_json_auto_id(msg)
        return dict(await client.receive_json())

    none = await call(type="intruder_alert/person_rules", tier="whitelist", name="Alice")
    assert none["result"] == {
        "tier": "whitelist",
        "name": "Alice",
        "user_id": "Alice",
        "rules": None,
    }
    answer = await call(
        type="intruder_alert/set_person_rules",
        tier="whitelist",
        name="Alice",
        windows=[TUESDAY_MORNING],
        not_while=["armed_night"],
    )
    assert answer["success"], answer
    expected = {"windows": [TUESDAY_MORNING], "until": None, "not_while": ["armed_night"]}
    assert answer["result"]["rules"] == expected
    got = await call(type="intruder_alert/person_rules", tier="whitelist", name="Alice")
    assert got["result"]["rules"] == expected
    people = await call(type="intruder_alert/people")
    assert people["result"]["whitelist"][0]["rules"] == expected

    refused = await call(
        type="intruder_alert/set_person_rules", tier="blacklist", name="Alice", until="2026-01-01"
    )
    assert refused["error"]["code"] == "service_validation_error"
    assert refused["error"]["translation_key"] == "rules_whitelist_only"
    invalid = await call(
        type="intruder_alert/set_person_rules", tier="whitelist", name="Alice", not_while=["x"]
    )
    assert invalid["error"]["code"] == "invalid_format"
    with patch.object(
        server_entry.runtime_data.people, "list", side_effect=UnavailableError("no network")
    ):
        failed = await call(
            type="intruder_alert/set_person_rules",
            tier="whitelist",
            name="Alice",
            until="2026-01-01",
        )
    assert failed["error"]["translation_key"] == "cannot_connect"
    cleared = await call(type="intruder_alert/set_person_rules", tier="whitelist", name="Alice")
    assert cleared["result"]["rules"] is None


async def test_only_administrators_set_rules(
    hass: HomeAssistant,
    rekognition_server: RekognitionServer,
    server_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    user_token: str,
) -> None:
    """Rules decide when a trusted person stops being trusted: the action and the commands refuse others."""
    enroll_directly(rekognition_server, WHITELIST, "alice", "Alice")
    for msg in (
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "set_person_rules",
            "service_data": {"name": "Alice", "until": "2026-01-01"},
            "return_response": True,
        },
        {"type": "intruder_alert/set_person_rules", "tier": "whitelist", "name": "Alice"},
        {"type": "intruder_alert/person_rules", "tier": "whitelist", "name": "Alice"},
    ):
        answer = await _ws(hass, hass_ws_client, msg, user_token)
        assert not answer["success"], msg
        # The action: Home Assistant's own Unauthorized error, as the frontend shows it.
        assert "unauthorized" in (answer["error"]["code"], answer["error"]["message"].lower()), msg
    assert (await _people(hass, tier="whitelist"))["whitelist"][0]["rules"] is None
    # The administrator can (over the same API).
    answer = await _ws(
        hass,
        hass_ws_client,
        {
            "type": "call_service",
            "domain": DOMAIN,
            "service": "set_person_rules",
            "service_data": {"name": "Alice", "until": "2026-01-01"},
            "return_response": True,
        },
    )
    assert answer["success"], answer
    assert answer["result"]["response"]["rules"]["until"] == "2026-01-01"
