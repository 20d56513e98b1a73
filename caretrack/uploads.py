"""Sheets waiting between their preview and the confirmation: stored under
MEDIA_ROOT/<folder>/<token><suffix> (the upload's own suffix: .xlsx, .xls, .ods, .et or .csv), named in the
session with their checksum, the uploader's school and original name, so that a confirmation imports exactly
the file that was previewed, by the school that previewed it. The roster import (children/excel_views.py)
and the staff import (caretrack/staff_views.py) keep theirs this way."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from caretrack.sheet_reading import UPLOAD_SUFFIXES, file_sha256

STALE_SECONDS = 24 * 60 * 60  # a preview nobody confirmed within a day is deleted at the next upload


@dataclass(frozen=True)
class PendingUploads:
    session_key: str
    folder: str  # under MEDIA_ROOT
    limit: int  # previews kept per session; older ones are discarded

    def directory(self) -> Path:
        directory = Path(settings.MEDIA_ROOT) / self.folder
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def _path(self, token: str, suffix: str) -> Path:
        return self.directory() / f"{token}{_suffix(suffix)}"

    def store(self, request, uploaded, school) -> tuple[str, Path]:
        """Save the upload and name it in the session; returns its token and path."""
        directory = self.directory()
        now = time.time()
        for old in directory.iterdir():
            try:
                if old.is_file() and now - old.stat().st_mtime > STALE_SECONDS:
                    old.unlink(missing_ok=True)
            except FileNotFoundError:  # another request cleaned it up first
                continue
        token = uuid.uuid4().hex
        suffix = _suffix(Path(uploaded.name).suffix)
        path = directory / f"{token}{suffix}"
        digest = hashlib.sha256()
        with open(path, "wb") as out:
            for chunk in uploaded.chunks():
                digest.update(chunk)
                out.write(chunk)
        pending = request.session.get(self.session_key, {})
        for stale in list(pending)[: max(0, len(pending) - self.limit + 1)]:
            self.discard(request, stale, pending)
        pending[token] = {
            "sha256": digest.hexdigest(),
            "filename": Path(uploaded.name).name[:100],
            "school": school.pk,
            "suffix": suffix,
        }
        request.session[self.session_key] = pending
        return token, path

    def load(self, request, token: str, school) -> tuple[Path, dict] | None:
        """The stored file for a token of this session and school, if its content is unchanged."""
        if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
            return None
        meta = request.session.get(self.session_key, {}).get(token)
        path = self._path(token, meta.get("suffix", ".xlsx")) if meta else None
        if not meta or meta.get("school") != school.pk or not path.exists():
            return None
        if file_sha256(path) != meta["sha256"]:
            return None
        return path, meta

    def discard(self, request, token: str, pending: dict | None = None) -> None:
        pending = pending if pending is not None else request.session.get(self.session_key, {})
        meta = pending.pop(token, None) or {}
        request.session[self.session_key] = pending
        if re.fullmatch(r"[0-9a-f]{32}", token or ""):
            self._path(token, meta.get("suffix", ".xlsx")).unlink(missing_ok=True)

    @staticmethod
    def claim(path: Path) -> Path | None:
        """Take the file for one confirmation (atomic rename): a double submit finds it gone (None)."""
        claimed = path.with_name(f"{path.name}.importing")
        try:
            path.rename(claimed)
        except FileNotFoundError:
            return None
        return claimed


def _suffix(suffix: str) -> str:
    """The upload's suffix when it is a spreadsheet's (the form allows no other), else .xlsx."""
    suffix = suffix.lower()
    return suffix if suffix in UPLOAD_SUFFIXES else ".xlsx"
