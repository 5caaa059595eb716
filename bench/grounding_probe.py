#!/usr/bin/env python3
"""What a model's four embeddings know of each place's colour: a linear probe.

G imagines from t_l alone, so it can only draw a colour at a place if t_l holds it. This encodes
the captions and the scenes of a shapes folder with a model (`gxn encode`), reads each 3x3 cell
of each scene as gxn's shape_pixels.hpp does (a shape or background, and the shape's palette
colour), and fits a linear softmax probe per embedding (t_h, t_l, v_h, v_l) from the embedding
to the nine cells' classes (background or one of seven colours) on --train training scenes.
On the validation scenes it prints, per embedding, the share of shape cells whose colour the
probe names right and the share of empty cells it calls background. Chance for the colour is
about 1/7.

  bench/grounding_probe.py MODEL DATA [--train 3000] [--steps 3000] [--gxn build/tools/gxn/gxn]

DATA: a shapes folder (`gxn data shapes --out DATA`, or a demo's DATA/data). Text rows are every
caption of a scene (five), image rows one per scene; both are probed against the scene's cells.
"""
import argparse
import json
import os
import subprocess
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

from imagine_pixel_loss import load_images, read_cells


def scene_cells(folder, images):
    """(N, 9) classes per scene: 0 for background, 1 + the palette colour for a shape."""
    shape, colour = read_cells(load_images(folder, images))
    return torch.where(shape, colour + 1, torch.zeros_like(colour))


def encode(gxn, model, kind, lines, work):
    """gxn encode's (N, 2, D) rows for a list of captions or of absolute image paths."""
    listing, out = os.path.join(work, f"{kind}.txt"), os.path.join(work, f"{kind}.npy")
    with open(listing, "w") as f:
        f.write("\n".join(lines) + "\n")
    subprocess.run([gxn, "encode", "--model", model, f"--{kind}", listing, "--out", out, "--quiet"], check=True)
    return torch.tensor(np.load(out))


def probe(x_train, y_train, x_val, y_val, steps):
    """Fits a linear probe from rows to the nine cells' classes; (colour right, background right)."""
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    x_train, x_val = (x_train - mean) / std, (x_val - mean) / std
    linear = torch.nn.Linear(x_train.shape[1], 9 * 8)
    adam = torch.optim.Adam(linear.parameters(), 1e-3, weight_decay=1e-4)
    for _ in range(steps):
        rows = torch.randint(0, len(x_train), (256,))
        loss = F.cross_entropy(linear(x_train[rows]).view(-1, 8), y_train[rows].reshape(-1))
        adam.zero_grad()
        loss.backward()
        adam.step()
    with torch.no_grad():
        guess = linear(x_val).view(len(x_val), 9, 8).argmax(2)
    shape = y_val > 0
    return (((guess == y_val) & shape).sum() / shape.sum()).item(), \
        (((guess == 0) & ~shape).sum() / (~shape).sum()).item()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("data")
    parser.add_argument("--train", type=int, default=3000, help="training scenes the probe fits on")
    parser.add_argument("--steps", type=int, default=3000, help="Adam steps of 256 rows")
    parser.add_argument("--gxn", default=os.path.join(os.path.dirname(__file__), "../build/tools/gxn/gxn"))
    args = parser.parse_args()
    torch.manual_seed(0)
    with open(os.path.join(args.data, "dataset.json")) as f:
        images = json.load(f)["images"]
    splits = {"train": [i for i in images if i["split"] == "train"][:args.train],
              "val": [i for i in images if i["split"] == "val"]}
    rows = {}
    with tempfile.TemporaryDirectory() as work:
        for split, chosen in splits.items():
            cells = scene_cells(args.data, chosen)
            captions = [s["raw"].replace("\n", " ") for i in chosen for s in i["sentences"]]
            per_scene = torch.tensor([len(i["sentences"]) for i in chosen])
            text = encode(args.gxn, args.model, "texts", captions, work)
            paths = [os.path.abspath(os.path.join(args.data, "images", i["filename"])) for i in chosen]
            image = encode(args.gxn, args.model, "images", paths, work)
            rows[split] = {"t_h": (text[:, 0], cells.repeat_interleave(per_scene, 0)),
                           "t_l": (text[:, 1], cells.repeat_interleave(per_scene, 0)),
                           "v_h": (image[:, 0], cells), "v_l": (image[:, 1], cells)}
    print(f"{len(splits['train'])} training scenes, {len(splits['val'])} validation scenes; linear probe, "
          f"{args.steps} steps")
    print("embedding  colour right at a shape's cell  empty cell called background")
    for name in ("t_h", "t_l", "v_h", "v_l"):
        colour, background = probe(*rows["train"][name], *rows["val"][name], args.steps)
        print(f"{name:9s}  {colour:30.1%}  {background:28.1%}")


if __name__ == "__main__":
    main()
