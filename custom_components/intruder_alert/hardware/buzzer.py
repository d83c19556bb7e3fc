"""A buzzer on a GPIO pin through gpiozero: plain (Buzzer) or tonal (TonalBuzzer, needs PWM)."""

from __future__ import annotations

import contextlib
from typing import Any

# TonalBuzzer plays notes between these frequencies (gpiozero's default range, octave 4).
MIN_TONE_HZ = 220.0
MAX_TONE_HZ = 880.0


class GpioBuzzer:
    """An active or passive buzzer. Passive ones play tones when the back-end has PWM."""

    def __init__(self, pin: int, backend: str, factory: Any = None) -> None:
        """Claim the pin. Blocking."""
        from gpiozero import Buzzer, TonalBuzzer

        from .gpiod_factory import make_factory

        self.factory = factory if factory is not None else make_factory(backend)
        self._owns_factory = factory is None
        self.device: Any
        try:
            self.device = TonalBuzzer(pin, mid_tone=440.0, octaves=1, pin_factory=self.factory)
            self.tonal = True
        except Exception:  # noqa: BLE001 - no PWM on this back-end: a plain on/off buzzer
            self.device = Buzzer(pin, pin_factory=self.factory)
            self.tonal = False

    @property
    def is_on(self) -> bool:
        """Whether it is sounding (a tonal buzzer's value is its pitch, 0 at the middle tone)."""
        if self.tonal:
            return self.device.tone is not None
        return bool(self.device.value)

    def on(self, tone_hz: float | None = None) -> None:
        """Sound, at ``tone_hz`` where the hardware can."""
        if self.tonal:
            from gpiozero.tones import Tone

            frequency = min(max(tone_hz or 440.0, MIN_TONE_HZ), MAX_TONE_HZ)
            self.device.play(Tone.from_frequency(frequency))
        else:
            self.device.on()

    def off(self) -> None:
        """Stop sounding."""
        if self.tonal:
            self.device.stop()
        else:
            self.device.off()

    def close(self) -> None:
        """Silence it, then release the pin (a released line may keep its last level)."""
        # A vanished chip cannot be driven; the pin is released anyway.
        with contextlib.suppress(Exception):
            self.off()
        self.device.close()
        if self._owns_factory:
            self.factory.close()
