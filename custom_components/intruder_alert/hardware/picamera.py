"""The Raspberry Pi camera through picamera2, imported lazily.

picamera2 needs libcamera from Raspberry Pi OS; it cannot be installed in Home Assistant OS or
in the Home Assistant container. Where it is missing, the flow says so and users pick a camera
entity instead.
"""

from __future__ import annotations

import importlib.util
import io
import threading
from typing import Any


def available() -> bool:
    """Whether picamera2 can be imported here."""
    return importlib.util.find_spec("picamera2") is not None


class PiCamera:
    """One camera, configured once for stills and kept open."""

    def __init__(self, index: int, resolution: tuple[int, int]) -> None:
        """Open, configure and start the camera. Blocking."""
        from picamera2 import Picamera2

        self._lock = threading.Lock()
        self.camera: Any = Picamera2(index)
        self.camera.configure(self.camera.create_still_configuration(main={"size": resolution}))
        self.camera.start()

    def capture_jpeg(self) -> bytes:
        """One still as JPEG bytes, in memory. Blocking; one capture at a time."""
        buffer = io.BytesIO()
        with self._lock:
            self.camera.capture_file(buffer, format="jpeg")
        return buffer.getvalue()

    def close(self) -> None:
        """Stop and release the camera."""
        with self._lock:
            self.camera.stop()
            self.camera.close()
