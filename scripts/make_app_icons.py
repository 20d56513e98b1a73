"""Draw the platform's home-screen icons (static/icons/): a white heart on the navigation bar's green.

    .venv/bin/python scripts/make_app_icons.py

The maskable icon keeps the heart inside the central 80 % that every launcher's mask leaves visible.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
GREEN = (25, 135, 84)  # #198754, caretrack.offline_views.THEME_COLOR
WHITE = (255, 255, 255)
SUPERSAMPLE = 4  # drawn large and shrunk, for smooth edges


def heart(draw: ImageDraw.ImageDraw, centre: float, width: float) -> None:
    """Two circles and the two lines tangent to them from the point below, `width` across, centred."""
    r = width / 4
    cy = centre - width * 0.12
    tip = (centre, centre + width * 0.42)
    outer = []
    for side in (-1, 1):
        cx = centre + side * r
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WHITE)
        # The two tangent points from the tip; the heart's edge runs to the outer one.
        towards_tip = math.atan2(tip[1] - cy, tip[0] - cx)
        spread = math.acos(r / math.hypot(tip[0] - cx, tip[1] - cy))
        candidates = [
            (cx + r * math.cos(a), cy + r * math.sin(a)) for a in (towards_tip - spread, towards_tip + spread)
        ]
        outer.append(min(candidates, key=lambda p: -side * p[0]))
    draw.polygon([tip, outer[0], (centre - r, cy), (centre + r, cy), outer[1]], fill=WHITE)


def icon(size: int, *, heart_share: float, rounded: bool) -> Image.Image:
    big = size * SUPERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=GREEN)
    else:
        draw.rectangle((0, 0, big, big), fill=GREEN)
    heart(draw, big / 2, big * heart_share)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icon(192, heart_share=0.6, rounded=True).save(OUT / "caretrack-192.png", optimize=True)
    icon(512, heart_share=0.6, rounded=True).save(OUT / "caretrack-512.png", optimize=True)
    icon(512, heart_share=0.48, rounded=False).save(OUT / "caretrack-maskable-512.png", optimize=True)
    icon(180, heart_share=0.56, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
