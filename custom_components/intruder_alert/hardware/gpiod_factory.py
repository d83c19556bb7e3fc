"""A gpiozero pin factory on libgpiod v2 (the ``gpiod`` package).

gpiozero's own back-ends do not cover Home Assistant's hosts: ``lgpio`` has no wheels for
Python 3.14 and no Pi 5 support, RPi.GPIO does not run on a Pi 5. ``gpiod`` talks to the kernel's
GPIO character device, works on every Pi and ships wheels with libgpiod bundled. This is a real
gpiozero ``Factory``/``Pin`` pair, so gpiozero's devices (MotionSensor, Buzzer) run on it
unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
import glob
import threading
from typing import Any

from gpiozero.exc import (
    PinFixedPull,
    PinInvalidBounce,
    PinInvalidFunction,
    PinInvalidPull,
    PinSetInput,
)
from gpiozero.pins.local import LocalPiFactory, LocalPiPin

CONSUMER = "intruder_alert"
# Labels of the Raspberry Pi's main GPIO controller: Pi 5 (RP1) first, then older boards.
PI_CHIP_LABELS = ("pinctrl-rp1", "pinctrl-bcm2712", "pinctrl-bcm2711", "pinctrl-bcm2835")
# How often the edge thread looks up from waiting to see whether it should stop.
EDGE_POLL_SECONDS = 0.1


class GpioChipNotFoundError(RuntimeError):
    """No GPIO character device, or none that is the Pi's header controller."""


def _gpiod() -> Any:
    import gpiod

    return gpiod


def find_chip_path(paths: list[str] | None = None) -> str:
    """The gpiochip device of the Pi's 40-pin header, found by its label."""
    gpiod = _gpiod()
    candidates = sorted(paths if paths is not None else glob.glob("/dev/gpiochip*"))
    labels: dict[str, str] = {}
    for path in candidates:
        try:
            with gpiod.Chip(path) as chip:
                labels[path] = chip.get_info().label
        except OSError:
            continue
    for wanted in PI_CHIP_LABELS:
        for path, label in labels.items():
            if label == wanted:
                return path
    if labels:
        # Not a Pi: the first controller is the best guess.
        return next(iter(labels))
    raise GpioChipNotFoundError("No GPIO chip device (/dev/gpiochip*) could be opened")


class GpiodFactory(LocalPiFactory):
    """Pins of the Pi's GPIO header through libgpiod v2."""

    def __init__(self, chip_path: str | None = None, revision: int | None = None) -> None:
        """Open the header's chip (found by label unless ``chip_path`` is given)."""
        self._revision_override = revision
        super().__init__()
        gpiod = _gpiod()
        self._chip_path = chip_path or find_chip_path()
        self._chip = gpiod.Chip(self._chip_path)
        self.pin_class = GpiodPin
        # Told once when the chip stops answering (unplugged HAT, device removed from a container).
        self.on_error: Callable[[OSError], None] | None = None
        self.error: OSError | None = None

    def report_error(self, err: OSError) -> None:
        """A pin could not reach the chip: remember it and tell ``on_error`` (once)."""
        if self.error is not None:
            return
        self.error = err
        if self.on_error is not None:
            self.on_error(err)

    def _get_revision(self) -> int:
        if self._revision_override is not None:
            return self._revision_override
        return int(super()._get_revision())

    @property
    def chip_path(self) -> str:
        """The device this factory drives."""
        return self._chip_path

    def request_line(self, offset: int, settings: Any) -> Any:
        """Request one line of the chip."""
        return self._chip.request_lines(config={offset: settings}, consumer=CONSUMER)

    def close(self) -> None:
        """Release this factory's pins, then its chip.

        gpiozero's local factories share one pin table across instances; closing another
        zone's pins here would cut its sensor, so only our own pins are closed.
        """
        for pin in [pin for pin in self.pins.values() if pin.factory is self]:
            pin.close()
        if self._chip is not None:
            self._chip.close()
            self._chip = None


class GpiodPin(LocalPiPin):
    """One header pin: a libgpiod line request, reconfigured as gpiozero changes the pin."""

    def __init__(self, factory: GpiodFactory, info: Any) -> None:
        """Claim the line as a floating input."""
        super().__init__(factory, info)
        self._gpiod = _gpiod()
        line = self._gpiod.line
        self._direction = line.Direction.INPUT
        self._bias = line.Bias.DISABLED
        self._edges = "both"
        self._bounce: float | None = None
        self._output = False
        self._edge_thread: threading.Thread | None = None
        self._stop_edges = threading.Event()
        self._request = factory.request_line(self._number, self._settings())

    def _settings(self) -> Any:
        line = self._gpiod.line
        detecting = self._edge_thread is not None
        return self._gpiod.LineSettings(
            direction=self._direction,
            bias=self._bias if self._direction == line.Direction.INPUT else line.Bias.AS_IS,
            edge_detection=(
                {"both": line.Edge.BOTH, "rising": line.Edge.RISING, "falling": line.Edge.FALLING}[
                    self._edges
                ]
                if detecting
                else line.Edge.NONE
            ),
            debounce_period=timedelta(seconds=self._bounce or 0),
            output_value=line.Value.ACTIVE if self._output else line.Value.INACTIVE,
        )

    def _apply(self) -> None:
        self._request.reconfigure_lines(config={self._number: self._settings()})

    def close(self) -> None:
        """Stop edge detection, release the line and forget the pin (a new one is made)."""
        try:
            self._disable_event_detect()
        except OSError as err:
            self.factory.report_error(err)
        request, self._request = self._request, None
        if request is not None:
            try:
                request.release()
            except OSError as err:
                # The chip is gone, and the line request with it.
                self.factory.report_error(err)
        self.factory.pins.pop(self.info, None)

    def _get_function(self) -> str:
        return "output" if self._direction == self._gpiod.line.Direction.OUTPUT else "input"

    def _set_function(self, value: str) -> None:
        directions = {
            "input": self._gpiod.line.Direction.INPUT,
            "output": self._gpiod.line.Direction.OUTPUT,
        }
        if value not in directions:
            raise PinInvalidFunction(f'invalid function "{value}" for pin {self!r}')
        self._disable_event_detect()
        self._direction = directions[value]
        self._apply()

    def _get_state(self) -> bool:
        # gpiozero samples inputs on its own thread, which an exception would end silently:
        # report the lost chip instead, and read "no signal" until the pin is reopened.
        try:
            value = self._request.get_value(self._number)
        except OSError as err:
            self.factory.report_error(err)
            return False
        return bool(value == self._gpiod.line.Value.ACTIVE)

    def _set_state(self, value: Any) -> None:
        if self._get_function() == "input":
            raise PinSetInput(f"cannot set state of pin {self!r}")
        self._output = bool(value)
        line = self._gpiod.line
        self._request.set_value(
            self._number, line.Value.ACTIVE if self._output else line.Value.INACTIVE
        )

    def _get_pull(self) -> str:
        return {
            self._gpiod.line.Bias.PULL_UP: "up",
            self._gpiod.line.Bias.PULL_DOWN: "down",
        }.get(self._bias, "floating")

    def _set_pull(self, value: str) -> None:
        if self._get_function() != "input":
            raise PinFixedPull(f"cannot set pull on non-input pin {self!r}")
        if self.info.pull not in (value, ""):
            raise PinFixedPull(f"{self!r} has a physical pull-{self.info.pull} resistor")
        biases = {
            "up": self._gpiod.line.Bias.PULL_UP,
            "down": self._gpiod.line.Bias.PULL_DOWN,
            "floating": self._gpiod.line.Bias.DISABLED,
        }
        if value not in biases:
            raise PinInvalidPull(f'invalid pull "{value}" for pin {self!r}')
        self._bias = biases[value]
        self._apply()

    def _get_bounce(self) -> float | None:
        return self._bounce

    def _set_bounce(self, value: float | None) -> None:
        if value is not None and value < 0:
            raise PinInvalidBounce("bounce must be 0 or greater")
        # libgpiod debounces in the kernel: no software filtering needed.
        self._bounce = value or None
        self._apply()

    def _get_edges(self) -> str:
        return self._edges

    def _set_edges(self, value: str) -> None:
        # gpiozero's own pattern: stop detection, change edges, restart with the same callback.
        callback: Any = self._get_when_changed()
        self._set_when_changed(None)
        try:
            self._edges = value
        finally:
            self._set_when_changed(callback)

    def _enable_event_detect(self) -> None:
        self._stop_edges.clear()
        self._edge_thread = threading.Thread(
            target=self._watch_edges, name=f"gpiod-edges-{self._number}", daemon=True
        )
        self._apply()
        self._edge_thread.start()

    def _disable_event_detect(self) -> None:
        thread, self._edge_thread = self._edge_thread, None
        if thread is None:
            return
        self._stop_edges.set()
        if thread is not threading.current_thread():
            thread.join()
        if self._request is not None:
            self._apply()

    def _watch_edges(self) -> None:
        """Deliver edge events to gpiozero, on this pin's own thread (as gpiozero expects)."""
        rising = self._gpiod.EdgeEvent.Type.RISING_EDGE
        request = self._request
        while not self._stop_edges.is_set():
            try:
                if not request.wait_edge_events(timedelta(seconds=EDGE_POLL_SECONDS)):
                    continue
                events = request.read_edge_events()
            except OSError as err:
                self.factory.report_error(err)
                return
            for event in events:
                self._call_when_changed(event.timestamp_ns / 1e9, event.event_type == rising)


def make_factory(backend: str, **kwargs: Any) -> Any:
    """A gpiozero pin factory for ``backend`` (auto, gpiod, lgpio or mock). Blocking."""
    if backend == "mock":
        from gpiozero.pins.mock import MockFactory, MockPWMPin

        # Simulated pins with PWM, so a simulated passive buzzer can play tones.
        return MockFactory(pin_class=MockPWMPin, **kwargs)
    if backend == "lgpio":
        from gpiozero.pins.lgpio import LGPIOFactory

        return LGPIOFactory(**kwargs)
    if backend == "gpiod":
        return GpiodFactory(**kwargs)
    errors: list[str] = []
    for candidate in ("lgpio", "gpiod"):
        try:
            return make_factory(candidate)
        except Exception as err:  # noqa: BLE001 - try the next back-end, report all
            errors.append(f"{candidate}: {err}")
    raise GpioChipNotFoundError("No working GPIO back-end: " + "; ".join(errors))
