"""Hardware adapters: the gpiod pin factory (against a simulated kernel), PIR, buzzer, Pi camera."""

from __future__ import annotations

from collections.abc import Generator
import io
import sys
import threading
import time
from typing import Any
from unittest.mock import patch

from gpiozero.exc import PinFixedPull
from PIL import Image
import pytest

from custom_components.intruder_alert.hardware import gpiod_factory, picamera
from custom_components.intruder_alert.hardware.buzzer import GpioBuzzer
from custom_components.intruder_alert.hardware.gpiod_factory import (
    GpioChipNotFoundError,
    GpiodFactory,
    find_chip_path,
    make_factory,
)
from custom_components.intruder_alert.hardware.motion import PirSensor

from .conftest import FakePicamera2
from .fake_gpiod import FakeChip, make_module

PI4 = 0xC03112


@pytest.fixture
def chips() -> Generator[dict[str, FakeChip]]:
    """A Pi 5 as libgpiod sees it: the RP1 header controller is gpiochip4."""
    module, made = make_module(
        {"/dev/gpiochip0": "gpio-brcmstb@107d508500", "/dev/gpiochip4": "pinctrl-rp1"}
    )
    with patch.dict(sys.modules, {"gpiod": module}):
        yield made


def _wait(condition: Any, seconds: float = 3.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_header_chip_found_by_label(chips: dict[str, FakeChip]) -> None:
    """On a Pi 5 the header is not gpiochip0: the RP1 controller is found by its label."""
    assert find_chip_path(list(chips)) == "/dev/gpiochip4"
    assert find_chip_path(["/dev/gpiochip0", "/dev/missing"]) == "/dev/gpiochip0"
    with pytest.raises(GpioChipNotFoundError):
        find_chip_path(["/dev/missing"])


def test_pir_on_gpiod(chips: dict[str, FakeChip]) -> None:
    """Gpiozero's MotionSensor runs unchanged on the gpiod factory; edges arrive on a thread."""
    factory = GpiodFactory(revision=PI4, chip_path=find_chip_path(list(chips)))
    seen: list[tuple[bool, str]] = []
    sensor = PirSensor(
        17, "gpiod", lambda motion: seen.append((motion, threading.current_thread().name)), factory
    )
    chip = chips["/dev/gpiochip4"]
    request = chip.requests[17]
    try:
        # A PIR drives its output: no pull resistor.
        assert request.settings[17].bias == gpiod_factory._gpiod().line.Bias.DISABLED
        chip.drive(17, True)
        _wait(lambda: seen)
        assert sensor.motion
        chip.drive(17, False)
        _wait(lambda: len(seen) == 2)
        assert [motion for motion, _ in seen] == [True, False]
        assert all(thread != threading.main_thread().name for _, thread in seen)
    finally:
        sensor.close()
    assert request.released
    factory.close()
    assert chip.closed


def test_edges_arrive_from_the_kernel(chips: dict[str, FakeChip]) -> None:
    """when_changed turns on kernel edge detection; events reach gpiozero with their level."""
    factory = GpiodFactory(revision=PI4, chip_path="/dev/gpiochip4")
    pin = factory.pin(23)
    edges: list[tuple[float, bool]] = []

    def on_edge(ticks: float, state: bool) -> None:  # gpiozero keeps only a weak reference
        edges.append((ticks, state))

    pin.when_changed = on_edge
    chip = chips["/dev/gpiochip4"]
    line = gpiod_factory._gpiod().line
    assert chip.requests[23].settings[23].edge_detection == line.Edge.BOTH
    try:
        chip.drive(23, True)
        chip.drive(23, False)
        _wait(lambda: len(edges) == 2)
        assert [state for _, state in edges] == [True, False]
        assert edges[0][0] <= edges[1][0]
    finally:
        pin.when_changed = None
    assert chip.requests[23].settings[23].edge_detection == line.Edge.NONE
    factory.close()


def test_pin_settings_follow_gpiozero(chips: dict[str, FakeChip]) -> None:
    """Pull, bounce (kernel debounce) and edges become line settings."""
    factory = GpiodFactory(revision=PI4, chip_path="/dev/gpiochip4")
    pin = factory.pin(27)
    line = gpiod_factory._gpiod().line
    pin.pull = "up"
    pin.bounce = 0.05
    assert pin.pull == "up"
    assert pin.bounce == 0.05
    settings = chips["/dev/gpiochip4"].requests[27].settings[27]
    assert settings.bias == line.Bias.PULL_UP
    assert settings.debounce_period.total_seconds() == pytest.approx(0.05)
    pin.edges = "rising"
    assert pin.edges == "rising"
    pin.pull = "down"
    assert pin.pull == "down"
    with pytest.raises(Exception, match="invalid pull"):
        pin.pull = "sideways"
    with pytest.raises(Exception, match="bounce"):
        pin.bounce = -1
    with pytest.raises(Exception, match="invalid function"):
        pin.function = "spi"
    with pytest.raises(Exception, match="cannot set state"):
        pin.state = True
    pin.function = "output"
    with pytest.raises(Exception, match="non-input"):
        pin.pull = "up"
    factory.close()


def test_buzzer_on_gpiod(chips: dict[str, FakeChip]) -> None:
    """Without PWM the buzzer is a plain on/off buzzer on an output line."""
    factory = GpiodFactory(revision=PI4, chip_path="/dev/gpiochip4")
    buzzer = GpioBuzzer(18, "gpiod", factory)
    chip = chips["/dev/gpiochip4"]
    assert buzzer.tonal is False
    buzzer.on(880)
    assert chip.levels[18] is True
    assert buzzer.is_on
    buzzer.off()
    assert chip.levels[18] is False
    buzzer.close()
    factory.close()


def test_tonal_buzzer_on_simulated_pins() -> None:
    """On PWM-capable pins the buzzer plays tones, clamped to its range."""
    buzzer = GpioBuzzer(12, "mock")
    assert buzzer.tonal
    buzzer.on(10_000)
    assert buzzer.device.pwm_device.frequency == pytest.approx(880.0)
    buzzer.off()
    assert not buzzer.is_on
    buzzer.close()


def test_auto_without_gpio(chips: dict[str, FakeChip]) -> None:
    """Automatic back-end with neither lgpio nor a header chip names every failure."""
    with (
        patch.object(gpiod_factory, "find_chip_path", side_effect=GpioChipNotFoundError("no chip")),
        pytest.raises(GpioChipNotFoundError, match=r"lgpio: .*gpiod: no chip"),
    ):
        make_factory("auto")


def test_picamera_capture(fake_picamera2: type[FakePicamera2]) -> None:
    """Configured once for stills at the chosen size; JPEG to memory; closed on close."""
    assert picamera.available()
    camera = picamera.PiCamera(1, (640, 480))
    with Image.open(io.BytesIO(camera.capture_jpeg())) as image:
        assert image.size == (640, 480)
    created = fake_picamera2.instances[0]
    assert created.index == 1
    assert created.started
    camera.close()
    assert created.closed


def test_picamera_absent_here() -> None:
    """Like Home Assistant OS, this machine has no picamera2."""
    assert picamera.available() is False


def test_header_chip_opened_by_label(chips: dict[str, FakeChip]) -> None:
    """Without a path the factory opens the header's chip: on a Pi 5, gpiochip4."""
    with patch("glob.glob", return_value=list(chips)):
        factory = GpiodFactory(revision=PI4)
    assert factory.chip_path == "/dev/gpiochip4"
    factory.pin(17)
    assert 17 in chips["/dev/gpiochip4"].requests
    factory.close()
    assert chips["/dev/gpiochip4"].closed


def test_chip_unplugged_while_watching_edges(chips: dict[str, FakeChip]) -> None:
    """The edge thread reports a vanished chip once and ends; closing the pin still works."""
    factory = GpiodFactory(revision=PI4, chip_path="/dev/gpiochip4")
    lost: list[OSError] = []
    factory.on_error = lost.append
    pin = factory.pin(23)

    def on_edge(ticks: float, state: bool) -> None:
        pass

    pin.when_changed = on_edge
    chip = chips["/dev/gpiochip4"]
    chip.gone = True
    _wait(lambda: lost)
    assert factory.error is lost[0]
    assert pin.state is False  # no signal rather than an exception on gpiozero's thread
    pin.close()  # stopping detection and releasing the line both fail: reported, not raised
    assert len(lost) == 1
    assert 23 not in {info.number for info in factory.pins}
    assert not any(
        thread.name == "gpiod-edges-23" and thread.is_alive() for thread in threading.enumerate()
    )
    factory.close()


def test_pins_with_a_fixed_resistor(chips: dict[str, FakeChip]) -> None:
    """GPIO 2 (I2C SDA) has a physical pull-up on the board: it cannot be pulled down."""
    factory = GpiodFactory(revision=PI4, chip_path="/dev/gpiochip4")
    pin = factory.pin(2)
    with pytest.raises(PinFixedPull, match="physical pull-up"):
        pin.pull = "down"
    pin.pull = "up"
    assert pin.pull == "up"
    factory.close()
