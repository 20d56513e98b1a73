"""Activity photos: check what a phone uploads, shrink it, and re-encode it as JPEG.

Re-encoding drops EXIF, which on a phone photo carries the GPS position of the school and the children.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a recent phone's JPEG is 3–6 MB
MAX_PIXELS = 40_000_000  # refuses decompression bombs before decoding
LONG_SIDE = 1600  # enough for an A4 report page at 150 dpi
JPEG_QUALITY = 82
ACCEPTED_FORMATS = {"JPEG", "PNG"}


@dataclass(frozen=True)
class ShrunkPhoto:
    content: ContentFile
    width: int
    height: int


def shrink_photo(upload) -> ShrunkPhoto:
    """Validate an uploaded JPEG or PNG and return it as a JPEG whose long side is at most LONG_SIDE.
    Raises ValidationError with a Chinese message for anything else."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            f"照片“{upload.name}”太大（{upload.size / 1024 / 1024:.1f} MB），请上传10 MB以内的照片。",
            code="too_large",
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.format not in ACCEPTED_FORMATS:
            raise ValidationError(f"“{upload.name}”不是JPEG或PNG格式的照片。", code="bad_format")
        if image.width * image.height > MAX_PIXELS:
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
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return ShrunkPhoto(ContentFile(buffer.getvalue()), image.width, image.height)
