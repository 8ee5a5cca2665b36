#!/usr/bin/python3
"""PyTorch parity fixtures for nabla's loss functions.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/loss.py
Writes tests/fixtures/parity/loss.safetensors. For every case NAME below it stores
  NAME.in<i>   the loss's inputs in call order (int64 class targets included),
  NAME.diff    int64 flags: 1 where in<i> is differentiated,
  NAME.out     the loss,
  NAME.gy      the upstream gradient (same shape as out),
  NAME.grad<i> d sum(out * gy) / d in<i> for the differentiated inputs.
tests/nn/parity_loss_test.cpp evaluates the same calls in nabla (keep both tables in sync).
"""
import os

import torch

from safetensors_writer import write_safetensors
import torch.nn.functional as F

torch.manual_seed(0)
F32, F64 = torch.float32, torch.float64


def randn(*shape, dtype=F32):
    return torch.randn(*shape, dtype=F64).to(dtype)


def rand(*shape, dtype=F32, lo=0.0, hi=1.0):
    return (torch.rand(*shape, dtype=F64) * (hi - lo) + lo).to(dtype)


def labels(n, c, shape=None):
    return torch.randint(0, c, shape if shape is not None else (n,), dtype=torch.int64)


def signs(*shape, dtype=F32):
    return (torch.randint(0, 2, shape) * 2 - 1).to(dtype)


def probs(*shape, dim=1, dtype=F32):
    return torch.softmax(randn(*shape, dtype=F64), dim=dim).to(dtype)


def with_ignored(t, value, positions):
    t = t.clone()
    t.view(-1)[positions] = value
    return t


# name: (function of the inputs, [(input, differentiated)])
CASES = {}


def case(name, fn, *inputs):
    CASES[name] = (fn, list(inputs))


w5 = rand(5, lo=0.2, hi=2.0)
w4 = rand(4, lo=0.2, hi=2.0)

case("ce_basic", lambda x, t: F.cross_entropy(x, t), (randn(6, 5), True), (labels(6, 5), False))
case("ce_weight_ignore", lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=2),
     (randn(8, 5), True), (torch.tensor([0, 2, 4, 1, 2, 3, 0, 4]), False), (w5, False))
case("ce_default_ignore_sum", lambda x, t: F.cross_entropy(x, t, reduction="sum"),
     (randn(6, 5), True), (with_ignored(labels(6, 5), -100, [1, 4]), False))
case("ce_smooth_weight", lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.2),
     (randn(7, 5), True), (labels(7, 5), False), (w5, False))
case("ce_smooth_ignore_sum", lambda x, t: F.cross_entropy(x, t, ignore_index=1, label_smoothing=0.1, reduction="sum"),
     (randn(7, 5), True), (torch.tensor([1, 0, 3, 1, 4, 2, 2]), False))
case("ce_smooth_weight_ignore_none", lambda x, t, w: F.cross_entropy(x, t, weight=w, ignore_index=0,
                                                                       label_smoothing=0.3, reduction="none"),
     (randn(6, 5), True), (torch.tensor([0, 1, 2, 3, 4, 0]), False), (w5, False))
case("ce_none_f64", lambda x, t: F.cross_entropy(x, t, reduction="none"),
     (randn(5, 7, dtype=F64), True), (labels(5, 7), False))
case("ce_wide_f64", lambda x, t: F.cross_entropy(x, t),
     (randn(3, 300, dtype=F64) * 4, True), (labels(3, 300), False))
case("ce_probs", lambda x, t: F.cross_entropy(x, t), (randn(5, 4), True), (probs(5, 4), True))
case("ce_probs_smooth_weight", lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1),
     (randn(5, 4), True), (probs(5, 4), True), (w4, False))
case("ce_probs_none", lambda x, t: F.cross_entropy(x, t, reduction="none"),
     (randn(3, 4, 2), True), (probs(3, 4, 2), True))
case("ce_spatial", lambda x, t, w: F.cross_entropy(x, t, weight=w),
     (randn(2, 4, 3, 3), True), (with_ignored(labels(2, 4, (2, 3, 3)), -100, [0, 7]), False), (w4, False))
case("ce_spatial_smooth_none", lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.15,
                                                                reduction="none"),
     (randn(2, 4, 3), True), (with_ignored(labels(2, 4, (2, 3)), -100, [2]), False), (w4, False))
case("ce_spatial_smooth_mean", lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.15),
     (randn(2, 4, 3), True), (with_ignored(labels(2, 4, (2, 3)), -100, [2]), False), (w4, False))
case("ce_unbatched", lambda x, t: F.cross_entropy(x, t), (randn(5), True), (torch.tensor(3), False))

case("nll_weight_ignore", lambda x, t, w: F.nll_loss(x, t, weight=w, ignore_index=1),
     (torch.log_softmax(randn(6, 5), 1), True), (torch.tensor([1, 0, 3, 4, 1, 2]), False), (w5, False))
case("nll_spatial_sum", lambda x, t: F.nll_loss(x, t, reduction="sum"),
     (randn(2, 3, 4), True), (labels(2, 3, (2, 4)), False))
case("nll_none", lambda x, t: F.nll_loss(x, t, reduction="none"), (randn(4, 3), True), (labels(4, 3), False))

case("mm_p1", lambda x, t: F.multi_margin_loss(x, t), (randn(6, 4), True), (labels(6, 4), False))
case("mm_p2_weight_sum", lambda x, t, w: F.multi_margin_loss(x, t, p=2, margin=0.5, weight=w, reduction="sum"),
     (randn(6, 4), True), (labels(6, 4), False), (w4, False))
case("mm_none_f64", lambda x, t: F.multi_margin_loss(x, t, margin=2.0, reduction="none"),
     (randn(5, 3, dtype=F64), True), (labels(5, 3), False))

case("bce_basic", lambda x, y: F.binary_cross_entropy(x, y), (rand(4, 3, lo=0.05, hi=0.95), True),
     (rand(4, 3), True))
case("bce_weight_sum", lambda x, y, w: F.binary_cross_entropy(x, y, weight=w, reduction="sum"),
     (rand(4, 3, lo=0.05, hi=0.95), True), (rand(4, 3), True), (rand(3, lo=0.5, hi=2.0), False))
case("bce_none_f64", lambda x, y: F.binary_cross_entropy(x, y, reduction="none"),
     (rand(5, dtype=F64, lo=0.05, hi=0.95), True), (torch.tensor([0., 1., 1., 0., 0.5], dtype=F64), True))
case("bcel_basic", lambda x, y: F.binary_cross_entropy_with_logits(x, y), (randn(4, 3) * 3, True), (rand(4, 3), True))
case("bcel_posweight_weight_sum",
     lambda x, y, w, pw: F.binary_cross_entropy_with_logits(x, y, weight=w, pos_weight=pw, reduction="sum"),
     (randn(4, 3) * 3, True), (rand(4, 3), True), (rand(4, 1, lo=0.5, hi=2.0), False), (rand(3, lo=0.5, hi=3.0), False))
case("bcel_large_none_f64", lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
     (torch.tensor([-40., -5., 0., 5., 40.], dtype=F64), True), (torch.tensor([1., 0., 0.5, 1., 0.], dtype=F64), True))

case("mse_mean", lambda x, y: F.mse_loss(x, y), (randn(4, 5), True), (randn(4, 5), True))
case("mse_sum_f64", lambda x, y: F.mse_loss(x, y, reduction="sum"), (randn(3, 4, dtype=F64), True),
     (randn(3, 4, dtype=F64), True))
case("l1_mean", lambda x, y: F.l1_loss(x, y), (randn(4, 5), True), (randn(4, 5), True))
case("l1_none", lambda x, y: F.l1_loss(x, y, reduction="none"), (randn(3, 4), True), (randn(3, 4), True))
case("smooth_l1_beta", lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), (randn(5, 6), True), (randn(5, 6), True))
case("smooth_l1_default_sum", lambda x, y: F.smooth_l1_loss(x, y, reduction="sum"), (randn(5, 6), True),
     (randn(5, 6), True))
case("huber_delta", lambda x, y: F.huber_loss(x, y, delta=0.7), (randn(5, 6), True), (randn(5, 6), True))
case("huber_none_f64", lambda x, y: F.huber_loss(x, y, reduction="none", delta=1.5),
     (randn(4, 4, dtype=F64) * 2, True), (randn(4, 4, dtype=F64), True))

case("kl_batchmean", lambda x, y: F.kl_div(x, y, reduction="batchmean"),
     (torch.log_softmax(randn(4, 5), 1), True), (probs(4, 5), True))
case("kl_mean_zero_target", lambda x, y: F.kl_div(x, y, reduction="mean"),
     (torch.log_softmax(randn(3, 4), 1), True), (torch.tensor([[0.5, 0.5, 0., 0.], [0.1, 0.2, 0.3, 0.4],
                                                                [1., 0., 0., 0.]]), False))
case("kl_log_target_sum", lambda x, y: F.kl_div(x, y, reduction="sum", log_target=True),
     (torch.log_softmax(randn(4, 5), 1), True), (torch.log_softmax(randn(4, 5), 1), True))

case("cosine_margin", lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=0.2),
     (randn(6, 5), True), (randn(6, 5), True), (signs(6), False))
case("cosine_none_f64", lambda a, b, y: F.cosine_embedding_loss(a, b, y, reduction="none"),
     (randn(5, 4, dtype=F64), True), (randn(5, 4, dtype=F64), True), (signs(5, dtype=F64), False))
case("triplet_default", lambda a, p, n: F.triplet_margin_loss(a, p, n),
     (randn(5, 4), True), (randn(5, 4), True), (randn(5, 4), True))
case("triplet_p1_swap_sum", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, p=1, swap=True, reduction="sum"),
     (randn(5, 4), True), (randn(5, 4), True), (randn(5, 4), True))
case("triplet_p3_none_f64", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=1.5, p=3, eps=1e-4, reduction="none"),
     (randn(4, 3, dtype=F64), True), (randn(4, 3, dtype=F64), True), (randn(4, 3, dtype=F64), True))
case("ranking_margin", lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.3),
     (randn(8), True), (randn(8), True), (signs(8), False))
case("ranking_none", lambda a, b, y: F.margin_ranking_loss(a, b, y, reduction="none"),
     (randn(6), True), (randn(6), True), (signs(6), False))


def build():
    out = {}
    for name, (fn, inputs) in CASES.items():
        leaves = []
        for i, (t, diff) in enumerate(inputs):
            leaf = t.detach().clone().requires_grad_(diff)
            leaves.append(leaf)
            out[f"{name}.in{i}"] = t.detach().clone()
        out[f"{name}.diff"] = torch.tensor([int(d) for _, d in inputs], dtype=torch.int64)
        y = fn(*leaves)
        gy = randn(*y.shape, dtype=y.dtype) if y.dim() > 0 else torch.tensor(1.7, dtype=y.dtype)
        out[f"{name}.out"] = y.detach()
        out[f"{name}.gy"] = gy
        diffs = [leaf for leaf in leaves if leaf.requires_grad]
        grads = torch.autograd.grad((y * gy).sum(), diffs)
        k = 0
        for i, leaf in enumerate(leaves):
            if leaf.requires_grad:
                out[f"{name}.grad{i}"] = grads[k].detach()
                k += 1
    return out


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests", "fixtures", "parity", "loss.safetensors")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tensors = build()
    write_safetensors(path, tensors, {"generator": "tools/parity/loss.py", "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors ({os.path.getsize(path)} bytes) to {path}")
