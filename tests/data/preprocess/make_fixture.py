#!/usr/bin/python3
"""Makes the image-preprocessing fixtures that gxn's tests compare against torchvision.

Run with Debian's interpreter (it has python3-torchvision, python3-pil, python3-numpy):
    /usr/bin/python3 tests/data/preprocess/make_fixture.py
It rewrites every file below next to itself; the output depends only on this script and on
the versions it prints (made with torchvision 0.14.1, Pillow 9.4.0, numpy 1.24.2).

Sources (synthetic but photo-like: gradients, hard edges, thin lines, noise):
    photo.png, photo.jpg   300x217 (JPEG quality 90, 4:2:0, as PIL writes by default)
    small.png              61x45, upsampled by the preprocessing
    palette.png, gray.png, palette.gif, rgb.bmp   40x30, for decoding only
Expected outputs, raw little-endian (no header), shape in the name:
    photo_png_3x224x224.f32   Resize(256) CenterCrop(224) ToTensor Normalize(ImageNet), float32
    photo_png_3x224x224.npy   the same as .npy, for the `gxn preprocess` command test
    photo_jpg_3x224x224.f32   the same pipeline on photo.jpg as decoded by PIL (libjpeg)
    photo_jpg_pil_217x300x3.u8  PIL's decoded RGB pixels of photo.jpg (HWC uint8)
    small_png_3x64x64.f32     Resize(73) CenterCrop(64) ToTensor Normalize on small.png
    {palette_png,gray_png,palette_gif,rgb_bmp}_pil_30x40x3.u8  PIL's Image.open(...).convert("RGB")
"""
import os

import numpy as np
import PIL
import torchvision
from PIL import Image
from torchvision import transforms

HERE = os.path.dirname(os.path.abspath(__file__))
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def path(name):
    return os.path.join(HERE, name)


def photo_like(width, height, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    r = 128 + 100 * np.sin(x / 23.0) * np.cos(y / 31.0)
    g = 255 * x / width
    b = 255 * (1 - y / height)
    img = np.stack([r, g, b], axis=-1)
    # hard-edged shapes
    img[(x > 0.6 * width) & (x < 0.85 * width) & (y > 0.2 * height) & (y < 0.5 * height)] = [250, 240, 20]
    disc = (x - 0.3 * width) ** 2 + (y - 0.6 * height) ** 2 < (0.18 * height) ** 2
    img[disc] = [20, 30, 200]
    # thin lines and a checker patch: high frequencies the resampling must average correctly
    img[(np.abs(x - y * 1.3) < 1.0)] = [255, 255, 255]
    img[(y.astype(int) % 7 == 0) & (x < 0.4 * width) & (y < 0.4 * height)] = [0, 0, 0]
    checker = ((x.astype(int) // 2 + y.astype(int) // 2) % 2 == 0) & (x > 0.1 * width) & (x < 0.25 * width) \
        & (y > 0.75 * height)
    img[checker] = [255, 0, 0]
    img += rng.normal(0, 6, img.shape)
    return Image.fromarray(np.clip(np.rint(img), 0, 255).astype(np.uint8), "RGB")


def pipeline(resize, crop):
    return transforms.Compose([
        transforms.Resize(resize),
        transforms.CenterCrop(crop),
        transforms.ToTensor(),
        transforms.Normalize(MEAN, STD),
    ])


def save_raw(name, array, dtype):
    array = np.ascontiguousarray(array, dtype=dtype)
    array.astype(array.dtype.newbyteorder("<")).tofile(path(name))


def main():
    print(f"torchvision {torchvision.__version__}, Pillow {PIL.__version__}, numpy {np.__version__}")
    photo = photo_like(300, 217, seed=1)
    photo.save(path("photo.png"), optimize=False)
    photo.save(path("photo.jpg"), quality=90)

    expected = pipeline(256, 224)(Image.open(path("photo.png")).convert("RGB")).numpy()
    save_raw("photo_png_3x224x224.f32", expected, np.float32)
    np.save(path("photo_png_3x224x224.npy"), expected.astype("<f4"))

    jpeg = Image.open(path("photo.jpg")).convert("RGB")
    save_raw("photo_jpg_pil_217x300x3.u8", np.asarray(jpeg), np.uint8)
    save_raw("photo_jpg_3x224x224.f32", pipeline(256, 224)(jpeg).numpy(), np.float32)

    small = photo_like(61, 45, seed=2)
    small.save(path("small.png"))
    save_raw("small_png_3x64x64.f32", pipeline(73, 64)(Image.open(path("small.png")).convert("RGB")).numpy(),
             np.float32)

    tiny = photo_like(40, 30, seed=3)
    tiny.quantize(colors=16).save(path("palette.png"))
    tiny.convert("L").save(path("gray.png"))
    tiny.quantize(colors=16).save(path("palette.gif"))
    tiny.save(path("rgb.bmp"))
    for name in ["palette.png", "gray.png", "palette.gif", "rgb.bmp"]:
        decoded = np.asarray(Image.open(path(name)).convert("RGB"))
        save_raw(name.replace(".", "_") + "_pil_30x40x3.u8", decoded, np.uint8)


if __name__ == "__main__":
    main()
