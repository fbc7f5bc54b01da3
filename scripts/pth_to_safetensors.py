#!/usr/bin/python3
"""Converts a PyTorch M3ViT checkpoint (.pth) to safetensors for `m3vit predict --weights`.

Java cannot read pickled .pth files, so this runs once, outside m3vit, with any PyTorch
(e.g. Debian's python3-torch: /usr/bin/python3). It accepts:
  * a plain state dict, or a dict holding one under 'state_dict' / 'model';
  * an expert-parallel checkpoint directory of {rank}.pth files (the reference's
    save_moe_model_to_dir): 0.pth holds every key, the other ranks only their
    mlp.experts.htoh4 / h4toh slices, which are concatenated along dim 0 in rank order.
Names are kept (a DDP 'module.' prefix is fine: m3vit strips it). Float tensors are written
as F32, integer ones (num_batches_tracked) as I64.

Usage: pth_to_safetensors.py CHECKPOINT(.pth|dir) OUT.safetensors
"""
import json
import os
import struct
import sys

import torch


def state_dict(obj):
    if isinstance(obj, dict):
        for key in ("state_dict", "model"):
            if key in obj and isinstance(obj[key], dict):
                return obj[key]
    return obj


def load(path):
    if not os.path.isdir(path):
        return state_dict(torch.load(path, map_location="cpu"))
    ranks = sorted(int(f[:-4]) for f in os.listdir(path) if f.endswith(".pth") and f[:-4].isdigit())
    sd = dict(state_dict(torch.load(os.path.join(path, "%d.pth" % ranks[0]), map_location="cpu")))
    for r in ranks[1:]:
        part = state_dict(torch.load(os.path.join(path, "%d.pth" % r), map_location="cpu"))
        for k, v in part.items():
            if "mlp.experts.htoh4" in k or "mlp.experts.h4toh" in k:
                sd[k] = torch.cat([sd[k], v], 0)
    return sd


def write(path, tensors):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        t = tensors[k].detach().cpu().contiguous()
        if t.is_floating_point():
            dt, raw = "F32", t.float().numpy().astype("<f4").tobytes()
        else:
            dt, raw = "I64", t.long().numpy().astype("<i8").tobytes()
        header[k] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header["__metadata__"] = {"format": "pt", "converted_by": "pth_to_safetensors.py"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sd = {k: v for k, v in load(sys.argv[1]).items() if torch.is_tensor(v)}
    write(sys.argv[2], sd)
    print("wrote %d tensors to %s" % (len(sd), sys.argv[2]))
