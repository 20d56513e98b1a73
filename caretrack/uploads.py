"""Sheets waiting between their preview and the confirmation: stored under
MEDIA_ROOT/<folder>/<token><suffix> (the upload's own suffix: .xlsx, .xls, .ods, .et or .csv), named in the
session with their checksum, the uploader's school and original name, so that a confirmation imports exactly
the file that was previewed, by the school that previewed it. The roster import (children/excel_views.py)
and the staff import (caretrack/staff_views.py) keep theirs this way.

Photos (activities' and home visits'): what a phone uploads is checked, shrunk and re-encoded as JPEG
(shrink_photo); photos of children's homes are kept in a storage with no public URL (private_storage) and
served only by views that check who asks; photos chosen on a form that comes back with an error wait as
pending photos (PendingPhotos) so that nobody has to pick them again."""

from __future__ import annotations

import hashlib
import io
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible
from PIL import Image, ImageOps, UnidentifiedImageError

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


# --- Photos ---------------------------------------------------------------------------------------

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # a recent phone's JPEG is 3–6 MB
MAX_PHOTO_PIXELS = 40_000_000  # refuses decompression bombs before decoding
PHOTO_LONG_SIDE = 1600  # enough for an A4 report page at 150 dpi
THUMBNAIL_LONG_SIDE = 320  # a thumbnail in a list, sharp on a phone's 2× screen
JPEG_QUALITY = 82
ACCEPTED_PHOTO_FORMATS = {"JPEG", "PNG"}


@dataclass(frozen=True)
class ShrunkPhoto:
    content: ContentFile
    width: int
    height: int


def _open_photo(upload) -> Image.Image:
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            f"照片“{upload.name}”太大（{upload.size / 1024 / 1024:.1f} MB），请上传10 MB以内的照片。",
            code="too_large",
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ACCEPTED_PHOTO_FORMATS:
            raise ValidationError(f"“{upload.name}”不是JPEG或PNG格式的照片。", code="bad_format")
        if image.width * image.height > MAX_PHOTO_PIXELS:
            raise ValidationError(f"照片“{upload.name}”像素过大，请先在手机上压缩后再上传。", code="too_many_pixels")
        image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError):
        raise ValidationError(f"“{upload.name}”无法识别为图片，请上传JPEG或PNG格式的照片。", code="bad_image") from None
    image = ImageOps.exif_transpose(image)  # phones store portrait photos rotated, with an EXIF flag
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image if image.mode == "RGB" else image.convert("RGB")


def _as_jpeg(image: Image.Image, long_side: int) -> ShrunkPhoto:
    image = image.copy()
    image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ShrunkPhoto(ContentFile(buffer.getvalue()), image.width, image.height)


def shrink_photo(upload, *, long_side: int = PHOTO_LONG_SIDE) -> ShrunkPhoto:
    """Validate an uploaded JPEG or PNG and return it as a JPEG whose long side is at most `long_side`.
    Re-encoding drops EXIF, which on a phone photo carries the GPS position of the school or the home.
    Raises ValidationError with a Chinese message for anything else."""
    return _as_jpeg(_open_photo(upload), long_side)


def shrink_photo_with_thumbnail(upload) -> tuple[ShrunkPhoto, ShrunkPhoto]:
    """The photo (as shrink_photo) and a thumbnail of it, from one decoding."""
    image = _open_photo(upload)
    return _as_jpeg(image, PHOTO_LONG_SIDE), _as_jpeg(image, THUMBNAIL_LONG_SIDE)


@deconstructible(path="caretrack.uploads.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT that have no URL: a photo of a child's home is served only by a view that
    checks who asks, so a template that reached for .url would fail loudly instead of leaking a link."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks access.")


private_storage = PrivateStorage()


PENDING_PHOTO_SECONDS = 6 * 60 * 60  # a form left with an error for longer than this starts again


@dataclass(frozen=True)
class PendingPhotos:
    """Photos chosen on a form that came back with an error, kept (shrunk) until the form is saved: each
    under a random token named in the user's session, so nobody else can see or attach it. Files older
    than PENDING_PHOTO_SECONDS are deleted at the next keep()."""

    session_key: str
    folder: str  # under MEDIA_ROOT
    limit: int  # pending photos kept per session; the oldest are dropped

    def _directory(self) -> Path:
        directory = Path(settings.MEDIA_ROOT) / self.folder
        directory.mkdir(parents=True, exist_ok=True)
        return directory

    def _path(self, token: str) -> Path:
        return self._directory() / f"{token}.jpg"

    def _pending(self, request) -> dict:
        return request.session.get(self.session_key, {})

    def _owned(self, request, token: str) -> dict | None:
        if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
            return None
        meta = self._pending(request).get(token)
        if not meta or meta.get("user") != request.user.pk or not self._path(token).exists():
            return None
        return meta

    def keep(self, request, uploads) -> tuple[list[str], list[str]]:
        """Shrink and keep each upload that is a photo; returns the new tokens and the Chinese messages
        of the uploads refused (those are not kept)."""
        now = time.time()
        for old in self._directory().iterdir():
            try:
                if old.is_file() and now - old.stat().st_mtime > PENDING_PHOTO_SECONDS:
                    old.unlink(missing_ok=True)
            except FileNotFoundError:  # another request cleaned it up first
                continue
        pending = dict(self._pending(request))
        tokens, refused = [], []
        for upload in uploads:
            try:
                small = shrink_photo(upload)
            except ValidationError as error:
                refused.extend(error.messages)
                continue
            token = uuid.uuid4().hex
            self._path(token).write_bytes(small.content.read())
            pending[token] = {"user": request.user.pk, "name": Path(upload.name).name[:100], "at": now}
            tokens.append(token)
        for stale in list(pending)[: max(0, len(pending) - self.limit)]:
            pending.pop(stale, None)
            self._path(stale).unlink(missing_ok=True)
        request.session[self.session_key] = pending
        return [t for t in tokens if t in pending], refused

    def valid_tokens(self, request, tokens) -> list[str]:
        """The tokens (from the form's hidden fields) that are this user's pending photos, each once."""
        return [t for t in dict.fromkeys(tokens) if self._owned(request, t)]

    def open(self, request, token: str) -> File | None:
        """The pending photo as a file to serve or attach, or None if it is not this user's."""
        meta = self._owned(request, token)
        if meta is None:
            return None
        return File(open(self._path(token), "rb"), name=meta["name"])

    def discard(self, request, tokens) -> None:
        pending = dict(self._pending(request))
        for token in tokens:
            if pending.pop(token, None) is not None:
                self._path(token).unlink(missing_ok=True)
        request.session[self.session_key] = pending

    def submit(
        self,
        request,
        form,
        save: Callable[[list], object],
        *,
        refuse: Callable[[object, ValidationError], None],
        field: str = "photos",
    ) -> tuple[object | None, list[str]]:
        """A form with photos, saved with the photos just chosen (form.cleaned_data[field]) and those kept
        from an earlier try of it (the tokens in its hidden `pending_photos` fields). When the form or the
        service (`save`, given every photo) refuses, nothing is saved (`refuse` puts the service's error on
        the form) and the uploads that are photos wait as pending photos, to be shown again on the returned
        form; 删除 on one without the page's script (`discard_photo`) drops it and saves nothing. On a save
        the pending photos are discarded, so a repeat of the same tokens attaches nothing more. Returns
        (what `save` returned or None, the pending tokens to show)."""
        if request.method != "POST":
            return None, []
        pending = self.valid_tokens(request, request.POST.getlist("pending_photos"))
        dropped = request.POST.get("discard_photo", "")
        if dropped in pending:
            self.discard(request, [dropped])
            pending.remove(dropped)
        valid = form.is_valid()
        if valid and "discard_photo" not in request.POST:
            kept = [self.open(request, token) for token in pending]
            try:
                saved = save([*form.cleaned_data[field], *(f for f in kept if f is not None)])
            except ValidationError as error:
                refuse(form, error)
            else:
                self.discard(request, pending)
                return saved, []
            finally:
                for handle in kept:
                    if handle is not None:
                        handle.close()
        new, refused = self.keep(request, request.FILES.getlist(field))
        told = {*form.non_field_errors(), *form.errors.get(field, [])}
        for message in refused:
            if message not in told:
                form.add_error(field, message)
        return None, [*pending, *new]
