import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads waiting for confirmation are stored under MEDIA_ROOT/imports.
    settings.MEDIA_ROOT = tmp_path / "media"
