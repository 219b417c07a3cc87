"""Street scenes the demo draws itself (no downloads): cars, people and traffic lights on a
road, each picture with the true boxes of what it shows, as fractions of its size.

The drawing is deterministic for a seed, so the demo's gold answers are exact.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 960, 600
HORIZON = 300
LABELS = ("car", "person", "traffic light")
CAR_COLOURS = ((200, 40, 40), (30, 90, 180), (240, 200, 40), (60, 60, 60), (230, 230, 235))
CLOTHES = ((40, 120, 70), (150, 60, 160), (220, 120, 30), (30, 30, 110))


@dataclass(frozen=True, slots=True)
class Picture:
    name: str
    png: bytes
    boxes: list[dict[str, Any]]  # the truth, in the bounding_boxes answer format


def _box(label: str, x0: int, y0: int, x1: int, y1: int) -> dict[str, Any]:
    return {"label": label, "x": round(x0 / WIDTH, 6), "y": round(y0 / HEIGHT, 6),
            "width": round((x1 - x0) / WIDTH, 6), "height": round((y1 - y0) / HEIGHT, 6)}


def _scene(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    draw.rectangle((0, 0, WIDTH, HORIZON), fill=(150 + rng.randrange(60), 190, 235))
    draw.rectangle((0, HORIZON, WIDTH, HEIGHT), fill=(95, 150, 80))
    draw.polygon(((380, HORIZON), (580, HORIZON), (WIDTH, HEIGHT), (0, HEIGHT)),
                 fill=(80, 80, 85))
    for y in range(HORIZON + 20, HEIGHT, 60):  # the dashed centre line
        draw.rectangle((476, y, 484, y + 25), fill=(235, 235, 235))


def _car(draw: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int) -> dict[str, Any]:
    w = rng.randrange(150, 230)
    h = w * 45 // 100
    colour = rng.choice(CAR_COLOURS)
    draw.rounded_rectangle((x, y + h // 3, x + w, y + h - h // 6), radius=12, fill=colour)
    draw.rounded_rectangle((x + w // 5, y, x + w * 4 // 5, y + h // 3 + 4), radius=10,
                           fill=colour)
    draw.rectangle((x + w // 4, y + 6, x + w * 3 // 4, y + h // 3), fill=(170, 210, 235))
    for wheel in (x + w // 5, x + w * 4 // 5):
        r = h // 6
        draw.ellipse((wheel - r, y + h - 2 * r, wheel + r, y + h), fill=(20, 20, 20))
    return _box("car", x, y, x + w, y + h)


def _person(draw: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int) -> dict[str, Any]:
    h = rng.randrange(110, 160)
    w = h * 36 // 100
    head = w // 2
    draw.ellipse((x + w // 4, y, x + w // 4 + head, y + head), fill=(225, 180, 140))
    draw.rounded_rectangle((x, y + head, x + w, y + h * 62 // 100), radius=8,
                           fill=rng.choice(CLOTHES))
    draw.rectangle((x + w // 8, y + h * 62 // 100, x + w * 3 // 8, y + h), fill=(40, 40, 60))
    draw.rectangle((x + w * 5 // 8, y + h * 62 // 100, x + w * 7 // 8, y + h),
                   fill=(40, 40, 60))
    return _box("person", x, y, x + w, y + h)


def _light(draw: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int) -> dict[str, Any]:
    w, h = 34, 96
    draw.rectangle((x + 13, y + h, x + 21, y + h + 90), fill=(70, 70, 70))  # the pole: no box
    draw.rounded_rectangle((x, y, x + w, y + h), radius=6, fill=(30, 30, 30))
    lit = rng.randrange(3)
    for i, colour in enumerate(((230, 40, 40), (240, 190, 40), (40, 200, 80))):
        fill = colour if i == lit else (70, 70, 70)
        draw.ellipse((x + 6, y + 6 + i * 30, x + 28, y + 28 + i * 30), fill=fill)
    return _box("traffic light", x, y, x + w, y + h)


def _draw(number: int, seed: int) -> Picture:
    rng = random.Random(seed * 1_000 + number)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _scene(draw, rng)
    boxes = []
    if rng.random() < 0.6:
        boxes.append(_light(draw, rng, rng.choice((60, 860)), rng.randrange(120, 190)))
    for lane_x in rng.sample((60, 330, 600), rng.randrange(0, 3)):
        boxes.append(_car(draw, rng, lane_x + rng.randrange(0, 40), rng.randrange(380, 470)))
    for _ in range(rng.randrange(0, 3)):
        boxes.append(_person(draw, rng, rng.choice((20, 840)) + rng.randrange(0, 60),
                             rng.randrange(300, 420)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return Picture(f"street-{number:02d}.png", out.getvalue(), boxes)


def street_scenes(count: int, *, seed: int = 7) -> list[Picture]:
    """``count`` pictures, each with the boxes of the cars, people and lights it shows."""
    return [_draw(number, seed) for number in range(1, count + 1)]
