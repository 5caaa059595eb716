#!/usr/bin/python3
"""The PyTorch reference for bench/train_vs_pytorch: the same GXN embedding model as gxn's
(precomputed image features -> P_v^h, P_v^l; word embeddings -> bidirectional GRU -> P_t^h and
GRU -> P_t^l; L2-normalised, absolute value; order-violation ranking loss over all in-batch
negatives; Adam with gradient clipping), trained on the same synthetic batches for the same
steps. Prints one JSON line: {"pytorch_step_ms": ..., "steps": ...}. --device cuda runs it on
the GPU; each step ends with its loss on the host, as gxn's Trainer::train_step returns it.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence


class GxnEmbedding(nn.Module):
    def __init__(self, img_dim, vocab, word_dim, hidden, embed):
        super().__init__()
        self.img_h = nn.Linear(img_dim, embed)
        self.img_l = nn.Linear(img_dim, embed)
        self.words = nn.Embedding(vocab, word_dim, padding_idx=0)
        self.rnn_h = nn.GRU(word_dim, hidden, batch_first=True, bidirectional=True)
        self.rnn_l = nn.GRU(word_dim, hidden, batch_first=True)
        self.txt_h = nn.Linear(hidden, embed)
        self.txt_l = nn.Linear(hidden, embed)

    @staticmethod
    def order_embed(x):
        return F.normalize(x, dim=1).abs()

    def forward(self, feats, ids, lengths):
        v_h, v_l = self.order_embed(self.img_h(feats)), self.order_embed(self.img_l(feats))
        packed = pack_padded_sequence(self.words(ids), lengths, batch_first=True, enforce_sorted=False)
        _, h = self.rnn_h(packed)  # (2, B, H): final forward and backward states
        _, l = self.rnn_l(packed)
        t_h = self.order_embed(self.txt_h((h[0] + h[1]) / 2))
        t_l = self.order_embed(self.txt_l(l[0]))
        return v_h, v_l, t_h, t_l


def order_scores(v, t):
    # s[i, j] = -||max(0, v_i - t_j)||^2 for image i and caption j
    return -(v.unsqueeze(1) - t.unsqueeze(0)).clamp(min=0).pow(2).sum(-1)


def ranking_loss(v_h, v_l, t_h, t_l, lam, margin):
    s = lam * order_scores(v_h, t_h) + (1 - lam) * order_scores(v_l, t_l)
    pos = s.diag()
    eye = torch.eye(s.size(0), dtype=torch.bool, device=s.device)
    cost_t = (margin - pos.unsqueeze(1) + s).clamp(min=0).masked_fill(eye, 0)  # wrong captions per image
    cost_v = (margin - pos.unsqueeze(0) + s).clamp(min=0).masked_fill(eye, 0)  # wrong images per caption
    return cost_t.sum() + cost_v.sum()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--img-dim", type=int, default=2048)
    p.add_argument("--vocab", type=int, default=10000)
    p.add_argument("--word-dim", type=int, default=300)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--embed", type=int, default=1024)
    p.add_argument("--max-len", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    device = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = GxnEmbedding(a.img_dim, a.vocab, a.word_dim, a.hidden, a.embed).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=2e-4)
    g = torch.Generator().manual_seed(a.seed)
    batches = []
    for _ in range(a.warmup + a.steps):
        feats = torch.rand(a.batch, a.img_dim, generator=g)
        lengths = torch.randint(8, a.max_len + 1, (a.batch,), generator=g)
        ids = torch.randint(4, a.vocab, (a.batch, a.max_len), generator=g)
        ids[torch.arange(a.max_len).unsqueeze(0) >= lengths.unsqueeze(1)] = 0
        batches.append((feats.to(device), ids.to(device), lengths))  # packing wants lengths on the CPU
    for step, (feats, ids, lengths) in enumerate(batches):
        if step == a.warmup:
            start = time.perf_counter()
        opt.zero_grad()
        loss = ranking_loss(*model(feats, ids, lengths), lam=0.5, margin=0.2)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        opt.step()
        final_loss = loss.item()
    elapsed = time.perf_counter() - start
    print(json.dumps({"pytorch_step_ms": 1000 * elapsed / a.steps, "steps": a.steps, "final_loss": final_loss, "device": a.device}))


if __name__ == "__main__":
    main()
