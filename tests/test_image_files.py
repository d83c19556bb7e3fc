"""Image files named by actions: read where the path check looked, and no more than the limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from custom_components.intruder_alert import services
from homeassistant.exceptions import ServiceValidationError


def test_a_symlink_swapped_during_the_read_cannot_redirect_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resolved path is read: a link repointed after resolving leads nowhere else."""
    media = tmp_path / "media"
    media.mkdir()
    photo = media / "photo.jpg"
    photo.write_bytes(b"the visitor's photo")
    secret = tmp_path / "secrets.yaml"
    secret.write_bytes(b"smtp_password: hunter2")
    link = media / "visitor.jpg"
    link.symlink_to(photo)

    is_file = Path.is_file

    def swap_while_checking(self: Path, **kwargs: bool) -> bool:
        # Someone with write access to the media folder repoints the link at this moment.
        if link.resolve() != secret:
            link.unlink()
            link.symlink_to(secret)
        return is_file(self, **kwargs)

    monkeypatch.setattr(Path, "is_file", swap_while_checking)
    assert services._read_image_file(str(link)) == b"the visitor's photo"


def test_a_file_that_grew_after_the_size_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No more than the limit is read, whatever the size said a moment before."""
    monkeypatch.setattr(services, "MAX_IMAGE_FILE_BYTES", 10)
    growing = tmp_path / "growing.jpg"
    growing.write_bytes(b"0123456789")
    assert services._read_image_file(str(growing)) == b"0123456789"

    open_file = Path.open

    def grow_then_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        # The file grows between the size check and the read.
        with open_file(self, "ab") as file:
            file.write(b"more")
        return open_file(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", grow_then_open)
    with pytest.raises(ServiceValidationError) as err:
        services._read_image_file(str(growing))
    assert err.value.translation_key == "file_too_large"
