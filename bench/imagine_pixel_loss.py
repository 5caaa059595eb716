#!/usr/bin/env python3
"""Which pixel loss lets G learn to read the caption: a PyTorch copy of gxn's t2i path.

The same layers and init as gxn's demo model (text GRU -> t_l of 256, non-negative and unit
length; conditioning augmentation with gxn's init; G of width 16), trained by G's pixel term
and the KL term alone (no D, no ranking loss), Adam 2e-3, 32 scenes a step. Prints the training
pixel loss and KL every 100 steps; then, on the first --val validation scenes, the mean absolute
difference against the blank image's (each pixel's median), the two rates of gxn's
shape_pixels.hpp (a scene's shape cell imagined in its colour; its empty cells left
background), how far apart two captions' images are under one seed, and writes scene |
imagined pairs to a PNG.

  bench/imagine_pixel_loss.py DATA [--loss l1|l2] [--kl 0.001] [--steps 1100] [--oracle]
                                   [--hidden 128] [--condition 32] [--phi-hidden 0] [--val 64]

DATA: a shapes folder (`gxn data shapes --out DATA`, or a demo's DATA/data). --oracle gives G
each 3x3 cell's colour read from the scene instead of the caption: what G can draw when the
condition holds the colour at each place. --hidden is the text GRU's width (the demo's is 256),
--condition t_c's, and --phi-hidden puts a ReLU layer of that width before phi.
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

EMBED, NOISE = 256, 32
# The shapes data's palette (src/engine/data/shape_words.hpp) and shape_pixels.hpp's thresholds.
PALETTE = torch.tensor([[220, 40, 40], [40, 180, 60], [50, 90, 230], [240, 220, 40], [150, 70, 200],
                        [245, 140, 30], [240, 240, 240]]).float()
BRIGHT_CHANNEL, SHAPE_CELL_SHARE = 110, 0.05


def load_images(folder, images):
    pixels = np.stack([np.asarray(Image.open(f"{folder}/images/{i['filename']}").convert("RGB")) for i in images])
    return torch.tensor(pixels).permute(0, 3, 1, 2).float() / 127.5 - 1


def cell_colours(x):
    """Per 3x3 cell of 64x64 scenes: the mean colour of the pixels off the background, and their share."""
    background = x.flatten(2).median(2).values[:, :, None, None]
    shape = ((x - background).abs().max(1, keepdim=True).values > 0.3).float()
    out = []
    for i in range(3):
        for j in range(3):
            cell = (slice(None), slice(None), slice(i * 21, i * 21 + 22), slice(j * 21, j * 21 + 22))
            mask, n = shape[cell], shape[cell].sum((1, 2, 3)).clamp(min=1)
            out += [(x[cell] * mask).sum((2, 3)) / n[:, None], mask.mean((1, 2, 3))[:, None]]
    return torch.cat(out, 1)


def read_cells(x):
    """gxn's read_shape_cells on a batch in [-1, 1]: per 3x3 cell, whether it holds a shape and the
    palette colour most of its bright pixels are nearest to."""
    pixels = (x + 1) * 127.5
    shape, colour = [], []
    for i in range(3):
        for j in range(3):
            cell = pixels[:, :, 64 * i // 3:64 * (i + 1) // 3, 64 * j // 3:64 * (j + 1) // 3].flatten(2)
            bright = cell.max(1).values >= BRIGHT_CHANNEL
            nearest = torch.cdist(cell.transpose(1, 2), PALETTE[None].expand(len(x), -1, -1)).argmin(2)
            votes = F.one_hot(nearest, len(PALETTE)) * bright[:, :, None]
            shape.append(bright.float().mean(1) >= SHAPE_CELL_SHARE)
            colour.append(votes.sum(1).argmax(1))
    return torch.stack(shape, 1), torch.stack(colour, 1)


def colour_at_place(imagined, scenes):
    """Of the scenes' shape cells, the share whose imagined cell holds a shape of the same colour;
    of the others, the share left background (shape_pixels.hpp's two rates, the scene read as
    the caption states it)."""
    (fake_shape, fake_colour), (real_shape, real_colour) = read_cells(imagined), read_cells(scenes)
    right = fake_shape & (fake_colour == real_colour)
    return (right & real_shape).sum().item() / real_shape.sum().item(), \
        (~fake_shape & ~real_shape).sum().item() / (~real_shape).sum().item()


class TextEncoder(nn.Module):
    def __init__(self, vocab, hidden):
        super().__init__()
        self.words = nn.Embedding(vocab, 32)
        self.gru = nn.GRU(32, hidden, batch_first=True)
        self.project = nn.Linear(hidden, EMBED)

    def forward(self, ids, lengths):
        states, _ = self.gru(self.words(ids))
        last = states[torch.arange(len(lengths)), lengths - 1]
        return F.normalize(self.project(last).abs(), dim=1)


class Generator(nn.Module):
    def __init__(self, condition, phi_hidden, channels=16):
        super().__init__()
        width = 8 * channels
        self.width, self.condition = width, condition
        self.phi = nn.Linear(phi_hidden or EMBED, 4 * condition)
        with torch.no_grad():  # gxn's init: means about 0.2 apart, sigma 0.05
            self.phi.weight[:condition] *= (phi_hidden or EMBED)**0.5
            self.phi.bias[condition:2 * condition] = -12
        # --phi-hidden: a ReLU layer before phi, so that a place's colour need not be linear in t_l
        self.hidden = nn.Sequential(nn.Linear(EMBED, phi_hidden), nn.ReLU()) if phi_hidden else nn.Identity()
        self.project = nn.Linear(NOISE + condition, width * 16, bias=False)
        self.norm = nn.BatchNorm2d(width)
        layers = []
        for _ in range(4):
            layers += [nn.Upsample(scale_factor=2), nn.Conv2d(width, width // 2, 3, padding=1, bias=False),
                       nn.BatchNorm2d(width // 2), nn.ReLU(True)]
            width //= 2
        layers += [nn.Conv2d(width, 3, 3, padding=1), nn.Tanh()]
        self.upsample = nn.Sequential(*layers)
        with torch.no_grad():  # DCGAN's init, as gxn's
            for m in self.upsample.modules():
                if isinstance(m, nn.Conv2d):
                    m.weight.normal_(0, 0.02)
                    if m.bias is not None:
                        m.bias.zero_()
                elif isinstance(m, nn.BatchNorm2d):
                    m.weight.normal_(1, 0.02)
                    m.bias.zero_()

    def forward(self, t_l):
        gated = F.glu(self.phi(self.hidden(t_l)), 1)
        mean, log_variance = gated[:, :self.condition], gated[:, self.condition:]
        condition = mean + (0.5 * log_variance).exp() * torch.randn_like(mean)
        x = self.project(torch.cat([torch.randn(len(t_l), NOISE), condition], 1)).view(len(t_l), self.width, 4, 4)
        return self.upsample(F.relu(self.norm(x))), mean, log_variance


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("--loss", choices=["l1", "l2"], default="l2")
    ap.add_argument("--kl", type=float, default=0.001)
    ap.add_argument("--steps", type=int, default=1100)
    ap.add_argument("--oracle", action="store_true")
    ap.add_argument("--hidden", type=int, default=128, help="the text GRU's width")
    ap.add_argument("--condition", type=int, default=32, help="t_c's dimension")
    ap.add_argument("--phi-hidden", type=int, default=0, help="a ReLU layer of this width before phi")
    ap.add_argument("--val", type=int, default=64, help="validation scenes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--png", default="imagine_pixel_loss.png")
    args = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(args.threads)

    dataset = json.load(open(f"{args.data}/dataset.json"))
    train = [i for i in dataset["images"] if i["split"] == "train"]
    val = [i for i in dataset["images"] if i["split"] == "val"][:args.val]
    vocab = {w: k + 1 for k, w in enumerate(sorted({t for i in train for s in i["sentences"] for t in s["tokens"]}))}
    train_x, val_x = load_images(args.data, train), load_images(args.data, val)
    train_cells, val_cells = cell_colours(train_x), cell_colours(val_x)

    def captions(images, which):
        seqs = [[vocab.get(t, 0) for t in i["sentences"][w]["tokens"]] for i, w in zip(images, which)]
        ids = torch.zeros(len(seqs), max(map(len, seqs)), dtype=torch.long)
        for k, s in enumerate(seqs):
            ids[k, :len(s)] = torch.tensor(s)
        return ids, torch.tensor([len(s) for s in seqs])

    text, g, from_cells = TextEncoder(len(vocab) + 1, args.hidden), Generator(args.condition, args.phi_hidden), nn.Linear(36, EMBED)
    params = list(text.parameters()) + list(g.parameters()) + list(from_cells.parameters())
    optimizer = torch.optim.Adam(params, lr=2e-3)
    t_l = lambda images, which, cells: from_cells(cells) if args.oracle else text(*captions(images, which))
    started = time.time()
    for step in range(args.steps):
        rows = torch.randint(len(train), (32,))
        fake, mean, log_variance = g(t_l([train[k] for k in rows], torch.randint(5, (32,)).tolist(),
                                         train_cells[rows]))
        diff = fake - train_x[rows]
        pixel = diff.abs().mean() if args.loss == "l1" else diff.pow(2).mean()
        kl = 0.5 * (mean.pow(2) + log_variance.exp() - 1 - log_variance).sum(1).mean()
        optimizer.zero_grad()
        (10 * pixel + args.kl * kl).backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step}: pixel {pixel.item():.4f}, KL {kl.item():.1f} nats, {time.time() - started:.0f} s",
                  flush=True)

    text.eval(), g.eval()
    with torch.no_grad():
        imagined, _, _ = g(t_l(val, [0] * len(val), val_cells))
        blank = val_x.median(0).values
        report = {"loss": args.loss, "kl_weight": args.kl, "oracle": args.oracle, "steps": args.steps,
                  "val_l1": (imagined - val_x).abs().mean().item(), "blank_l1": (val_x - blank).abs().mean().item()}
        report["colour_at_place"], report["background_elsewhere"] = colour_at_place(imagined, val_x)
        pair = []
        for k in range(2):
            torch.manual_seed(5)
            pair.append(g(t_l(val[k:k + 1], [0], val_cells[k:k + 1]))[0])
        report["two_captions_apart_of_255"] = ((pair[0] - pair[1]).abs().mean() * 127.5).item()
        print(json.dumps(report))
        grid = torch.cat([torch.cat([val_x[k], imagined[k]], 2) for k in range(8)], 1)
        Image.fromarray(((grid.permute(1, 2, 0) + 1) * 127.5).clamp(0, 255).byte().numpy()).resize(
            (256, 1024), Image.NEAREST).save(args.png)


if __name__ == "__main__":
    main()
