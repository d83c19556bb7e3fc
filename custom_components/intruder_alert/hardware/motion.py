"""A PIR motion sensor through gpiozero's MotionSensor."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FIRST_SAMPLE_TIMEOUT = 1.0


class PirSensor:
    """A PIR on one BCM pin. Callbacks arrive on gpiozero's threads.

    PIR modules drive their output high on motion and low after their hold time; they need no
    pull resistor (``pull_up=None`` with ``active_state=True``).
    """

    def __init__(
        self,
        pin: int,
        backend: str,
        on_change: Callable[[bool], None],
        factory: Any = None,
        on_lost: Callable[[OSError], None] | None = None,
    ) -> None:
        """Claim the pin and start watching it. Blocking (opens the GPIO chip).

        ``on_lost`` is told (on a gpiozero thread) when the GPIO chip stops answering; the
        sensor then reports no motion until it is closed and made again.
        """
        from gpiozero import MotionSensor

        from .gpiod_factory import make_factory

        self.factory = factory if factory is not None else make_factory(backend)
        self._owns_factory = factory is None
        if on_lost is not None and hasattr(self.factory, "on_error"):
            self.factory.on_error = on_lost
        self.device = MotionSensor(
            pin, pull_up=None, active_state=True, queue_len=1, pin_factory=self.factory
        )
        self.device.when_motion = lambda: on_change(True)
        self.device.when_no_motion = lambda: on_change(False)
        # gpiozero takes the first sample as the initial state without firing an event; wait for
        # it, so motion right after start-up is reported rather than taken as the resting state.
        queue = getattr(self.device, "_queue", None)
        if queue is not None:
            queue.full.wait(FIRST_SAMPLE_TIMEOUT)

    @property
    def motion(self) -> bool:
        """Whether the PIR currently sees motion."""
        return bool(self.device.motion_detected)

    def close(self) -> None:
        """Release the pin (and the factory, if this sensor made it)."""
        self.device.close()
        if self._owns_factory:
            self.factory.close()
