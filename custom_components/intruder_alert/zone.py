"""A zone at run time: its motion source, camera, optional buzzer, and its alarm pipeline.

One run in flight per zone (motion, "Recognise now" and the recognize action all take the same
gate). Motion during a run asks for one follow-up run (coalesced: however many pulses arrive,
one follow-up); after the run, and its follow-up if any, the zone waits for the cooldown. Motion
is never dropped: motion during the cooldown or during the follow-up, or motion still on when
the cooldown ends (a PIR in repeat mode, a binary sensor that stays on), leads to exactly one
more run when the cooldown ends. Camera, disk or cloud failures, and any unexpected error,
still end in an event (fail-secure).

Not HA's Debouncer: it drops a call that arrives while its function runs ("a call is in
progress, abort") and starts its cooldown when the call starts, while an alarm must keep motion
that comes during a run of unknown length and rest only after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
import time
from typing import TYPE_CHECKING, Any

from homeassistant.components import camera
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_call_later, async_track_state_change_event
from homeassistant.requirements import async_process_requirements
from homeassistant.util import dt as dt_util
from homeassistant.util.ulid import ulid_now

from .camera_health import CameraHealth
from .const import (
    CONF_ALARM_PANEL,
    CONF_BURST_INTERVAL,
    CONF_BUZZER_PIN,
    CONF_CAMERA_ENTITY,
    CONF_CAMERA_INDEX,
    CONF_CAMERA_RESOLUTION,
    CONF_CAMERA_SOURCE,
    CONF_COOLDOWN,
    CONF_FRAMES,
    CONF_GPIO_BACKEND,
    CONF_MOTION_ENTITY,
    CONF_MOTION_PIN,
    CONF_MOTION_SOURCE,
    CONF_RECOGNIZE_ON_MOTION,
    DEFAULT_BURST_INTERVAL,
    DEFAULT_CAMERA_RESOLUTION,
    DEFAULT_COOLDOWN,
    DEFAULT_FRAMES,
    DOMAIN,
    GPIO_REQUIREMENTS,
    LOGGER,
    CameraSource,
    GpioBackend,
    MotionSource,
)
from .engine.errors import BadImageError, EngineError
from .engine.images import PreparedImage
from .pipeline import Outcome, async_prepare, async_run
from .snapshots import Snapshot

if TYPE_CHECKING:
    from .coordinator import IntruderAlertCoordinator
    from .hardware.buzzer import GpioBuzzer
    from .hardware.motion import PirSensor
    from .hardware.picamera import PiCamera

CAMERA_TIMEOUT = 10
# Ranking a burst's frames (one DetectFaces per frame) is an optimisation: past this the first
# frame is recognised instead, so ranking cannot hold the alarm back.
RANK_BUDGET_SECONDS = 4.0
# A reload (options changed, zone added) waits this long for a run in flight to announce itself.
UNLOAD_GRACE_SECONDS = 10.0
# The Pi camera's preview (the zone's camera entity in dashboards) reuses a still this young
# instead of taking a full-resolution still for every refresh of every open dashboard.
PREVIEW_MAX_AGE_SECONDS = 10.0
# While the GPIO chip cannot be used (not there at start-up, or gone while running), it is
# opened again this often.
GPIO_RETRY_SECONDS = 30


class CaptureError(Exception):
    """No usable frame could be taken."""


@dataclass
class ZoneStats:
    """Counters for diagnostics and the motion-storm benchmark."""

    motion_events: int = 0
    runs: int = 0
    # Runs made for motion that came during a run (at most one per run).
    follow_ups: int = 0
    # Motion that came while a run was in flight (folded into the follow-up).
    coalesced: int = 0
    # Motion during the cooldown: waits for its end (folded into one run then).
    deferred_cooldown: int = 0
    # Runs made when a cooldown ended, for motion that waited or was still on.
    after_cooldown: int = 0
    ignored_disarmed: int = 0
    ignored_disabled: int = 0


def _open_pir(
    pin: int,
    backend: str,
    on_change: Callable[[bool], None],
    on_lost: Callable[[OSError], None],
) -> PirSensor:
    """Claim a PIR's pin. Blocking: gpiozero is imported here, in the executor, not on the loop."""
    from .hardware.motion import PirSensor

    return PirSensor(pin, backend, on_change, None, on_lost)


def _open_buzzer(pin: int, backend: str, factory: Any) -> GpioBuzzer:
    """Claim a buzzer's pin. Blocking, like ``_open_pir``."""
    from .hardware.buzzer import GpioBuzzer

    return GpioBuzzer(pin, backend, factory)


def parse_resolution(value: str) -> tuple[int, int]:
    """``"1920x1080"`` → ``(1920, 1080)``."""
    width, _, height = value.lower().partition("x")
    return int(width), int(height)


class Zone:
    """One watched place."""

    def __init__(
        self, hass: HomeAssistant, coordinator: IntruderAlertCoordinator, subentry: ConfigSubentry
    ) -> None:
        """Read the zone's settings; nothing is opened until ``async_start``."""
        self.hass = hass
        self.coordinator = coordinator
        self.subentry_id = subentry.subentry_id
        self.name = subentry.title
        self.config = dict(subentry.data)
        self.recognize_on_motion = bool(self.config.get(CONF_RECOGNIZE_ON_MOTION, True))
        self.motion: bool | None = None
        self.motion_available = False
        self.camera_available = True
        self.last_outcome: Outcome | None = None
        self.stats = ZoneStats()
        self.camera_health = CameraHealth(hass, self)
        self.pir: PirSensor | None = None
        self.picamera: PiCamera | None = None
        self.buzzer: GpioBuzzer | None = None
        self._running = False
        self._follow_up = False
        self._cooldown_until = 0.0
        # Motion that came during the cooldown (or the follow-up): one run when the cooldown ends.
        self._pending = False
        self._cooldown_timer: CALLBACK_TYPE | None = None
        # Motion runs and action runs never capture at the same time.
        self._run_lock = asyncio.Lock()
        # The last still the Pi camera took, and when (monotonic), for previews.
        self._last_still: tuple[bytes, float] | None = None
        self._chain: asyncio.Task[None] | None = None
        # A burst's first frame, saved before the frames are ranked (so a stop then loses
        # nothing): (frame, snapshot), or None.
        self._provisional: tuple[PreparedImage, Snapshot] | None = None
        self._run_id = ulid_now()
        self._listeners: list[Callable[[], None]] = []
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._gpio_retry: CALLBACK_TYPE | None = None
        # Set while gpiozero/gpiod could not be installed, so that is logged once, not per retry.
        self._gpio_requirements_error: str | None = None
        # Set while the buzzer cannot be opened, so that is logged once, not per retry.
        self._buzzer_failed = False
        # Sources whose going down was logged (so their return is logged too).
        self._reported_down: set[str] = set()
        self._stopped = False

    # Settings.
    @property
    def motion_source(self) -> MotionSource:
        """GPIO PIR or an existing binary sensor."""
        return MotionSource(self.config[CONF_MOTION_SOURCE])

    @property
    def camera_source(self) -> CameraSource:
        """Pi camera or an existing camera entity."""
        return CameraSource(self.config[CONF_CAMERA_SOURCE])

    @property
    def cooldown(self) -> float:
        """Seconds motion is ignored after a run."""
        return float(self.config.get(CONF_COOLDOWN, DEFAULT_COOLDOWN))

    @property
    def device_id(self) -> str | None:
        """The zone's device, once its entities made it."""
        device = dr.async_get(self.hass).async_get_device_by_identifier(
            (DOMAIN, self.subentry_id), self.coordinator.config_entry.entry_id
        )
        return device.id if device else None

    # Life cycle.
    async def async_start(self) -> None:
        """Open the hardware and subscribe to the sources."""
        self._stopped = False
        if self.motion_source is MotionSource.ENTITY:
            entity_id = self.config[CONF_MOTION_ENTITY]
            self._unsubscribe.append(
                async_track_state_change_event(self.hass, entity_id, self._async_motion_state)
            )
            self._apply_motion_state(self.hass.states.get(entity_id))
        if self.camera_source is CameraSource.PICAMERA:
            from .hardware.picamera import PiCamera

            try:
                self.picamera = await self.hass.async_add_executor_job(
                    PiCamera,
                    int(self.config.get(CONF_CAMERA_INDEX, 0)),
                    parse_resolution(
                        self.config.get(CONF_CAMERA_RESOLUTION, DEFAULT_CAMERA_RESOLUTION)
                    ),
                )
            except Exception as err:  # noqa: BLE001
                self._set_camera_available(False, str(err))
        await self._async_open_gpio()

    @property
    def uses_gpio(self) -> bool:
        """Whether the zone has GPIO pins (a PIR or a buzzer), so it needs gpiozero and gpiod."""
        return (
            self.motion_source is MotionSource.GPIO or self.config.get(CONF_BUZZER_PIN) is not None
        )

    async def _async_gpio_requirements(self) -> bool:
        """Install gpiozero and gpiod if missing; False (logged once) while that fails."""
        try:
            await async_process_requirements(self.hass, DOMAIN, GPIO_REQUIREMENTS)
        except HomeAssistantError as err:
            if self._gpio_requirements_error is None:
                LOGGER.warning(
                    "Zone %s: the GPIO libraries (%s) could not be installed, so its GPIO pins "
                    "are unavailable; trying again every %s s: %s",
                    self.name,
                    ", ".join(GPIO_REQUIREMENTS),
                    GPIO_RETRY_SECONDS,
                    err,
                )
            self._gpio_requirements_error = str(err)
            return False
        if self._gpio_requirements_error is not None:
            LOGGER.info("Zone %s: the GPIO libraries are installed now", self.name)
            self._gpio_requirements_error = None
        return True

    async def _async_open_gpio(self) -> None:
        """Open whichever of the PIR and the buzzer is not open; retry later what fails."""
        self._gpio_retry = None
        if self.uses_gpio and not await self._async_gpio_requirements():
            if self.motion_source is MotionSource.GPIO:
                self._set_motion_available(False, "the GPIO libraries could not be installed")
            self._async_retry_gpio()
            self._notify()
            return
        backend = self.config.get(CONF_GPIO_BACKEND, GpioBackend.AUTO)
        if self.motion_source is MotionSource.GPIO and self.pir is None:
            try:
                self.pir = await self.hass.async_add_executor_job(
                    _open_pir,
                    int(self.config[CONF_MOTION_PIN]),
                    backend,
                    self._motion_from_thread,
                    self._gpio_lost_from_thread,
                )
            except Exception as err:  # noqa: BLE001 - any GPIO failure leaves the zone unavailable
                self._set_motion_available(False, str(err))
                self._async_retry_gpio()
                self._notify()
                return
            if self._stopped:  # unloaded while the chip was being opened: give it back
                await self.hass.async_add_executor_job(self._close_gpio)
                return
            self.motion = self.pir.motion
            self._set_motion_available(True)
        if (pin := self.config.get(CONF_BUZZER_PIN)) is not None and self.buzzer is None:
            factory = self.pir.factory if self.pir is not None else None
            try:
                self.buzzer = await self.hass.async_add_executor_job(
                    _open_buzzer, int(pin), backend, factory
                )
            except Exception as err:  # noqa: BLE001 - the siren shows unavailable, retried
                if not self._buzzer_failed:
                    LOGGER.warning(
                        "Zone %s: the buzzer on GPIO %s cannot be used, trying again every %s s: %s",
                        self.name,
                        pin,
                        GPIO_RETRY_SECONDS,
                        err,
                    )
                self._buzzer_failed = True
                self._async_retry_gpio()
            else:
                if self._buzzer_failed:
                    LOGGER.info("Zone %s: the buzzer is back", self.name)
                self._buzzer_failed = False
            if self._stopped:  # unloaded while the pin was being claimed: give it back
                await self.hass.async_add_executor_job(self._close_gpio)
                return
        self._notify()

    @callback
    def _async_retry_gpio(self) -> None:
        if self._stopped or self._gpio_retry is not None:
            return

        @callback
        def retry(_now: Any) -> None:
            self.coordinator.config_entry.async_create_background_task(
                self.hass, self._async_open_gpio(), f"{self.name} GPIO reopen"
            )

        self._gpio_retry = async_call_later(self.hass, GPIO_RETRY_SECONDS, retry)

    def _gpio_lost_from_thread(self, err: OSError) -> None:
        """The GPIO chip stopped answering (told on a gpiozero thread)."""
        self.hass.loop.call_soon_threadsafe(self._async_gpio_lost, err)

    @callback
    def _async_gpio_lost(self, err: OSError) -> None:
        if self._stopped or self.pir is None:
            return
        self.motion = None
        self._set_motion_available(False, f"the GPIO chip stopped answering: {err}")
        self._notify()
        self.coordinator.config_entry.async_create_background_task(
            self.hass, self._async_close_gpio_and_retry(), f"{self.name} GPIO lost"
        )

    async def _async_close_gpio_and_retry(self) -> None:
        await self.hass.async_add_executor_job(self._close_gpio)
        self._notify()
        self._async_retry_gpio()

    def _close_gpio(self) -> None:
        """Release the buzzer and the PIR (they may share a factory: buzzer first). Blocking."""
        for device in (self.buzzer, self.pir):
            if device is None:
                continue
            try:
                device.close()
            except Exception as err:  # noqa: BLE001 - a vanished chip may fail to release
                LOGGER.debug("Zone %s: closing %s failed: %s", self.name, device, err)
        self.buzzer = self.pir = None

    async def async_stop(self) -> None:
        """Release the hardware (GPIO pins, camera) and the subscriptions."""
        if (chain := self._chain) is not None and not chain.done():
            # A run in flight finishes and fires its event before the hardware goes.
            _, pending = await asyncio.wait({chain}, timeout=UNLOAD_GRACE_SECONDS)
            for task in pending:
                LOGGER.warning(
                    "Zone %s: the run did not finish within %s s of the reload; it is reported "
                    "when the account is back",
                    self.name,
                    UNLOAD_GRACE_SECONDS,
                )
                task.cancel()
        self._stopped = True
        if self._cooldown_timer is not None:
            self._cooldown_timer()
            self._cooldown_timer = None
        if self._gpio_retry is not None:
            self._gpio_retry()
            self._gpio_retry = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

        def close() -> None:
            self._close_gpio()
            if self.picamera is not None:
                self.picamera.close()

        await self.hass.async_add_executor_job(close)
        self.picamera = None

    async def async_simulate_motion(self, seconds: float) -> None:
        """Pulse a simulated PIR pin (gpiozero MockFactory) high for ``seconds``."""
        if self.pir is None or not hasattr(self.pir.factory, "pins"):
            return
        pin = self.pir.factory.pin(int(self.config[CONF_MOTION_PIN]))
        if not hasattr(pin, "drive_high"):
            return
        await self.hass.async_add_executor_job(pin.drive_high)
        await asyncio.sleep(seconds)
        await self.hass.async_add_executor_job(pin.drive_low)

    # Listeners (the zone's entities).
    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` whenever the zone's state changes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    # Availability, logged once per change.
    def _set_motion_available(self, available: bool, reason: str = "") -> None:
        if self._availability_changed(
            "the motion source", self.motion_available, available, reason
        ):
            self.motion_available = available

    def _set_camera_available(self, available: bool, reason: str = "") -> None:
        if self._availability_changed("the camera", self.camera_available, available, reason):
            self.camera_available = available

    def _availability_changed(self, source: str, was: bool, now: bool, reason: str) -> bool:
        """Log a source going down or coming back, once per change; True if it changed.

        "Back" is said only after "unavailable" was: a source coming up at start-up is normal.
        """
        if was == now:
            return False
        if not now:
            LOGGER.warning("Zone %s: %s is unavailable: %s", self.name, source, reason)
            self._reported_down.add(source)
        elif source in self._reported_down:
            LOGGER.info("Zone %s: %s is back", self.name, source)
            self._reported_down.discard(source)
        return True

    # Motion.
    def _motion_from_thread(self, detected: bool) -> None:
        """Gpiozero calls this on its own thread: hop onto the event loop."""
        self.hass.loop.call_soon_threadsafe(self.async_motion, detected)

    @callback
    def _async_motion_state(self, event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        self._apply_motion_state(new)
        if new is not None and new.state == STATE_ON and (old is None or old.state != STATE_ON):
            self.async_motion(True, notify=False)
        self._notify()

    def _apply_motion_state(self, state: Any) -> None:
        available = state is not None and state.state != STATE_UNAVAILABLE
        self._set_motion_available(available, "state is unavailable")
        self.motion = state.state == STATE_ON if available else None

    @callback
    def async_motion(self, detected: bool, notify: bool = True) -> None:
        """Motion started (True) or ended (False)."""
        if self.motion_source is MotionSource.GPIO:
            self.motion = detected
        if notify:
            self._notify()
        if detected:
            self.async_trigger()

    @callback
    def async_trigger(self, *, force: bool = False) -> bool:
        """Start a run for motion, unless coalesced, deferred or ignored; True if a run starts."""
        self.stats.motion_events += 1
        return self._async_gate(force=force)

    @callback
    def _async_gate(self, *, force: bool = False) -> bool:
        if not force:
            if not self.recognize_on_motion:
                self.stats.ignored_disabled += 1
                return False
            if not self.armed:
                self.stats.ignored_disarmed += 1
                return False
        if self._running:
            self.stats.coalesced += 1
            self._follow_up = True
            return False
        if not force and time.monotonic() < self._cooldown_until:
            # Not dropped: it runs when the cooldown ends.
            self.stats.deferred_cooldown += 1
            self._pending = True
            return False
        self._running = True
        # Not bound to the entry: an unload lets a run in flight finish (see async_stop).
        self._chain = self.hass.async_create_background_task(
            self._async_run_chain(), f"intruder_alert zone {self.name}"
        )
        return True

    @property
    def armed(self) -> bool:
        """Whether motion here is watched: only an explicit ``disarmed`` alarm panel disarms.

        ``unavailable`` and ``unknown`` are what a cloud alarm panel shows when the line is
        cut, or before its integration has loaded: exactly when the alarm must keep watching.
        """
        panel = self.config.get(CONF_ALARM_PANEL)
        if not panel:
            return True
        state = self.hass.states.get(panel)
        return state is None or state.state != "disarmed"

    async def _async_run_chain(self) -> None:
        """The run, then at most one follow-up for motion that came during it, then cooldown."""
        try:
            self._follow_up = False
            await self.async_run_once()
            if self._follow_up:
                self._follow_up = False
                self.stats.follow_ups += 1
                await self.async_run_once()
        finally:
            # Motion during the follow-up waits for the end of the cooldown, like any other.
            self._pending = self._pending or self._follow_up
            self._follow_up = False
            self._running = False
            self._cooldown_until = time.monotonic() + self.cooldown
            self._schedule_cooldown_end()

    @callback
    def _schedule_cooldown_end(self) -> None:
        if self._stopped:
            return
        if self._cooldown_timer is not None:
            self._cooldown_timer()
        self._cooldown_timer = async_call_later(
            self.hass, max(self.cooldown, 0), self._async_cooldown_over
        )

    @callback
    def _async_cooldown_over(self, _now: Any) -> None:
        """Motion that waited, or motion still on after a real cooldown, gets one more run."""
        self._cooldown_timer = None
        # With no cooldown, motion held on would loop runs: only new motion counts then.
        still_on = self.cooldown > 0 and self.motion is True
        if self._stopped or not (self._pending or still_on):
            return
        self._pending = False
        self._cooldown_until = 0.0  # the timer is the cooldown's end, whatever the clock says
        if self._async_gate():
            self.stats.after_cooldown += 1

    async def async_run_once(self, *, fire_event: bool = True) -> Outcome:
        """Capture, recognise, announce: one run at a time (an action waits for a motion run)."""
        async with self._run_lock:
            self.stats.runs += 1
            # The alarm budget covers everything from here to the event.
            deadline = self.hass.loop.time() + self.coordinator.alarm_budget
            frame: PreparedImage | None = None
            failure: str | None = None
            self._forget_provisional()
            # Named before the first frame is saved, so an early record carries it too.
            self._run_id = ulid_now()
            # As it was when the run started: an unknown face while armed is kept as evidence.
            armed = self.armed
            try:
                async with asyncio.timeout_at(deadline):
                    frame = await self._async_best_frame()
            except CaptureError as err:
                failure = str(err)
            except TimeoutError:
                failure = (
                    f"No frame within the alarm budget ({self.coordinator.alarm_budget:.0f} s)"
                )
                if self._provisional is not None:
                    frame = self._provisional[0]
                    failure = None
            except Exception as err:  # noqa: BLE001 - a camera platform's own bug still alerts
                LOGGER.exception("Zone %s: taking a frame failed", self.name)
                failure = f"Taking a frame failed: {err!r}"
            saved = await self._async_settle_provisional(frame)
            try:
                outcome = await async_run(
                    self.hass,
                    self.coordinator,
                    frame,
                    zone=self.name,
                    device_id=self.device_id,
                    fire_event=fire_event,
                    failure=failure,
                    deadline=deadline,
                    saved=saved,
                    run_id=self._run_id,
                    armed=armed,
                )
            except Exception as err:  # noqa: BLE001 - the last line of fail-secure
                LOGGER.exception("Zone %s: the run failed", self.name)
                outcome = await async_run(
                    self.hass,
                    self.coordinator,
                    None,
                    zone=self.name,
                    device_id=self.device_id,
                    fire_event=fire_event,
                    failure=f"Unexpected error: {err!r}",
                    armed=armed,
                )
            if fire_event:  # test calls leave the camera health alone, as they fire no event
                await self.camera_health.async_after_run(frame, outcome)
            self.async_set_outcome(outcome)
            return outcome

    def _forget_provisional(self) -> None:
        # A previous run cut short left its first frame: its record stays for the next start.
        self._provisional = None

    async def _async_settle_provisional(self, frame: PreparedImage | None) -> Snapshot | None:
        """The snapshot already saved for ``frame``, or None (an unused one is deleted)."""
        if (provisional := self._provisional) is None:
            return None
        self._provisional = None
        first, snapshot = provisional
        if frame is first:
            return snapshot
        await self.hass.async_add_executor_job(self.coordinator.snapshots.delete, snapshot)
        return None

    @callback
    def async_set_outcome(self, outcome: Outcome) -> None:
        """Show ``outcome`` on the zone's entities."""
        self.last_outcome = outcome
        self._notify()

    # Frames.
    async def async_capture_jpeg(self) -> bytes:
        """One raw still from the zone's camera (raises CaptureError)."""
        if self.camera_source is CameraSource.PICAMERA:
            if self.picamera is None:
                raise CaptureError("The Raspberry Pi camera is not available")
            try:
                data = await self.hass.async_add_executor_job(self.picamera.capture_jpeg)
            except Exception as err:
                self._set_camera_available(False, str(err))
                raise CaptureError(f"The Raspberry Pi camera failed: {err}") from err
            self._last_still = (data, time.monotonic())
        else:
            entity_id = self.config[CONF_CAMERA_ENTITY]
            try:
                image = await camera.async_get_image(self.hass, entity_id, timeout=CAMERA_TIMEOUT)
            except HomeAssistantError as err:
                self._set_camera_available(False, str(err))
                raise CaptureError(f"{entity_id} gave no image: {err}") from err
            data = image.content
        self._set_camera_available(True)
        return data

    async def async_preview_jpeg(self) -> bytes:
        """What the camera sees, for dashboards (raises CaptureError).

        A Pi camera serves its last still while it is young or while a run is capturing, so
        open dashboards never queue full-resolution stills in front of an alarm's.
        """
        if self.camera_source is CameraSource.PICAMERA and (last := self._last_still):
            data, taken = last
            if self._run_lock.locked() or time.monotonic() - taken < PREVIEW_MAX_AGE_SECONDS:
                return data
        return await self.async_capture_jpeg()

    async def _async_capture(self) -> PreparedImage:
        data = await self.async_capture_jpeg()
        try:
            return await async_prepare(self.hass, data)
        except BadImageError as err:
            raise CaptureError(f"The camera's image cannot be used: {err}") from err

    async def _async_save_provisional(self, frame: PreparedImage) -> None:
        """Save a burst's first frame before the rest: a stop during ranking still reports it."""
        try:
            snapshot = await self.hass.async_add_executor_job(
                self.coordinator.snapshots.save_in_progress,
                frame.jpeg,
                self.name,
                self.device_id,
                dt_util.utcnow(),
                self._run_id,
            )
        except OSError as err:  # the run saves (or reports failing to save) the chosen frame
            LOGGER.debug("Zone %s: the first frame could not be saved yet: %s", self.name, err)
            return
        self._provisional = (frame, snapshot)

    async def _async_best_frame(self) -> PreparedImage:
        """One frame, or the burst's frame with the most and largest faces."""
        count = max(1, int(self.config.get(CONF_FRAMES, DEFAULT_FRAMES)))
        interval = float(self.config.get(CONF_BURST_INTERVAL, DEFAULT_BURST_INTERVAL))
        frames: list[PreparedImage] = []
        for index in range(count):
            if index:
                await asyncio.sleep(interval)
            try:
                frames.append(await self._async_capture())
            except CaptureError as err:
                if not frames:
                    raise
                # A later frame failing never throws the good ones away.
                LOGGER.debug("Zone %s: frame %s of the burst failed: %s", self.name, index, err)
                break
            if index == 0 and count > 1:
                await self._async_save_provisional(frames[0])
        if len(frames) == 1:
            return frames[0]
        try:
            async with asyncio.timeout(RANK_BUDGET_SECONDS):
                return frames[await self.coordinator.recognizer.best_frame(frames)]
        except (EngineError, TimeoutError) as err:
            # Choosing is an optimisation: the first frame still gets recognised (and fails
            # there too if the cloud is down, which then alerts).
            LOGGER.debug("Zone %s: could not rank the burst: %r", self.name, err)
            return frames[0]
