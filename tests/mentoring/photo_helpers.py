"""What the 家访 photo tests share: a phone's JPEG, a mentor's paired child and a visit form's fields."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.factories import ChildFactory, PairingFactory


def jpeg(name="home.jpg", size=(3000, 2000), color=(180, 120, 60)) -> SimpleUploadedFile:
    """A phone's photo, with a GPS position in its EXIF as a phone writes it."""
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (30.0, 40.0, 0.0)}
    Image.new("RGB", size, color).save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def paired_child(world):
    """王小花 of the other class (its head teacher is not world.class_teacher, who so has no access to her),
    paired to world.mentor for a month."""
    child = ChildFactory(school_class=world.other_class, left_behind_type="both_away", name="王小花")
    PairingFactory(child=child, mentor=world.mentor, start_date=timezone.localdate() - timedelta(days=30))
    return child


def visit_data(**extra) -> dict:
    return {
        "date": timezone.localdate().isoformat(),
        "kind": "opening",
        "met_whom": "奶奶王秀英",
        "text": "家中整洁，孩子有书桌。",
        "living_conditions": "与奶奶同住",
        **extra,
    }
