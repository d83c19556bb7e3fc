"""Image files named by actions: read where the path check looked, and no more than the limit."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from custom_components.intruder_alert import services
from homeassistant.exceptions import ServiceValidationError


def _hass_allowing(folder: Path) -> Any:
    """Just enough of Home Assistant: its allowed-folders check for ``folder``."""
    return SimpleNamespace(
        config=SimpleNamespace(is_allowed_path=lambda path: path.startswith(f"{folder}/"))
    )


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
    assert services._read_image_file(_hass_allowing(media), str(link)) == b"the visitor's photo"


def test_a_link_out_of_the_allowed_folder_is_refused(tmp_path: Path) -> None:
    """The resolved path is what is checked: a link in the media folder to a secret is refused."""
    media = tmp_path / "media"
    media.mkdir()
    secret = tmp_path / "secrets.yaml"
    secret.write_bytes(b"smtp_password: hunter2")
    link = media / "visitor.jpg"
    link.symlink_to(secret)
    with pytest.raises(ServiceValidationError) as err:
        services._read_image_file(_hass_allowing(media), str(link))
    assert err.value.translation_key == "path_not_allowed"


def test_a_file_that_grew_after_the_size_check_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No more than the limit is read, whatever the size said a moment before."""
    monkeypatch.setattr(services, "MAX_IMAGE_FILE_BYTES", 10)
    growing = tmp_path / "growing.jpg"
    growing.write_bytes(b"0123456789")
    hass = _hass_allowing(tmp_path)
    assert services._read_image_file(hass, str(growing)) == b"0123456789"

    open_file = os.open

    def grow_then_open(path: Any, flags: int, *args: Any) -> int:
        # The file grows between the size check and the read.
        with Path(path).open("ab") as file:
            file.write(b"more")
        return open_file(path, flags, *args)

    monkeypatch.setattr(services.os, "open", grow_then_open)
    with pytest.raises(ServiceValidationError) as err:
        services._read_image_file(hass, str(growing))
    assert err.value.translation_key == "file_too_large"


def test_a_link_put_in_place_after_resolving_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening refuses to follow a link (O_NOFOLLOW): the action says the file is not there."""
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"jpeg")

    def refuse(*_: Any) -> int:
        raise OSError(40, "Too many levels of symbolic links")

    monkeypatch.setattr(services.os, "open", refuse)
    with pytest.raises(ServiceValidationError) as err:
        services._read_image_file(_hass_allowing(tmp_path), str(photo))
    assert err.value.translation_key == "file_not_found"
