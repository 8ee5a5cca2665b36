#!/usr/bin/python3
"""PyTorch parity fixtures for nabla's optimizers and learning-rate schedulers.

Run with Debian's python3-torch:  /usr/bin/python3 tools/parity/optim.py
Writes tests/fixtures/parity/optim.safetensors:

Optimizers: a small fixed non-convex regression, loss = mean((tanh(X Wᵀ + b) − Y)²), from the
same start for every case. For each optimizer case NAME:
  NAME.W (STEPS, 3, 4), NAME.b (STEPS, 3)  parameters after each step,
  NAME.loss (STEPS)                         loss before each step (LBFGS: the closure's first loss).
Shared: problem.X, problem.Y, problem.W, problem.b (the start) in float64; float32 cases cast them.

Schedulers: an SGD optimizer with two groups (lr 0.1 and 0.02, momentum 0.9), stepped 30 times.
  sched.NAME.lr (31, 2)        get_last_lr() after construction and after each step,
  sched.NAME.momentum (31, 2)  the groups' momentum (or Adam's beta1) for OneCycleLR cases,
  sched.NAME.metrics (30)      the metric fed to ReduceLROnPlateau.
tests/optim/parity_test.cpp runs the same configurations (keep both tables in sync).
"""
import math
import os

import torch

from safetensors_writer import write_safetensors
import torch.optim as optim
from torch.optim import lr_scheduler as S

torch.manual_seed(0)
F32, F64 = torch.float32, torch.float64
STEPS = 20
SCHED_STEPS = 30

X = torch.randn(16, 4, dtype=F64)
Y = torch.tanh(X @ torch.randn(4, 3, dtype=F64) + 0.1 * torch.randn(16, 3, dtype=F64))
W0 = 0.5 * torch.randn(3, 4, dtype=F64)
B0 = 0.1 * torch.randn(3, dtype=F64)


def loss_fn(W, b, dtype):
    pred = torch.tanh(X.to(dtype) @ W.t() + b)
    return ((pred - Y.to(dtype)) ** 2).mean()


# name: (factory(W, b) -> optimizer, dtype, is_lbfgs)
OPTIMIZERS = {
    "sgd_plain": (lambda W, b: optim.SGD([W, b], lr=0.1), F64),
    "sgd_momentum": (lambda W, b: optim.SGD([W, b], lr=0.05, momentum=0.9), F64),
    "sgd_dampening_wd": (lambda W, b: optim.SGD([W, b], lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01), F64),
    "sgd_nesterov_wd": (lambda W, b: optim.SGD([W, b], lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3), F64),
    "sgd_maximize": (lambda W, b: optim.SGD([W, b], lr=0.01, momentum=0.5, maximize=True), F64),
    "sgd_groups": (lambda W, b: optim.SGD([{"params": [W], "momentum": 0.9}, {"params": [b], "lr": 0.01}], lr=0.1), F64),
    "sgd_momentum_f32": (lambda W, b: optim.SGD([W, b], lr=0.05, momentum=0.9, weight_decay=0.01), F32),
    "adam_default": (lambda W, b: optim.Adam([W, b], lr=0.01), F64),
    "adam_wd_amsgrad": (lambda W, b: optim.Adam([W, b], lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True), F64),
    "adam_maximize_eps": (lambda W, b: optim.Adam([W, b], lr=0.01, eps=1e-3, maximize=True), F64),
    "adam_f32": (lambda W, b: optim.Adam([W, b], lr=0.01), F32),
    "adamw_default": (lambda W, b: optim.AdamW([W, b], lr=0.01), F64),
    "adamw_amsgrad": (lambda W, b: optim.AdamW([W, b], lr=0.02, weight_decay=0.1, amsgrad=True), F64),
    "adamw_f32": (lambda W, b: optim.AdamW([W, b], lr=0.01, weight_decay=0.05), F32),
    "adagrad_default": (lambda W, b: optim.Adagrad([W, b], lr=0.1), F64),
    "adagrad_decay": (lambda W, b: optim.Adagrad([W, b], lr=0.1, lr_decay=0.01, weight_decay=0.01,
                                                 initial_accumulator_value=0.1, eps=1e-8), F64),
    "adagrad_f32": (lambda W, b: optim.Adagrad([W, b], lr=0.1), F32),
    "rmsprop_default": (lambda W, b: optim.RMSprop([W, b], lr=0.01), F64),
    "rmsprop_centered_momentum": (lambda W, b: optim.RMSprop([W, b], lr=0.01, alpha=0.9, momentum=0.9, centered=True,
                                                             weight_decay=0.01), F64),
    "rmsprop_momentum": (lambda W, b: optim.RMSprop([W, b], lr=0.005, momentum=0.5), F64),
    "rmsprop_f32": (lambda W, b: optim.RMSprop([W, b], lr=0.01, centered=True), F32),
    "adadelta_default": (lambda W, b: optim.Adadelta([W, b]), F64),
    "adadelta_wd": (lambda W, b: optim.Adadelta([W, b], lr=0.5, rho=0.8, eps=1e-5, weight_decay=0.01), F64),
    "adadelta_f32": (lambda W, b: optim.Adadelta([W, b]), F32),
    "lbfgs_plain": (lambda W, b: optim.LBFGS([W, b], lr=0.5, max_iter=4), F64),
    "lbfgs_wolfe": (lambda W, b: optim.LBFGS([W, b], max_iter=6, history_size=3, line_search_fn="strong_wolfe"), F64),
}


def run_optimizer(factory, dtype):
    W = W0.clone().to(dtype).requires_grad_()
    b = B0.clone().to(dtype).requires_grad_()
    opt = factory(W, b)
    Ws, bs, losses = [], [], []

    def closure():
        opt.zero_grad()
        loss = loss_fn(W, b, dtype)
        loss.backward()
        return loss

    for _ in range(STEPS):
        if isinstance(opt, optim.LBFGS):
            loss = opt.step(closure)
        else:
            loss = closure()
            opt.step()
        losses.append(float(loss))
        Ws.append(W.detach().clone())
        bs.append(b.detach().clone())
    return torch.stack(Ws), torch.stack(bs), torch.tensor(losses, dtype=dtype)


def two_group_sgd():
    p1 = torch.zeros(2, requires_grad=True)
    p2 = torch.zeros(3, requires_grad=True)
    return optim.SGD([{"params": [p1]}, {"params": [p2], "lr": 0.02}], lr=0.1, momentum=0.9)


def two_group_adam():
    p1 = torch.zeros(2, requires_grad=True)
    p2 = torch.zeros(3, requires_grad=True)
    return optim.Adam([{"params": [p1]}, {"params": [p2], "lr": 0.02}], lr=0.1)


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.92, 0.91, 0.85, 0.86, 0.87, 0.88, 0.80, 0.81, 0.805, 0.81, 0.82, 0.83,
                   0.5, 0.6, 0.7, 0.8, 0.9, 0.45, 0.46, 0.47, 0.44, 0.445, 0.446, 0.447, 0.448, 0.3, 0.31]


def sched_cases():
    def seq_warmup(o):
        return S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                                  S.CosineAnnealingLR(o, T_max=25)], milestones=[5])

    def seq_three(o):
        return S.SequentialLR(o, [S.ConstantLR(o, factor=0.5, total_iters=3), S.ExponentialLR(o, gamma=0.9),
                                  S.StepLR(o, step_size=4, gamma=0.5)], milestones=[3, 10])

    return {
        "step": (two_group_sgd, lambda o: S.StepLR(o, step_size=7, gamma=0.5)),
        "multistep": (two_group_sgd, lambda o: S.MultiStepLR(o, milestones=[5, 12, 12, 20], gamma=0.3)),
        "exponential": (two_group_sgd, lambda o: S.ExponentialLR(o, gamma=0.9)),
        "cosine": (two_group_sgd, lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
        "cosine_warm_mult2": (two_group_sgd, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=0.01)),
        "cosine_warm_mult1": (two_group_sgd, lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7)),
        "linear_warmup": (two_group_sgd, lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8)),
        "linear_decay": (two_group_sgd, lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20)),
        "constant": (two_group_sgd, lambda o: S.ConstantLR(o, factor=0.5, total_iters=4)),
        "lambda": (two_group_sgd, lambda o: S.LambdaLR(o, lambda e: 0.95 ** e)),
        "lambda_per_group": (two_group_sgd, lambda o: S.LambdaLR(o, [lambda e: 1.0 / (1 + e), lambda e: 0.9 ** (e // 3)])),
        "sequential_warmup_cosine": (two_group_sgd, seq_warmup),
        "sequential_three": (two_group_sgd, seq_three),
        "onecycle_cos": (two_group_sgd, lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=SCHED_STEPS)),
        "onecycle_linear_three_phase_adam": (two_group_adam, lambda o: S.OneCycleLR(
            o, max_lr=[0.5, 0.05], total_steps=SCHED_STEPS + 2, pct_start=0.25, anneal_strategy="linear",
            three_phase=True, div_factor=10.0, final_div_factor=100.0)),
        "plateau_min_rel": (two_group_sgd, lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, threshold=0.01,
                                                                         cooldown=1, min_lr=0.005)),
        "plateau_max_abs": (two_group_sgd, lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.2, patience=1,
                                                                         threshold=0.02, threshold_mode="abs",
                                                                         min_lr=[0.001, 0.0])),
    }


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def run_scheduler(make_opt, make_sched):
    o = make_opt()
    s = make_sched(o)
    plateau = isinstance(s, S.ReduceLROnPlateau)
    lrs = [[g["lr"] for g in o.param_groups]]
    moms = [[momentum_of(g) for g in o.param_groups]]
    for i in range(SCHED_STEPS):
        o.step()
        if plateau:
            s.step(PLATEAU_METRICS[i])
        else:
            s.step()
        lrs.append([g["lr"] for g in o.param_groups])
        moms.append([momentum_of(g) for g in o.param_groups])
    return torch.tensor(lrs, dtype=F64), torch.tensor(moms, dtype=F64), plateau


def build():
    out = {"problem.X": X, "problem.Y": Y, "problem.W": W0, "problem.b": B0}
    for name, (factory, dtype) in OPTIMIZERS.items():
        Ws, bs, losses = run_optimizer(factory, dtype)
        out[f"{name}.W"], out[f"{name}.b"], out[f"{name}.loss"] = Ws, bs, losses
    for name, (make_opt, make_sched) in sched_cases().items():
        lrs, moms, plateau = run_scheduler(make_opt, make_sched)
        out[f"sched.{name}.lr"] = lrs
        if name.startswith("onecycle"):
            out[f"sched.{name}.momentum"] = moms
        if plateau:
            out[f"sched.{name}.metrics"] = torch.tensor(PLATEAU_METRICS, dtype=F64)
    return out


if __name__ == "__main__":
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests", "fixtures", "parity", "optim.safetensors")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tensors = build()
    write_safetensors(path, tensors, {"generator": "tools/parity/optim.py", "torch": torch.__version__})
    print(f"wrote {len(tensors)} tensors ({os.path.getsize(path)} bytes) to {path}")
