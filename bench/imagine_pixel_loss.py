#!/usr/bin/env python3
"""Which pixel loss lets G learn to read the caption: a PyTorch copy of gxn's t2i path.

The same layers and init as gxn's demo model (text GRU 128 -> t_l of 256, non-negative and unit
length; conditioning augmentation 32 with gxn's init; G of width 16), trained by G's pixel term
and the KL term alone (no D), Adam 2e-3, 32 scenes a step. Prints the training pixel loss and KL
every 100 steps; then the mean absolute difference on 64 validation scenes against the blank
image's (each pixel's median), how far apart two captions' images are under one seed, and
writes scene | imagined pairs to a PNG.

  bench/imagine_pixel_loss.py DATA [--loss l1|l2] [--kl 0.001] [--steps 1100] [--oracle]

DATA: a shapes folder (`gxn data shapes --out DATA`, or a demo's DATA/data). --oracle gives G
each 3x3 cell's colour read from the scene instead of the caption: what G can draw when the
condition holds the colour at each place.
"""
import argparse
import json
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

EMBED, CONDITION, NOISE = 256, 32, 32


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


class TextEncoder(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.words = nn.Embedding(vocab, 32)
        self.gru = nn.GRU(32, 128, batch_first=True)
        self.project = nn.Linear(128, EMBED)

    def forward(self, ids, lengths):
        states, _ = self.gru(self.words(ids))
        last = states[torch.arange(len(lengths)), lengths - 1]
        return F.normalize(self.project(last).abs(), dim=1)


class Generator(nn.Module):
    def __init__(self, channels=16):
        super().__init__()
        width = 8 * channels
        self.width = width
        self.phi = nn.Linear(EMBED, 4 * CONDITION)
        with torch.no_grad():  # gxn's init: means about 0.2 apart, sigma 0.05
            self.phi.weight[:CONDITION] *= EMBED**0.5
            self.phi.bias[CONDITION:2 * CONDITION] = -12
        self.project = nn.Linear(NOISE + CONDITION, width * 16, bias=False)
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
        gated = F.glu(self.phi(t_l), 1)
        mean, log_variance = gated[:, :CONDITION], gated[:, CONDITION:]
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
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--png", default="imagine_pixel_loss.png")
    args = ap.parse_args()
    torch.manual_seed(1)
    torch.set_num_threads(args.threads)

    dataset = json.load(open(f"{args.data}/dataset.json"))
    train = [i for i in dataset["images"] if i["split"] == "train"]
    val = [i for i in dataset["images"] if i["split"] == "val"][:64]
    vocab = {w: k + 1 for k, w in enumerate(sorted({t for i in train for s in i["sentences"] for t in s["tokens"]}))}
    train_x, val_x = load_images(args.data, train), load_images(args.data, val)
    train_cells, val_cells = cell_colours(train_x), cell_colours(val_x)

    def captions(images, which):
        seqs = [[vocab.get(t, 0) for t in i["sentences"][w]["tokens"]] for i, w in zip(images, which)]
        ids = torch.zeros(len(seqs), max(map(len, seqs)), dtype=torch.long)
        for k, s in enumerate(seqs):
            ids[k, :len(s)] = torch.tensor(s)
        return ids, torch.tensor([len(s) for s in seqs])

    text, g, from_cells = TextEncoder(len(vocab) + 1), Generator(), nn.Linear(36, EMBED)
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
