"""A stand-in for the ``gpiod`` package's chip access (no /dev/gpiochip here).

Settings, enums and event types are the real package's; only the kernel side is simulated:
lines hold levels, and driving an input with edge detection on queues edge events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
import errno
import queue
import time
import types
from typing import Any

import gpiod as real_gpiod

Value = real_gpiod.line.Value
Edge = real_gpiod.line.Edge


@dataclass
class FakeEdgeEvent:
    event_type: Any
    timestamp_ns: int
    line_offset: int


class FakeRequest:
    def __init__(self, chip: FakeChip, config: dict[int, Any]) -> None:
        self.chip = chip
        self.settings = dict(config)
        self.events: queue.Queue[FakeEdgeEvent] = queue.Queue()
        self.released = False
        for offset in config:
            chip.requests[offset] = self

    def get_value(self, offset: int) -> Any:
        self.chip.check()
        return Value.ACTIVE if self.chip.levels.get(offset, False) else Value.INACTIVE

    def set_value(self, offset: int, value: Any) -> None:
        self.chip.check()
        self.chip.levels[offset] = value == Value.ACTIVE

    def reconfigure_lines(self, config: dict[int, Any]) -> None:
        self.chip.check()
        self.settings.update(config)
        for offset, settings in config.items():
            if settings.direction == real_gpiod.line.Direction.OUTPUT:
                self.chip.levels[offset] = settings.output_value == Value.ACTIVE

    def wait_edge_events(self, timeout: timedelta | float | None = None) -> bool:
        self.chip.check()
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else (timeout or 0)
        deadline = time.monotonic() + seconds
        while self.events.empty() and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self.events.empty()

    def read_edge_events(self) -> list[FakeEdgeEvent]:
        self.chip.check()
        events = []
        while not self.events.empty():
            events.append(self.events.get())
        return events

    def release(self) -> None:
        self.chip.check()
        self.released = True
        for offset in self.settings:
            self.chip.requests.pop(offset, None)


class FakeChip:
    def __init__(self, path: str, label: str) -> None:
        self.path, self.label = path, label
        self.levels: dict[int, bool] = {}
        self.requests: dict[int, FakeRequest] = {}
        self.closed = False
        # The device was removed (a HAT unplugged, /dev/gpiochip* gone from a container).
        self.gone = False

    def check(self) -> None:
        if self.gone:
            raise OSError(errno.ENODEV, "No such device")

    def drive(self, offset: int, level: bool) -> None:
        """The outside world sets an input line's level."""
        before = self.levels.get(offset, False)
        self.levels[offset] = level
        request = self.requests.get(offset)
        if request is None or before == level:
            return
        edge = request.settings[offset].edge_detection
        rising = level and not before
        if (
            edge == Edge.BOTH
            or (edge == Edge.RISING and rising)
            or (edge == Edge.FALLING and not rising)
        ):
            kind = (
                real_gpiod.EdgeEvent.Type.RISING_EDGE
                if rising
                else real_gpiod.EdgeEvent.Type.FALLING_EDGE
            )
            request.events.put(FakeEdgeEvent(kind, time.monotonic_ns(), offset))


def make_module(chips: dict[str, str]) -> tuple[types.ModuleType, dict[str, FakeChip]]:
    """A ``gpiod`` module whose chips are ``{path: label}``."""
    made = {path: FakeChip(path, label) for path, label in chips.items()}

    class Chip:
        def __init__(self, path: str) -> None:
            if path not in made or made[path].gone:
                raise FileNotFoundError(path)
            self._chip = made[path]

        def __enter__(self) -> Chip:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def get_info(self) -> Any:
            return types.SimpleNamespace(label=self._chip.label)

        def request_lines(self, config: dict[int, Any], consumer: str = "") -> FakeRequest:
            return FakeRequest(self._chip, config)

        def close(self) -> None:
            self._chip.closed = True

    module = types.ModuleType("gpiod")
    module.Chip = Chip  # type: ignore[attr-defined]
    module.LineSettings = real_gpiod.LineSettings  # type: ignore[attr-defined]
    module.EdgeEvent = real_gpiod.EdgeEvent  # type: ignore[attr-defined]
    module.line = real_gpiod.line  # type: ignore[attr-defined]
    return module, made
