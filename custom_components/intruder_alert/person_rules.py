"""Per-person rules: when a whitelisted person is allowed, and while which alarm states not.

A whitelisted person may have rules: weekly windows when they are allowed (Tuesday 09:00 to 12:00,
several; in Home Assistant's time zone; a window whose end is not after its start runs past
midnight into the next day), an end date (a guest: allowed through that day), and alarm panel
states they are not allowed in (``armed_away``, ``armed_night``…, per the zone's alarm panel).
No rules: always allowed. A known face outside its person's rules never suppresses an alert:
the face carries why (``outside_rules``: ``outside_allowed_hours``, ``after_end_date``,
``while_armed_away``…) and the run's event type is ``person_outside_rules`` (see
``pipeline.Outcome.result``). Blacklisted faces are never affected.

Rules are kept per account in Home Assistant's storage (``intruder_alert.<entry>.person_rules``),
keyed by tier and user id. Removing the person removes their rules (so does moving them to the
other tier: the removal from the old tier takes them); enrolling a *new* person under a name
whose rules were left behind (the person was removed in the AWS console) starts them with none;
removing the account deletes them all.

Fail-secure, as the rest of the alarm: with a "not while" rule, an alarm panel that is
``unavailable`` or ``unknown`` (a cut line), ``pending`` (an armed panel's entry delay) or
``triggered`` counts as armed; rules that cannot be read make every known face count as outside
them until they can.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any, Final

import voluptuous as vol

from homeassistant.components.alarm_control_panel.const import AlarmControlPanelState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, WEEKDAYS
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import CONF_ALARM_PANEL, DOMAIN, LOGGER, Tier
from .coordinator import IntruderAlertCoordinator
from .engine.errors import InvalidNameError
from .engine.names import normalize_name, user_id_for
from .engine.recognition import Face, Verdict
from .errors import validation_error

if TYPE_CHECKING:
    from .pipeline import Outcome

STORAGE_VERSION: Final = 1

ATTR_WINDOWS: Final = "windows"
ATTR_UNTIL: Final = "until"
ATTR_NOT_WHILE: Final = "not_while"

# Why a known face is outside its person's rules (``Face.outside_rules``); in words, each reads
# as itself with spaces ("outside allowed hours"). "while_<state>" for a "not while" state.
AFTER_END_DATE: Final = "after_end_date"
OUTSIDE_ALLOWED_HOURS: Final = "outside_allowed_hours"
WHILE_PANEL_UNAVAILABLE: Final = "while_alarm_panel_unavailable"
RULES_UNREADABLE: Final = "rules_unreadable"

# The states a person can be kept out of.
ARMED_STATES: Final = tuple(
    state.value for state in AlarmControlPanelState if state.value.startswith("armed_")
)
# An armed panel's entry delay and its alarm: armed, whichever mode it was armed in.
_ARMED_ANY: Final = (AlarmControlPanelState.PENDING.value, AlarmControlPanelState.TRIGGERED.value)
_NO_STATE: Final = (STATE_UNAVAILABLE, STATE_UNKNOWN)

_DATA: HassKey[dict[str, PersonRulesStore]] = HassKey(f"{DOMAIN}_person_rules")


def _clock(value: time) -> str:
    return value.isoformat(timespec="seconds" if value.second else "minutes")


@dataclass(frozen=True)
class Window:
    """Allowed on these weekdays from ``start`` until (not including) ``end``, local time.

    When ``end`` is not after ``start`` the window runs past midnight: from ``start`` on each of
    its days until ``end`` the next day (``00:00`` to ``00:00`` is the whole day).
    """

    days: tuple[str, ...]
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        """Whether the local ``moment`` is inside the window."""
        clock = moment.time().replace(tzinfo=None)
        today = WEEKDAYS[moment.weekday()]
        if self.start < self.end:
            return today in self.days and self.start <= clock < self.end
        yesterday = WEEKDAYS[(moment.weekday() - 1) % 7]
        return (today in self.days and clock >= self.start) or (
            yesterday in self.days and clock < self.end
        )

    def as_dict(self) -> dict[str, Any]:
        """``{"days": ["tue"], "start": "09:00", "end": "12:00"}``."""
        return {"days": list(self.days), "start": _clock(self.start), "end": _clock(self.end)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Window:
        """A window from its validated (or stored) form; days in week order, each once."""
        days = set(cv.weekdays(data["days"]))
        return cls(
            days=tuple(day for day in WEEKDAYS if day in days),
            start=cv.time(data["start"]),
            end=cv.time(data["end"]),
        )


@dataclass(frozen=True)
class PersonRules:
    """One person's rules; empty: always allowed."""

    windows: tuple[Window, ...] = ()
    until: date | None = None
    not_while: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """No rule at all (the person is always allowed)."""
        return not self.windows and self.until is None and not self.not_while

    def as_dict(self) -> dict[str, Any]:
        """As the action, the websocket commands, ``list_people`` and the storage show them."""
        return {
            ATTR_WINDOWS: [window.as_dict() for window in self.windows],
            ATTR_UNTIL: self.until.isoformat() if self.until else None,
            ATTR_NOT_WHILE: list(self.not_while),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PersonRules:
        """Rules from their validated (or stored) form."""
        until = data.get(ATTR_UNTIL)
        not_while = set(data.get(ATTR_NOT_WHILE) or ())
        return cls(
            windows=tuple(Window.from_dict(window) for window in data.get(ATTR_WINDOWS) or ()),
            until=cv.date(until) if until else None,
            not_while=tuple(state for state in ARMED_STATES if state in not_while),
        )


def _window(value: Any) -> dict[str, Any]:
    data = WINDOW_SCHEMA(value)
    return Window.from_dict(data).as_dict()


WINDOW_SCHEMA = vol.Schema(
    {
        vol.Required("days"): vol.All(cv.weekdays, vol.Length(min=1)),
        vol.Required("start"): cv.time,
        vol.Required("end"): cv.time,
    }
)
# The rule fields of the action and of ``intruder_alert/set_person_rules``; each left out or
# empty means no such rule, all of them empty clears the person's rules.
RULE_FIELDS: Final[dict[vol.Marker, Any]] = {
    vol.Optional(ATTR_WINDOWS, default=list): vol.All(cv.ensure_list, [_window]),
    vol.Optional(ATTR_UNTIL, default=None): vol.Any(None, "", cv.date),
    vol.Optional(ATTR_NOT_WHILE, default=list): vol.All(cv.ensure_list, [vol.In(ARMED_STATES)]),
}


def broken_rule(rules: PersonRules, moment: datetime, alarm: str | None) -> str | None:
    """Why ``rules`` do not allow their person now; None when they do.

    ``moment`` is the local time of the frame, ``alarm`` the state of the zone's alarm panel
    (None when the zone has none, or the run no zone: "not while" rules cannot apply then).
    The end date goes first, then the alarm, then the hours.
    """
    if rules.until is not None and moment.date() > rules.until:
        return AFTER_END_DATE
    if rules.not_while and alarm is not None:
        if alarm in rules.not_while:
            return f"while_{alarm}"
        if alarm in _ARMED_ANY:
            return f"while_alarm_{alarm}"
        if alarm in _NO_STATE:
            return WHILE_PANEL_UNAVAILABLE
    if rules.windows and not any(window.contains(moment) for window in rules.windows):
        return OUTSIDE_ALLOWED_HOURS
    return None


class PersonRulesStore:
    """The rules of one account's people, in Home Assistant's storage; used on the event loop."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Nothing is read until ``async_load``."""
        self._store: Store[dict[str, dict[str, Any]]] = Store(
            hass, STORAGE_VERSION, storage_key(entry_id), private=True
        )
        self._rules: dict[str, dict[str, PersonRules]] = {}
        self._loaded = False
        self._lock = asyncio.Lock()

    async def async_load(self) -> None:
        """Read the rules once (raises when the file cannot be read; tried again next time)."""
        async with self._lock:
            if self._loaded:
                return
            stored = await self._store.async_load() or {}
            self._rules = {
                tier: {
                    user_id: PersonRules.from_dict(rules)
                    for user_id, rules in stored.get(tier, {}).items()
                }
                for tier in stored
            }
            self._loaded = True

    @property
    def empty(self) -> bool:
        """Nobody has rules."""
        return not any(self._rules.values())

    def get(self, tier: str, user_id: str) -> PersonRules | None:
        """The rules of ``user_id`` in ``tier``, if they have any."""
        return self._rules.get(tier, {}).get(user_id)

    def shown(self, tier: str, user_id: str) -> dict[str, Any] | None:
        """The rules as the people lists show them: null for none."""
        rules = self.get(tier, user_id)
        return rules.as_dict() if rules is not None else None

    async def async_set(self, tier: str, user_id: str, rules: PersonRules) -> None:
        """Keep ``rules`` (empty ones remove the person's), written at once."""
        people = self._rules.setdefault(tier, {})
        if rules.empty:
            if people.pop(user_id, None) is None:
                return
        else:
            people[user_id] = rules
        await self._store.async_save(self._data())

    async def async_forget(self, tier: str, user_id: str) -> bool:
        """Remove the rules of ``user_id`` in ``tier``; whether there were any."""
        if self.get(tier, user_id) is None:
            return False
        await self.async_set(tier, user_id, PersonRules())
        return True

    def _data(self) -> dict[str, dict[str, Any]]:
        return {
            tier: {user_id: rules.as_dict() for user_id, rules in people.items()}
            for tier, people in self._rules.items()
            if people
        }


def storage_key(entry_id: str) -> str:
    """The Home Assistant storage key of an account's person rules."""
    return f"{DOMAIN}.{entry_id}.person_rules"


async def async_rules_of(hass: HomeAssistant, entry_id: str) -> PersonRulesStore:
    """The loaded rules of account ``entry_id`` (read once, then kept in memory)."""
    stores = hass.data.setdefault(_DATA, {})
    if (store := stores.get(entry_id)) is None:
        store = stores[entry_id] = PersonRulesStore(hass, entry_id)
    await store.async_load()
    return store


async def async_remove_rules(hass: HomeAssistant, entry_id: str) -> None:
    """Delete an account's rules (the account is being removed)."""
    hass.data.get(_DATA, {}).pop(entry_id, None)
    await Store[dict[str, Any]](hass, STORAGE_VERSION, storage_key(entry_id)).async_remove()


def _user_id(name: str) -> str:
    try:
        return user_id_for(name)
    except InvalidNameError as err:
        raise validation_error("invalid_name", error=str(err)) from err


def _answer(tier: str, name: str, user_id: str, rules: PersonRules | None) -> dict[str, Any]:
    return {
        "tier": tier,
        "name": normalize_name(name),
        "user_id": user_id,
        "rules": rules.as_dict() if rules is not None else None,
    }


async def async_get_person_rules(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, tier: str, name: str
) -> dict[str, Any]:
    """``{tier, name, user_id, rules}``: ``rules`` is null for a person without rules."""
    user_id = _user_id(name)
    store = await async_rules_of(hass, coordinator.config_entry.entry_id)
    return _answer(tier, name, user_id, store.get(tier, user_id))


async def async_set_person_rules(
    hass: HomeAssistant,
    coordinator: IntruderAlertCoordinator,
    tier: str,
    name: str,
    data: Mapping[str, Any],
) -> dict[str, Any]:
    """Set (or, all empty, clear) the rules of an enrolled whitelisted person.

    The one code path of the action and the panel. ``data`` holds the validated RULE_FIELDS.
    Raises the engine's errors when the people cannot be listed (the caller translates them).
    """
    user_id = _user_id(name)
    if tier != Tier.WHITELIST:
        raise validation_error("rules_whitelist_only", name=normalize_name(name))
    rules = PersonRules.from_dict(data)
    store = await async_rules_of(hass, coordinator.config_entry.entry_id)
    if not rules.empty:
        # Clearing needs no one enrolled: rules left behind can always go.
        people = await hass.async_add_executor_job(coordinator.people.list, tier)
        if not any(person.user_id == user_id for person in people):
            raise validation_error("person_not_found", name=normalize_name(name), tier=tier)
    await store.async_set(tier, user_id, rules)
    LOGGER.debug("Rules of %s in the %s: %s", user_id, tier, rules.as_dict())
    return _answer(tier, name, user_id, None if rules.empty else rules)


async def async_forget_rules(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, tier: str, name: str
) -> None:
    """The person was removed (or enrolled anew): their rules go; a failure is only logged."""
    try:
        store = await async_rules_of(hass, coordinator.config_entry.entry_id)
        await store.async_forget(tier, user_id_for(name))
    except (HomeAssistantError, OSError, InvalidNameError) as err:
        LOGGER.warning("The rules of %s could not be removed: %s", name, err)


@callback
def _alarm_state(coordinator: IntruderAlertCoordinator, zone_name: str | None) -> str | None:
    """The state of the run's zone's alarm panel; None without a zone or a panel."""
    zone = next((zone for zone in coordinator.zones.values() if zone.name == zone_name), None)
    if zone is None or not (panel := zone.config.get(CONF_ALARM_PANEL)):
        return None
    state = coordinator.hass.states.get(panel)
    return state.state if state is not None else STATE_UNAVAILABLE


async def async_apply_person_rules(
    hass: HomeAssistant, coordinator: IntruderAlertCoordinator, outcome: Outcome
) -> None:
    """Mark each known face whose person is outside their rules (on the event loop).

    Called once per run, after recognition and before the event: the rules are in memory after
    the first run, so nothing here waits for a disk or the cloud.
    """
    if not any(face.verdict is Verdict.KNOWN for face in outcome.faces):
        return
    try:
        store = await async_rules_of(hass, coordinator.config_entry.entry_id)
    except (HomeAssistantError, OSError) as err:
        LOGGER.error(
            "The people's rules could not be read (%s): every known face counts as outside "
            "them until they can",
            err,
        )
        outcome.faces = [_outside(face, RULES_UNREADABLE) for face in outcome.faces]
        return
    if store.empty:
        return
    moment = dt_util.as_local(outcome.time)
    alarm = _alarm_state(coordinator, outcome.zone)
    faces = []
    for face in outcome.faces:
        rules = (
            store.get(face.match.tier, face.match.user_id)
            if face.verdict is Verdict.KNOWN and face.match is not None
            else None
        )
        reason = broken_rule(rules, moment, alarm) if rules is not None else None
        faces.append(_outside(face, reason))
    outcome.faces = faces


def _outside(face: Face, reason: str | None) -> Face:
    if reason is None or face.verdict is not Verdict.KNOWN:
        return face
    return replace(face, outside_rules=reason)
