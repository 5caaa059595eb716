#!/usr/bin/python3
"""Export a torchvision backbone for gxn as a TorchScript file.

The file's forward maps a (B, 3, H, W) ImageNet-normalised batch to (B, F) features:
  resnet152  2048-d, after global average pooling (fc removed)
  vgg19      4096-d, the penultimate FC (classifier up to its second ReLU)
gxn copies its parameters and buffers by name into its native backbone (image.backbone =
resnet152 / vgg19 with image.backbone_file = this file), or runs it as it is
(image.backbone = torchscript).

Weights come from a local state_dict file (--weights, e.g. torchvision's
resnet152-*.pth; nothing is downloaded) or are random with a fixed --seed (for tests;
batch-norm statistics and biases are randomised too, so a loader that forgot them would be
caught).

--reference-image also writes --reference-out, a TorchScript file whose buffers `input`
(the image after torchvision's Resize(256), CenterCrop(224), ToTensor, Normalize) and
`features` (this network's output for it) let a test compare gxn to torchvision.

Run with Debian's interpreter, which has python3-torch and python3-torchvision:
  /usr/bin/python3 scripts/export_backbone.py resnet152 --weights resnet152.pth --out resnet152.pt
"""
import argparse
import sys

import torch
import torchvision
from torchvision import transforms

FEATURE_DIMS = {"resnet152": 2048, "vgg19": 4096}


def build(arch):
    if arch == "resnet152":
        return torchvision.models.resnet152()
    return torchvision.models.vgg19()


def load_state_dict(model, path):
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    # Weights saved from nn.DataParallel carry a "module." prefix.
    state = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}
    model.load_state_dict(state)


def randomise(model, seed):
    """Random weights that still give activations of a sane size through 150 layers."""
    torch.manual_seed(seed)
    for m in model.modules():
        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
            if m.bias is not None:
                torch.nn.init.uniform_(m.bias, -0.1, 0.1)
        elif isinstance(m, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(m.weight, 0.2, 0.5)
            torch.nn.init.uniform_(m.bias, -0.1, 0.1)
            torch.nn.init.uniform_(m.running_mean, -0.1, 0.1)
            torch.nn.init.uniform_(m.running_var, 0.5, 1.5)
            m.num_batches_tracked.fill_(int(torch.randint(1, 1000, ())))


def truncate(arch, model):
    """Keep the feature extractor only; the names of what remains match torchvision's."""
    if arch == "resnet152":
        model.fc = torch.nn.Identity()
    else:
        model.classifier = model.classifier[:5]  # Linear, ReLU, Dropout, Linear, ReLU
    return model


def preprocess(image_path):
    from PIL import Image

    tf = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    with Image.open(image_path) as im:
        return tf(im.convert("RGB")).unsqueeze(0)


class Reference(torch.nn.Module):
    def __init__(self, input, features):
        super().__init__()
        self.register_buffer("input", input)
        self.register_buffer("features", features)

    def forward(self, x):
        return x


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", choices=sorted(FEATURE_DIMS))
    p.add_argument("--out", required=True, help="TorchScript file to write")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--weights", help="a local state_dict (.pth) of the full torchvision model")
    src.add_argument("--seed", type=int, help="random weights from this seed (tests)")
    p.add_argument("--reference-image", help="an image to run through the exported network")
    p.add_argument("--reference-out", help="where to write the reference input and features")
    args = p.parse_args()
    if bool(args.reference_image) != bool(args.reference_out):
        p.error("--reference-image and --reference-out go together")

    model = build(args.arch)
    if args.weights:
        load_state_dict(model, args.weights)
    else:
        randomise(model, args.seed)
    model = truncate(args.arch, model).eval()

    scripted = torch.jit.script(model)
    scripted.save(args.out)

    if args.reference_image:
        x = preprocess(args.reference_image)
        with torch.no_grad():
            y = model(x)
        torch.jit.script(Reference(x, y)).save(args.reference_out)
        print(f"reference: input {tuple(x.shape)}, features {tuple(y.shape)}, "
              f"|features| max {y.abs().max().item():.4g}")
    print(f"wrote {args.out}: {args.arch}, {FEATURE_DIMS[args.arch]}-d features")


if __name__ == "__main__":
    sys.exit(main())
