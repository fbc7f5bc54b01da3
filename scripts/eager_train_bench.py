#!/usr/bin/env python3
"""PyTorch-eager side-by-side for `m3vit bench model`: one M3ViT MoE training step, timed.

Why this exists: `bin/m3vit bench model` times m3vit's training step on DJL (PyTorch's C++ kernels called
op by op from Java). This script builds the same model in plain PyTorch eager mode and times the same step,
so the two numbers say how much the Java/DJL layer costs (or saves) against the usual PyTorch way.
It is a measuring tool only: nothing in the build depends on it.

One training step, as m3vit's ModelBenchmark / train.MultiTaskStep take it for an MoE model:
  for each task pathway (multi-gate routing: the backbone is run once per task, with that task's routers):
      training-mode forward -> that task's loss on random targets + the pathway's MoE balancing loss
      -> backward (gradients add up across pathways; the pathway's activations are freed before the next)
  then one AdamW step.
Reported per configuration: median seconds per step after warm-up (and min/max), images/s = batch / median,
peak RSS (ru_maxrss of a fresh process per configuration, so peaks of different sizes never mix), and
the parameter count next to m3vit's (its FlopCounter formula, ported below; docs/model.md).

The model follows m3vit's sources (src/main/java/org/m3vit/{model,moe,task}) and the reference
(m3vit.md): pre-norm ViT, patch 16, cls token, learned pos-embed, no final norm; MoE FFN in the odd
blocks (noisy_vmoe gate: softmax over all E then top-k, not renormalised; cv^2 balancing loss); the
reference up-head per task (LN, 4 x conv3x3+BN+ReLU with bilinear x2, conv1x1, x2). Module names are the
reference state-dict names (backbone.blocks.1.mlp.experts.htoh4.weight, decoders.semseg.conv_0, ...),
so `--list-params` can be diffed against m3vit's.

The MoE dispatch is the usual PyTorch one: sort the (token, slot) assignments by expert, gather the
tokens once (index_select), run each expert's Linear-GELU-Linear on its contiguous slice, and scatter-add
the score-weighted outputs back (index_add). m3vit's reordered dispatcher does the same sort and gather,
but puts the rows back with an inverse-permutation gather and a multiply-and-sum over the k slots; the
multiply-adds are the same.

Usage (run with Debian's torch: `apt-get install python3-torch python3-yaml`, then /usr/bin/python3):
  scripts/eager_train_bench.py --preset tiny --size 128x128 --batch 2 --threads 2
  scripts/eager_train_bench.py --preset small --size 224x224 --batch 2 --threads 2 --warmup 1 --repeats 5 --json
  scripts/eager_train_bench.py --config configs/synth/vit_moe/demo_pascal.yml     # batch/size from the YAML
Standard library + torch + PyYAML (only for --config) only.
"""

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

# ---------------------------------------------------------------------------------------------------------
# Configuration: presets, task sets and the YAML model section (pure Python, no torch needed)
# ---------------------------------------------------------------------------------------------------------

# config.VitPreset: (embed_dim, depth, num_heads). M3ViT's "small" has 12 heads (head_dim 32), not DeiT-S's 6.
PRESETS = {"tiny": (192, 12, 3), "small": (384, 12, 12), "base": (768, 12, 12)}
# timm/DeiT model names the reference configs put in backbone_kwargs.model_name (VitPreset.BY_NAME).
MODEL_NAMES = {
    "vit_tiny_patch16_224": "tiny", "deit_tiny_patch16_224": "tiny",
    "vit_small_patch16_224": "small", "deit_small_patch16_224": "small",
    "vit_base_patch16_224": "base", "vit_base_patch16_384": "base", "deit_base_patch16_224": "base",
    "deit_base_patch16_384": "base", "deit_base_distilled_patch16_384": "base",
    "deit_base_distilled_path16_384": "base",  # sic, the reference's spelling
}

# task.Task: the reference's fixed task order; a task's id (which router it uses) is its index among the
# enabled tasks in this order, whatever order the YAML lists them in.
TASK_ORDER = ["semseg", "human_parts", "sal", "normals", "edge", "depth"]
# task.DatasetLayout: the task set `bench model --db` uses, and the semseg class count.
DATASETS = {
    "pascal": {"config_name": "PASCALContext", "tasks": ["semseg", "human_parts", "sal", "normals", "edge"],
               "semseg_classes": 21},
    "nyud": {"config_name": "NYUD", "tasks": ["semseg", "normals", "edge", "depth"], "semseg_classes": 40},
}
# Task specs' defaultLossWeight (used by m3vit train when loss_kwargs.loss_weights omits a task).
DEFAULT_LOSS_WEIGHTS = {"semseg": 1.0, "human_parts": 2.0, "sal": 5.0, "normals": 10.0, "edge": 50.0,
                        "depth": 1.0}


def task_channels(task, dataset):
    """Output channels of a task's head (task specs' outputChannels)."""
    return {"semseg": DATASETS[dataset]["semseg_classes"], "human_parts": 7, "sal": 1, "normals": 3,
            "edge": 1, "depth": 1}[task]


def parse_size(text):
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise SystemExit(f"--size: expected HxW such as 224x224, got '{text}'")
    return int(parts[0]), int(parts[1])


def make_spec(*, label, source, dataset, dim, depth, heads, img, moe_layers=None, experts=16, top_k=4,
              moe_mlp_ratio=1.0, mlp_ratio=4.0, gate_type="noisy_vmoe", noise_std=0.0, multi_gate=True,
              task_dim=-1, head_channels=256, in_index=-1, in_chans=3, patch=16, tasks=None,
              loss_weights=None, aux_weight=1.0, edge_w=0.95, lr=1e-4, weight_decay=1e-4):
    """Everything that fixes the model and the step, as a JSON-able dict (it is passed to the child).

    The defaults are ModelConfig.Builder's (the README recipe: 16 experts top-4, moe_mlp_ratio 1,
    noisy_vmoe with noise 0, multi-gate, 256 head channels) and ModelBenchmark's step (AdamW lr 1e-4,
    weight decay 1e-4, unweighted losses: aux_weight 1 and every loss weight 1).
    """
    if img[0] % patch or img[1] % patch:
        raise SystemExit(f"{label}: image size {img[0]}x{img[1]} is not divisible by the patch size {patch}")
    if dim % heads:
        raise SystemExit(f"{label}: embed_dim {dim} is not divisible by num_heads {heads}")
    if moe_layers is None:
        moe_layers = list(range(1, depth, 2))  # the reference: every odd block is MoE
    tasks = tasks or DATASETS[dataset]["tasks"]
    tasks = [t for t in TASK_ORDER if t in tasks]
    ratio = mlp_ratio if moe_mlp_ratio < 0 else moe_mlp_ratio  # negative falls back to mlp_ratio (reference)
    if moe_layers and not 1 <= top_k <= experts:
        raise SystemExit(f"{label}: moe_top_k {top_k} must be between 1 and moe_experts {experts}")
    if multi_gate and task_dim >= 0:
        raise SystemExit(f"{label}: multi_gate True with gate_task_specific_dim >= 0 is refused by m3vit too")
    return {
        "label": label, "source": source, "dataset": dataset, "dim": dim, "depth": depth, "heads": heads,
        "img": list(img), "patch": patch, "in_chans": in_chans, "mlp_hidden": int(dim * mlp_ratio),
        "moe_layers": sorted(set(moe_layers)), "experts": experts, "top_k": top_k,
        "moe_hidden": int(dim * ratio), "gate_type": gate_type, "noise_std": float(noise_std),
        "multi_gate": bool(multi_gate), "task_dim": task_dim, "head_channels": head_channels,
        "in_index": depth - 1 if in_index < 0 else in_index,
        "tasks": [[t, task_channels(t, dataset)] for t in tasks],
        "loss_weights": {t: (loss_weights or {}).get(t, 1.0) for t in tasks},
        "aux_weight": aux_weight, "edge_w": edge_w, "lr": lr, "weight_decay": weight_decay,
    }


def truthy(v):
    """YAML booleans as the reference reads them: `qkv_bias: True,` is the string 'True,', truthy in Python."""
    if isinstance(v, str):
        return v.strip().rstrip(",").lower() in ("true", "1", "yes")
    return bool(v)


def spec_from_yaml(path):
    """The model (and training-step) section of an experiment YAML, read as config.ConfigLoader reads it.

    Only the keys that shape the model or the step are used. What m3vit also ignores (TAM, scheduler,
    nworkers, epochs) is ignored; what m3vit refuses, or what this script cannot reproduce, is an error,
    so a config never silently benchmarks a different model.
    Returns (spec, trBatch or None).
    """
    try:
        import yaml
    except ImportError:
        raise SystemExit("--config needs PyYAML: apt-get install -y python3-yaml")
    with open(path) as f:
        cfg = yaml.safe_load(f)
    bb = cfg.get("backbone_kwargs") or {}
    head = cfg.get("head_kwargs") or {}
    td = cfg.get("task_dictionary") or {}
    db = {"PASCALContext": "pascal", "NYUD": "nyud"}.get(cfg.get("train_db_name", "PASCALContext"))
    if db is None:
        raise SystemExit(f"{path}: train_db_name must be PASCALContext or NYUD")
    backbone = cfg.get("backbone", "VisionTransformer_moe")
    if backbone != "VisionTransformer_moe":
        # A dense ViT (backbone: VisionTransformer) trains differently in m3vit (one backbone pass and one
        # backward for all tasks), so timing it with the per-pathway step here would compare different work.
        raise SystemExit(f"{path}: backbone '{backbone}' is not an MoE model; this script times the MoE step only")
    tasks = [t for t in TASK_ORDER if truthy(td.get("include_" + t, False))]
    if not tasks:
        raise SystemExit(f"{path}: task_dictionary enables no task")
    name = bb.get("model_name")
    dim, depth, heads = PRESETS[MODEL_NAMES.get(str(name).lower(), str(name).lower())] if name else (None,) * 3
    dim, depth, heads = bb.get("embed_dim", dim), bb.get("depth", depth), bb.get("num_heads", heads)
    if None in (dim, depth, heads):
        raise SystemExit(f"{path}: give backbone_kwargs.model_name or embed_dim, depth and num_heads")
    img = bb.get("img_size", [512, 512])
    img = (img, img) if isinstance(img, int) else tuple(img)
    for k in ("drop_rate", "attn_drop_rate", "drop_path_rate"):
        if float(bb.get(k, 0) or 0) != 0:
            raise SystemExit(f"{path}: backbone_kwargs.{k} must be 0 (m3vit has no dropout)")
    if truthy(bb.get("distilled", False)) or not truthy(bb.get("qkv_bias", True)):
        raise SystemExit(f"{path}: distilled True / qkv_bias False are refused by m3vit")
    routing = bb.get("moe_routing")
    task_dim = int(bb.get("gate_task_specific_dim", -1))
    multi_gate = truthy(bb.get("multi_gate", True))
    derived = "task_conditioned" if (not multi_gate and task_dim >= 1) else "token"
    if routing not in (None, derived):
        raise SystemExit(f"{path}: moe_routing '{routing}' is not reproduced here (token and task_conditioned are)")
    if bb.get("moe_dispatch", "reordered") != "reordered":
        raise SystemExit(f"{path}: moe_dispatch must be reordered (this script's sort-by-expert dispatch)")
    if float(bb.get("moe_capacity_factor", 0) or 0) != 0:
        raise SystemExit(f"{path}: moe_capacity_factor > 0 (token dropping) is not reproduced here")
    moe_layers = None
    if "moe_layers" in bb:
        v = bb["moe_layers"]
        sel = {"odd": lambda i: i % 2 == 1, "even": lambda i: i % 2 == 0, "all": lambda i: True,
               "none": lambda i: False}
        moe_layers = [i for i in range(depth) if sel[v.lower()](i)] if isinstance(v, str) else list(v)
    opt = cfg.get("optimizer_kwargs") or {}
    weights = {**DEFAULT_LOSS_WEIGHTS, **((cfg.get("loss_kwargs") or {}).get("loss_weights") or {})}
    spec = make_spec(
        label=os.path.basename(path), source=path, dataset=db, dim=int(dim), depth=int(depth),
        heads=int(heads), img=(int(img[0]), int(img[1])), moe_layers=moe_layers,
        experts=int(bb.get("moe_experts", 16)), top_k=int(bb.get("moe_top_k", 4)),
        moe_mlp_ratio=float(bb.get("moe_mlp_ratio", 1.0)), mlp_ratio=float(bb.get("mlp_ratio", 4.0)),
        gate_type=bb.get("moe_gate_type", "noisy_vmoe"), noise_std=float(bb.get("vmoe_noisy_std", 0.0)),
        multi_gate=multi_gate, task_dim=task_dim, head_channels=int(head.get("channels", 256)),
        in_index=int(head.get("in_index", -1)), in_chans=int(bb.get("in_chans", 3)),
        patch=int(bb.get("patch_size", 16)), tasks=tasks,
        # In YAML mode the step is m3vit train's (MultiTaskStep): weighted losses + weighted balancing loss.
        loss_weights={t: float(weights[t]) for t in tasks},
        aux_weight=float(cfg.get("moe_noisy_gate_loss_weight", 0.01)),
        edge_w=float(td.get("edge_w", 0.95)),
        lr=float(opt.get("lr", 1e-4)), weight_decay=float(opt.get("weight_decay", 1e-4)))
    if spec["patch"] != 16:
        raise SystemExit(f"{path}: patch_size must be 16 (the up-head's four x2 upsamplings)")
    if spec["gate_type"] not in ("noisy_vmoe", "noisy_topk", "topk_softmax"):
        raise SystemExit(f"{path}: unknown moe_gate_type '{spec['gate_type']}'")
    if (cfg.get("optimizer") or "sgd") != "adamw":
        print(f"note: {path} trains with {cfg.get('optimizer')}; this script always steps AdamW, as"
              " `m3vit bench model` does", file=sys.stderr)
    return spec, cfg.get("trBatch")


# ---------------------------------------------------------------------------------------------------------
# m3vit's analytic counts (model.FlopCounter), ported so the eager model's own count can be checked
# against the number m3vit prints (`m3vit flops`, docs/model.md). Parameters = trainable weights only.
# ---------------------------------------------------------------------------------------------------------

def m3vit_counts(s):
    d, tasks = s["dim"], s["tasks"]
    n = (s["img"][0] // s["patch"]) * (s["img"][1] // s["patch"])
    l = n + 1  # tokens incl. cls
    e, k, hid, g = s["experts"], s["top_k"], s["moe_hidden"], s["task_dim"]
    task_cond = bool(s["moe_layers"]) and not s["multi_gate"] and g >= 1
    gate_in = d + g if task_cond else d
    one_gate = gate_in * e * (2 if s["gate_type"] == "noisy_topk" else 1)  # noisy_topk also has w_noise
    shared = d * s["in_chans"] * s["patch"] ** 2 + d + d + l * d  # patch_embed, cls_token, pos_embed
    for i in range(s["depth"]):
        shared += 4 * d + 3 * d * d + 3 * d + d * d + d  # norms, qkv, proj
        if i not in s["moe_layers"]:
            shared += 2 * d * s["mlp_hidden"] + s["mlp_hidden"] + d
    if task_cond:
        shared += len(tasks) * g + g + g * g + g + 2 * g  # gate_task_represent
    experts = len(s["moe_layers"]) * e * (2 * hid * d + hid + d)
    gates = len(s["moe_layers"]) * one_gate * (len(tasks) if s["multi_gate"] else 1)
    ch = s["head_channels"]

    def head_params(out):
        return 2 * d + (ch * d * 9 + 3 * ch) + 3 * (ch * ch * 9 + 3 * ch) + out * ch + out

    heads = sum(head_params(c) for _, c in tasks)
    # Multiply-adds of one task pathway for one image, split into what is a GEMM/convolution (what the
    # profiler can count, see --count-flops) and the rest m3vit counts (LayerNorm 2/element, BatchNorm
    # 1/element, the k-slot combine, the task-embedding LayerNorm).
    gemm = n * d * s["in_chans"] * s["patch"] ** 2
    other = 0
    for i in range(s["depth"]):
        gemm += l * d * 3 * d + 2 * l * l * d + l * d * d
        other += 4 * l * d  # norm1, norm2
        if i in s["moe_layers"]:
            gemm += l * gate_in * e + k * l * 2 * d * hid
            other += k * l * d
        else:
            gemm += 2 * l * d * s["mlp_hidden"]
    if task_cond:
        gemm += len(tasks) * g + g * g
        other += 2 * g
    pix, cin = n, d
    head_gemm_no_out = 0
    for i in range(4):
        head_gemm_no_out += pix * ch * cin * 9
        other += pix * ch
        cin = ch
        if i < 3:
            pix *= 4
    other += 2 * n * d  # head LayerNorm
    pathways = {t: {"gemm_macs": gemm + head_gemm_no_out + pix * c * ch, "other_macs": other}
                for t, c in tasks}
    return {"params": shared + experts + gates + heads, "backbone_params": shared + experts + gates,
            "expert_params": experts, "head_params": heads, "pathway_macs": pathways}


# ---------------------------------------------------------------------------------------------------------
# The model (torch). Imported lazily: the parent process only plans and collects, each child measures.
# ---------------------------------------------------------------------------------------------------------

def build_model_classes():
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    def vit_linear(i, o):
        """timm/M3ViT init for every backbone Linear: trunc_normal(0.02) weight, zero bias."""
        lin = nn.Linear(i, o)
        nn.init.trunc_normal_(lin.weight, std=0.02)
        nn.init.zeros_(lin.bias)
        return lin

    class Attention(nn.Module):
        """timm attention written out as m3vit's Attention is: softmax(q kᵀ · hd^-0.5) v; qkv has a bias."""

        def __init__(self, dim, heads):
            super().__init__()
            self.heads, self.scale = heads, (dim // heads) ** -0.5
            self.qkv, self.proj = vit_linear(dim, 3 * dim), vit_linear(dim, dim)

        def forward(self, x):
            b, l, d = x.shape
            q, k, v = self.qkv(x).reshape(b, l, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
            attn = (q @ k.transpose(-2, -1) * self.scale).softmax(-1)
            return self.proj((attn @ v).transpose(1, 2).reshape(b, l, d))

    class Mlp(nn.Module):
        def __init__(self, dim, hidden):
            super().__init__()
            self.fc1, self.fc2 = vit_linear(dim, hidden), vit_linear(hidden, dim)

        def forward(self, x, *_):
            return self.fc2(F.gelu(self.fc1(x))), None  # exact (erf) GELU, as nn.GELU and DJL's gelu

    def cv_squared(x):
        """fastmoe/M3ViT: unbiased variance over mean² (+1e-10); 0 for a single expert."""
        if x.numel() <= 1:
            return x.new_zeros(())
        return x.var(unbiased=True) / (x.mean() ** 2 + 1e-10)

    def prob_in_top_k(clean, noisy, sigma, top_values, k):
        """Shazeer's smooth load estimate (moe.Gate.probInTopK), compared with the k-th or (k+1)-th value."""
        t_in, t_out = top_values[:, k:k + 1], top_values[:, k - 1:k]
        cdf = lambda z: 0.5 * (1 + torch.erf(z / math.sqrt(2.0)))  # noqa: E731  standard normal Φ
        return torch.where(noisy > t_in, cdf((clean - t_in) / sigma), cdf((clean - t_out) / sigma))

    class Gate(nn.Module):
        """One router: w_gate (d x E, no bias, kaiming_uniform(a=√5): U(±1/√E)), plus w_noise for noisy_topk.

        Returns (expert ids (R,k), scores (R,k), balancing loss). The three kinds are m3vit's
        moe.NoisyVmoeGate (the reference's noisy_vmoe, the default), moe.NoisyTopkGate and moe.TopkSoftmaxGate.
        """

        def __init__(self, d, experts, k, kind, noise_std):
            super().__init__()
            self.e, self.k, self.kind, self.noise_std = experts, k, kind, noise_std
            self.w_gate = nn.Parameter(torch.empty(d, experts))
            nn.init.kaiming_uniform_(self.w_gate, a=math.sqrt(5))
            if kind == "noisy_topk":
                self.w_noise = nn.Parameter(torch.empty(d, experts))
                nn.init.kaiming_uniform_(self.w_noise, a=math.sqrt(5))

        def _importance_and_counts(self, idx, scores):
            importance = scores.new_zeros(scores.shape[0], self.e).scatter(1, idx, scores).sum(0)
            counts = torch.bincount(idx.reshape(-1), minlength=self.e).to(scores.dtype)  # no gradient
            return importance, counts

        def forward(self, rows):
            clean = rows @ self.w_gate
            e, k = self.e, self.k
            if self.kind == "noisy_topk":
                sigma = F.softplus(rows @ self.w_noise) + 1e-2 if self.training else None
                logits = clean + torch.randn_like(clean) * sigma if self.training else clean
                top_v, idx = logits.topk(k, dim=1)
                scores = top_v.softmax(1)
                importance, counts = self._importance_and_counts(idx, scores)
                if not self.training:
                    return idx, scores, clean.new_zeros(())
                load = (prob_in_top_k(clean, logits, sigma, logits.topk(k + 1, dim=1)[0], k).sum(0)
                        if k < e else counts)
                return idx, scores, cv_squared(importance) + cv_squared(load)
            sigma = self.noise_std / e if self.training else 0.0
            noisy = clean + torch.randn_like(clean) * sigma if sigma > 0 else clean
            probs = noisy.softmax(1)  # over all E experts, before the top-k
            scores, idx = probs.topk(k, dim=1)
            if self.kind == "topk_softmax":
                scores = scores / scores.sum(1, keepdim=True).clamp_min(1e-9)
                if not self.training:
                    return idx, scores, clean.new_zeros(())
                top1 = F.one_hot(idx[:, 0], e).to(probs.dtype).mean(0)
                return idx, scores, (probs.mean(0) * top1).sum() * e
            # noisy_vmoe: the k probabilities are used as they are (not renormalised)
            importance, counts = self._importance_and_counts(idx, scores)
            if not self.training:
                return idx, scores, clean.new_zeros(())
            if k < e and sigma > 1e-6:
                # the reference's quirk, kept as m3vit keeps it: thresholds are probabilities, clean is logits
                load = prob_in_top_k(clean, noisy, sigma, probs.topk(k + 1, dim=1)[0], k).sum(0)
            else:
                load = counts
            return idx, scores, cv_squared(importance) + cv_squared(load)

    class StackedLinear(nn.Module):
        """E linears stored stacked as fastmoe's FMoELinear: weight (E, out, in), bias (E, out).

        kaiming_uniform(a=√5) on the 3-D tensor (torch's fan-in is then out·in, as fastmoe's), zero bias.
        """

        def __init__(self, experts, i, o):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(experts, o, i))
            self.bias = nn.Parameter(torch.zeros(experts, o))
            nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    class Experts(nn.Module):
        def __init__(self, experts, d, hidden):
            super().__init__()
            self.htoh4, self.h4toh = StackedLinear(experts, d, hidden), StackedLinear(experts, hidden, d)

    class MoeFfn(nn.Module):
        """M3ViT's MoE FFN: the task's router, then sort-by-expert dispatch over E FFN experts."""

        def __init__(self, d, hidden, experts, k, kind, noise_std, tasks, multi_gate, gate_in):
            super().__init__()
            self.k, self.e, self.multi_gate = k, experts, multi_gate
            make = lambda: Gate(gate_in, experts, k, kind, noise_std)  # noqa: E731
            # multi-gate: one router per task (mlp.gate.{t}.w_gate); otherwise one shared (mlp.gate.w_gate)
            self.gate = nn.ModuleList([make() for _ in range(tasks)]) if multi_gate else make()
            self.experts = Experts(experts, d, hidden)

        def forward(self, x, task_id, task_feature):
            b, l, d = x.shape
            tokens = x.reshape(b * l, d)  # every token, cls included, is routed; batch flattened together
            rows = tokens if task_feature is None else torch.cat(
                [tokens, task_feature.expand(tokens.shape[0], -1)], 1)  # task-conditioned: concat(token, f_t)
            gate = self.gate[task_id] if self.multi_gate else self.gate
            idx, scores, aux = gate(rows)
            slot_expert = idx.reshape(-1)  # slot j of token i sits at i*k + j
            # Sort the slots by expert (stable: tokens keep their order inside a queue), gather their tokens once.
            _, order = torch.sort(slot_expert, stable=True)
            token_of_slot = torch.div(order, self.k, rounding_mode="floor")
            queued = tokens.index_select(0, token_of_slot)
            counts = torch.bincount(slot_expert, minlength=self.e).tolist()  # the one host sync per layer
            # unbind once per forward: its backward is one stack, as m3vit's split; indexing weight[e] per
            # expert instead would allocate a full-size zero gradient per expert in backward.
            w1, b1 = self.experts.htoh4.weight.unbind(0), self.experts.htoh4.bias.unbind(0)
            w2, b2 = self.experts.h4toh.weight.unbind(0), self.experts.h4toh.bias.unbind(0)
            outs, start = [], 0
            for e, n in enumerate(counts):
                if n == 0:
                    continue  # an expert nobody chose is never touched (no tokens, no GEMM)
                h = F.gelu(F.linear(queued.narrow(0, start, n), w1[e], b1[e]))
                outs.append(F.linear(h, w2[e], b2[e]))
                start += n
            expert_out = torch.cat(outs, 0)
            weight = scores.reshape(-1).index_select(0, order).unsqueeze(1)
            # y_t = Σ_j score_tj · expert_j(x_t): the weighted scatter-add back to token order
            y = tokens.new_zeros(tokens.shape).index_add(0, token_of_slot, expert_out * weight)
            return y.reshape(b, l, d), aux

    class Block(nn.Module):
        """Pre-norm block: x + Attn(LN1(x)), x + FFN(LN2(x)); LayerNorm eps 1e-6 as the reference."""

        def __init__(self, d, heads, ffn):
            super().__init__()
            self.norm1, self.attn = nn.LayerNorm(d, eps=1e-6), Attention(d, heads)
            self.norm2, self.mlp = nn.LayerNorm(d, eps=1e-6), ffn

        def forward(self, x, task_id, task_feature):
            x = x + self.attn(self.norm1(x))
            y, aux = self.mlp(self.norm2(x), task_id, task_feature)
            return x + y, aux

    class TaskEmbedding(nn.Module):
        """gate_task_represent (task-conditioned routing only): one-hot → fc1 → GELU → fc2 → LayerNorm."""

        def __init__(self, tasks, g):
            super().__init__()
            self.tasks = tasks
            self.fc1, self.fc2, self.norm = vit_linear(tasks, g), vit_linear(g, g), nn.LayerNorm(g, eps=1e-6)

        def forward(self, task_id, like):
            one_hot = F.one_hot(torch.tensor([task_id]), self.tasks).to(like.dtype)
            return self.norm(self.fc2(F.gelu(self.fc1(one_hot))))

    class PatchEmbed(nn.Module):
        def __init__(self, cin, d, p):
            super().__init__()
            self.proj = nn.Conv2d(cin, d, p, stride=p)  # torch default init, as m3vit's Conv2dLayer

        def forward(self, img):
            return self.proj(img).flatten(2).transpose(1, 2)

    class Backbone(nn.Module):
        """VisionTransformerMoe: every block's output is returned; no final norm (the heads have their own)."""

        def __init__(self, s):
            super().__init__()
            d, n = s["dim"], (s["img"][0] // s["patch"]) * (s["img"][1] // s["patch"])
            self.patch_embed = PatchEmbed(s["in_chans"], d, s["patch"])
            self.cls_token = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, 1, d), std=0.02))
            self.pos_embed = nn.Parameter(nn.init.trunc_normal_(torch.empty(1, n + 1, d), std=0.02))
            ntasks, g = len(s["tasks"]), s["task_dim"]
            task_cond = bool(s["moe_layers"]) and not s["multi_gate"] and g >= 1
            blocks = []
            for i in range(s["depth"]):
                if i in s["moe_layers"]:
                    ffn = MoeFfn(d, s["moe_hidden"], s["experts"], s["top_k"], s["gate_type"], s["noise_std"],
                                 ntasks, s["multi_gate"], d + g if task_cond else d)
                else:
                    ffn = Mlp(d, s["mlp_hidden"])
                blocks.append(Block(d, s["heads"], ffn))
            self.blocks = nn.ModuleList(blocks)
            self.gate_task_represent = TaskEmbedding(ntasks, g) if task_cond else None

        def forward(self, img, task_id):
            x = self.patch_embed(img)
            x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], 1) + self.pos_embed
            f_t = None if self.gate_task_represent is None else self.gate_task_represent(task_id, x)
            outs, aux = [], x.new_zeros(())
            for blk in self.blocks:
                x, a = blk(x, task_id, f_t)
                outs.append(x)
                if a is not None:
                    aux = aux + a  # the pathway's balancing loss: every MoE layer's router for this task
            return outs, aux

    class UpHead(nn.Module):
        """VisionTransformerUpHead: LN → drop cls → map → 4×[conv3×3+BN+ReLU, ×2 between] → conv1×1 → ×2."""

        def __init__(self, d, ch, out):
            super().__init__()
            self.norm = nn.LayerNorm(d, eps=1e-6)
            for i in range(4):
                setattr(self, f"conv_{i}", nn.Conv2d(d if i == 0 else ch, ch, 3, padding=1))
            self.conv_4 = nn.Conv2d(ch, out, 1)
            for i in range(4):
                setattr(self, f"syncbn_fc_{i}", nn.BatchNorm2d(ch))  # eps 1e-5, momentum 0.1

        @staticmethod
        def up2(x):
            return F.interpolate(x, size=(x.shape[2] * 2, x.shape[3] * 2), mode="bilinear", align_corners=False)

        def forward(self, tokens, gh, gw):
            b, _, d = tokens.shape
            # m3vit always drops cls (the reference only when L % 48 != 0, which holds at its sizes)
            x = self.norm(tokens[:, 1:]).transpose(1, 2).reshape(b, d, gh, gw)
            for i in range(4):
                x = F.relu(getattr(self, f"syncbn_fc_{i}")(getattr(self, f"conv_{i}")(x)))
                if i < 3:
                    x = self.up2(x)
            return self.up2(self.conv_4(x))

    class MultiTaskModel(nn.Module):
        def __init__(self, s):
            super().__init__()
            self.s = s
            self.backbone = Backbone(s)
            self.decoders = nn.ModuleDict(
                {t: UpHead(s["dim"], s["head_channels"], c) for t, c in s["tasks"]})

        def forward(self, img, task_id):
            """One task's pathway: the backbone with that task's routers, then only that task's head."""
            outs, aux = self.backbone(img, task_id)
            name = self.s["tasks"][task_id][0]
            gh, gw = self.s["img"][0] // self.s["patch"], self.s["img"][1] // self.s["patch"]
            return self.decoders[name](outs[self.s["in_index"]], gh, gw), aux

    return MultiTaskModel


def build_losses():
    """task.dense.Losses, written with the same formulas (255 = ignore)."""
    import torch
    import torch.nn.functional as F

    ignore = 255

    def cross_entropy(logits, labels):
        valid = labels != ignore
        safe = torch.where(valid, labels, torch.zeros_like(labels))
        nll = -F.log_softmax(logits, 1).gather(1, safe.unsqueeze(1)).squeeze(1)
        v = valid.to(logits.dtype)
        return (nll * v).sum() / v.sum().clamp_min(1.0)

    def balanced_bce(logits, labels, pos_weight):
        lab = labels.to(logits.dtype).reshape(logits.shape)
        valid = (lab != ignore).to(logits.dtype)
        y = (lab >= 0.5).to(logits.dtype) * valid
        bce = logits.clamp_min(0) - logits * y + torch.log1p(torch.exp(-logits.abs()))
        pos, neg = (bce * y).sum(), (bce * (valid - y)).sum()
        w = (valid.sum() - y.sum()) / valid.sum().clamp_min(1.0) if pos_weight is None else pos_weight
        return (w * pos + (1 - w) * neg) / lab.numel()

    def normals_l1(pred, target):
        unit = pred / (pred.square().sum(1, keepdim=True).sqrt() + 1e-12)
        valid = (target != ignore).to(pred.dtype)
        return ((unit - target * valid).abs() * valid).sum() / valid.sum().clamp_min(1e-6)

    def depth_l1(pred, target):
        t = target.to(pred.dtype).reshape(pred.shape)
        valid = ((t != ignore) & (t != 0)).to(pred.dtype)
        return ((pred - t * valid).abs() * valid).sum() / valid.sum().clamp_min(1.0)

    def loss(task, pred, target, edge_w):
        if task in ("semseg", "human_parts"):
            return cross_entropy(pred, target)
        if task == "sal":
            return balanced_bce(pred, target, None)  # weight from the batch's own balance
        if task == "edge":
            return balanced_bce(pred, target, edge_w)  # fixed pos weight edge_w (0.95)
        if task == "normals":
            return normals_l1(pred, target)
        return depth_l1(pred, target)

    def random_target(task, channels, b, h, w):
        """As the task specs' randomTarget: class ids, {0,1} maps, unit normals, depth in [0.5, 10)."""
        if task in ("semseg", "human_parts"):
            return torch.randint(0, channels, (b, h, w), dtype=torch.int64)
        if task in ("sal", "edge"):
            return (torch.rand(b, 1, h, w) >= 0.5).float()
        if task == "normals":
            n = torch.randn(b, 3, h, w)
            return n / n.square().sum(1, keepdim=True).sqrt()
        return torch.empty(b, 1, h, w).uniform_(0.5, 10.0)

    return loss, random_target


def no_decay(name):
    """train.ParameterOptimizer.decaysByDefault, negated: norms, biases, pos_embed and cls_token don't decay."""
    leaf = name.rsplit(".", 1)[-1]
    return (leaf == "bias" or "norm" in name or "syncbn" in name or name.endswith("pos_embed")
            or name.endswith("cls_token"))


# ---------------------------------------------------------------------------------------------------------
# The measurement (runs in a child process, one configuration each)
# ---------------------------------------------------------------------------------------------------------

def run_child(job):
    s, o = job["spec"], job["options"]
    import torch

    # Thread counts before any parallel work: intra-op as --threads (OMP_NUM_THREADS is set by the parent
    # too, before torch was imported), and inter-op as m3vit's EngineSettings sets it (the same number).
    torch.set_num_threads(o["threads"])
    try:
        torch.set_num_interop_threads(o["threads"])
    except RuntimeError:
        pass  # only settable once per process, before inter-op work; harmless if already fixed
    torch.manual_seed(o["seed"])
    log = lambda msg: print(f"{s['label']}: {msg}", file=sys.stderr, flush=True)  # noqa: E731

    model = build_model_classes()(s)
    model.train()  # gate noise (if any), balancing loss and BatchNorm batch statistics, as m3vit's step
    loss_fn, random_target = build_losses()
    named = list(model.named_parameters())
    params = sum(p.numel() for _, p in named)
    if o["list_params"]:
        for n, p in named:
            print(f"{n}\t{tuple(p.shape)}", file=sys.stderr)
    decay = [p for n, p in named if not no_decay(n)]
    rest = [p for n, p in named if no_decay(n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": s["weight_decay"]},
                             {"params": rest, "weight_decay": 0.0}],
                            lr=s["lr"], betas=(0.9, 0.999), eps=1e-8)

    b, (h, w) = o["batch"], s["img"]
    image = torch.randn(b, s["in_chans"], h, w)
    targets = {t: random_target(t, c, b, h, w) for t, c in s["tasks"]}

    def train_step():
        for tid, (task, _) in enumerate(s["tasks"]):
            pred, aux = model(image, tid)
            loss = s["loss_weights"][task] * loss_fn(task, pred, targets[task], s["edge_w"]) \
                + s["aux_weight"] * aux
            loss.backward()  # gradients add up across pathways; this pathway's graph is freed here
            del pred, aux, loss  # and its outputs: only one pathway's activations are alive at a time
        opt.step()
        opt.zero_grad(set_to_none=True)

    # One untimed step first, as ModelBenchmark does, so creating AdamW's moment buffers is in no timing.
    log("creating optimizer state")
    train_step()
    times = []
    for r in range(o["warmup"] + o["repeats"]):
        log(f"round {r + 1}/{o['warmup'] + o['repeats']}: train")
        t0 = time.perf_counter()
        train_step()
        t1 = time.perf_counter()
        if r >= o["warmup"]:
            times.append(t1 - t0)
    # Read before the optional FLOP count below, which allocates what the step does not.
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux, as /usr/bin/time %M
    med = statistics.median(times)
    result = {
        "model": s["label"], "source": s["source"], "batch": b, "size": f"{h}x{w}",
        "tasks": [t for t, _ in s["tasks"]], "params": params,
        "step_s_median_min_max": [round(med, 4), round(min(times), 4), round(max(times), 4)],
        "step_s_all": [round(t, 4) for t in times],
        "images_per_s": round(b / med, 3),
        "peak_rss_kb": maxrss_kb, "peak_rss_gb": round(maxrss_kb * 1024 / 1e9, 3),
        "threads": o["threads"], "torch": torch.__version__,
    }
    if o["count_flops"]:
        result["profiled_gemm_flops_per_image"] = profile_flops(model, image, s)
    print(json.dumps(result))


def profile_flops(model, image, s):
    """FLOPs of the GEMMs and convolutions of one forward per pathway, counted by torch's profiler.

    The profiler counts (2 x multiply-adds) only for mm/addmm/bmm/conv2d, so it is compared with the
    matching part of m3vit's analytic count; the counted total would be the same ops either way.
    """
    import torch
    counted = {"aten::mm", "aten::addmm", "aten::bmm", "aten::conv2d"}
    out = {}
    with torch.no_grad():
        for tid, (task, _) in enumerate(s["tasks"]):
            with torch.autograd.profiler.profile(with_flops=True, record_shapes=True) as prof:
                model(image, tid)
            flops = sum(e.flops for e in prof.key_averages() if e.key in counted and e.flops)
            out[task] = flops // image.shape[0]
    return out


# ---------------------------------------------------------------------------------------------------------
# The driver: one fresh child process per configuration (peak RSS must not mix), then a table or JSON
# ---------------------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description="PyTorch-eager side-by-side of `m3vit bench model`'s training step (M3ViT MoE, "
                    "multi-gate: one forward+backward per task pathway, then AdamW).",
        epilog="Each configuration runs in a fresh process (peak RSS per configuration). "
               "Run it niced on a shared machine: nice -n 19 /usr/bin/python3 scripts/eager_train_bench.py ...")
    ap.add_argument("--preset", default="tiny",
                    help="ViT preset(s), comma-separated: tiny (192/12/3 heads), small (384/12/12), base "
                         "(default: tiny). Ignored with --config.")
    ap.add_argument("--size", default="128x128",
                    help="image size(s) HxW, comma-separated (default: 128x128; with --config: the YAML's)")
    ap.add_argument("--config", action="append", default=[],
                    help="experiment YAML whose model section to use (repeatable), e.g. "
                         "configs/synth/vit_moe/demo_pascal.yml; batch defaults to its trBatch")
    ap.add_argument("--db", default="pascal", choices=sorted(DATASETS),
                    help="task set of the presets (default: pascal, 5 tasks), as bench model --db")
    ap.add_argument("--experts", type=int, default=16, help="experts per MoE layer for presets (default 16)")
    ap.add_argument("--top-k", type=int, default=4, help="experts per token for presets (default 4)")
    ap.add_argument("--head-channels", type=int, default=256, help="up-head channels for presets (default 256)")
    ap.add_argument("--batch", type=int, default=None,
                    help="images per batch (default: 8 as bench model; with --config the YAML's trBatch)")
    ap.add_argument("--threads", type=int, default=2, help="intra-op threads, also OMP_NUM_THREADS (default 2)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps after the optimizer-state step (default 2)")
    ap.add_argument("--repeats", type=int, default=5, help="timed steps; the median is reported (default 5)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count-flops", action="store_true",
                    help="after timing, count GEMM/conv FLOPs of one forward per pathway with torch's profiler "
                         "and compare with m3vit's analytic count")
    ap.add_argument("--list-params", action="store_true",
                    help="print every parameter name and shape (reference state-dict names) to stderr")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a._child:
        run_child(json.loads(a._child))
        return
    # Fail before planning anything if this interpreter has no torch (e.g. a pyenv python3 first on PATH):
    # the children are started with this same interpreter.
    import importlib.util
    if importlib.util.find_spec("torch") is None:
        raise SystemExit(f"{sys.executable} cannot import torch: run Debian's /usr/bin/python3 "
                         "(apt-get install -y python3-torch python3-yaml)")
    if a.threads < 1 or a.warmup < 0 or a.repeats < 1 or (a.batch is not None and a.batch < 1):
        raise SystemExit("--threads, --repeats and --batch must be >= 1 and --warmup >= 0")

    # Plan the configurations.
    plan = []  # (spec, batch)
    if a.config:
        sizes = None if a.size == ap.get_default("size") else [parse_size(x) for x in a.size.split(",")]
        for path in a.config:
            spec, tr_batch = spec_from_yaml(path)
            for size in sizes or [tuple(spec["img"])]:
                sp = spec if tuple(spec["img"]) == size else spec_from_size(spec, size)
                plan.append((sp, a.batch or tr_batch or 8))
    else:
        for p in a.preset.split(","):
            if p.strip() not in PRESETS:
                raise SystemExit(f"--preset: unknown preset '{p}'; expected tiny, small or base")
            d, depth, heads = PRESETS[p.strip()]
            for size in (parse_size(x) for x in a.size.split(",")):
                plan.append((make_spec(label=f"{p.strip()} {size[0]}x{size[1]}", source="preset " + p.strip(),
                                       dataset=a.db, dim=d, depth=depth, heads=heads, img=size,
                                       experts=a.experts, top_k=a.top_k, head_channels=a.head_channels),
                             a.batch or 8))

    env = dict(os.environ, OMP_NUM_THREADS=str(a.threads), MKL_NUM_THREADS=str(a.threads))
    rows = []
    for spec, batch in plan:
        counts = m3vit_counts(spec)
        options = {"batch": batch, "threads": a.threads, "warmup": a.warmup, "repeats": a.repeats,
                   "seed": a.seed, "count_flops": a.count_flops, "list_params": a.list_params}
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--_child",
                               json.dumps({"spec": spec, "options": options})],
                              env=env, stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"{spec['label']}: the measuring process failed (exit {proc.returncode})")
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["m3vit_params"] = counts["params"]
        row["params_match"] = row["params"] == counts["params"]
        row["m3vit_gflops_per_pathway"] = {
            t: round(2 * (m["gemm_macs"] + m["other_macs"]) / 1e9, 4) for t, m in counts["pathway_macs"].items()}
        if a.count_flops:
            row["m3vit_gemm_flops_per_image"] = {t: 2 * m["gemm_macs"] for t, m in counts["pathway_macs"].items()}
            row["gemm_flops_match"] = row["m3vit_gemm_flops_per_image"] == row["profiled_gemm_flops_per_image"]
        row["spec"] = {k: spec[k] for k in ("dim", "depth", "heads", "moe_layers", "experts", "top_k",
                                             "moe_hidden", "gate_type", "noise_std", "multi_gate",
                                             "head_channels", "in_index")}
        rows.append(row)

    if a.json:
        print(json.dumps({"config": {"threads": a.threads, "warmup": a.warmup, "repeats": a.repeats,
                                     "seed": a.seed, "engine": "pytorch eager"}, "results": rows}))
        return
    print(f"PyTorch eager {rows[0]['torch'] if rows else ''}, {a.threads} thread(s), "
          f"median of {a.repeats} step(s) after 1 + {a.warmup} untimed")
    for r in rows:
        med, lo, hi = r["step_s_median_min_max"]
        match = "= m3vit" if r["params_match"] else f"!= m3vit {r['m3vit_params']:,}"
        print(f"{r['model']} (batch {r['batch']}, {len(r['tasks'])} tasks): train step {med:.3f} s "
              f"({lo:.3f}-{hi:.3f}), {r['images_per_s']:.3f} img/s, peak RSS {r['peak_rss_gb']:.2f} GB, "
              f"params {r['params']:,} {match}")
        if a.count_flops:
            print(f"  GEMM/conv FLOPs per image and pathway, profiled vs m3vit's count: "
                  f"{'equal' if r['gemm_flops_match'] else 'DIFFER'} "
                  f"{r['profiled_gemm_flops_per_image']} vs {r['m3vit_gemm_flops_per_image']}")


def spec_from_size(spec, size):
    """A YAML spec at another image size (--size with --config): only pos_embed's length changes."""
    s = dict(spec, img=list(size), label=f"{spec['label']} {size[0]}x{size[1]}")
    if size[0] % s["patch"] or size[1] % s["patch"]:
        raise SystemExit(f"--size {size[0]}x{size[1]} is not divisible by the patch size {s['patch']}")
    return s


if __name__ == "__main__":
    main()
