#!/usr/bin/python3
"""Writes scene.jpg: a 320x240 photo-like landscape (sky, clouds, mountains, lake, meadow,
trees) drawn from seeded fractal noise, so backbone tests feed natural-image statistics
without a third-party photo.  Run: /usr/bin/python3 tests/data/make_scene.py tests/data/scene.jpg"""
import sys

import numpy as np
from PIL import Image, ImageFilter

W, H = 320, 240
rng = np.random.default_rng(2018)


def fractal(h, w, octaves=6):
    out = np.zeros((h, w))
    for o in range(octaves):
        s = 2 ** (o + 2)
        small = rng.standard_normal((s + 1, s + 1))
        big = np.array(Image.fromarray(small.astype(np.float32)).resize((w, h), Image.BICUBIC))
        out += big / (1.6 ** o)
    return (out - out.min()) / (out.max() - out.min())


y = np.linspace(0, 1, H)[:, None] * np.ones((1, W))
img = np.zeros((H, W, 3))
# Sky: blue to pale towards the horizon, with clouds.
sky = np.stack([0.35 + 0.45 * y, 0.55 + 0.35 * y, 0.85 + 0.1 * y], -1)
clouds = np.clip((fractal(H, W) - 0.5) * 3, 0, 1)[..., None]
img = sky * (1 - clouds) + 0.97 * clouds
# Mountains: a fractal ridge line, rock texture and snow on the peaks.
ridge = 0.35 + 0.15 * np.convolve(rng.standard_normal(W + 40).cumsum(), np.ones(9) / 9, "same")[20:W + 20] / 8
rock_tex = fractal(H, W)
for x in range(W):
    top = int(np.clip(ridge[x], 0.1, 0.5) * H)
    for r in range(top, H):
        t = rock_tex[r, x]
        snow = r < top + 8 + 6 * t
        img[r, x] = [0.92, 0.93, 0.96] if snow else [0.35 + 0.2 * t, 0.33 + 0.18 * t, 0.36 + 0.15 * t]
# Lake with a reflection of the sky, then the meadow.
lake_top, meadow_top = int(0.58 * H), int(0.70 * H)
ripple = fractal(H, W)[lake_top:meadow_top]
img[lake_top:meadow_top] = img[2 * lake_top - meadow_top:lake_top][::-1] * 0.6 + np.array([0.05, 0.15, 0.3]) \
    + 0.08 * ripple[..., None]
grass = fractal(H, W)[meadow_top:]
img[meadow_top:] = np.stack([0.2 + 0.25 * grass, 0.45 + 0.3 * grass, 0.1 + 0.1 * grass], -1)
# A few dark conifers on the shore.
for cx in rng.integers(10, W - 10, 7):
    base = meadow_top + int(rng.integers(0, 25))
    height = int(rng.integers(30, 60))
    for r in range(base - height, base):
        half = int((r - (base - height)) * 0.25) + 1
        img[r, max(0, cx - half):cx + half] = [0.05, 0.22 + 0.05 * rng.random(), 0.08]
img += 0.02 * rng.standard_normal(img.shape)  # sensor noise
im = Image.fromarray((np.clip(img, 0, 1) * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
im.save(sys.argv[1], quality=90)
