"""Deterministic weights and inputs for the model-zoo parity fixtures (tools/parity/zoo_*.py).

A torchvision model's state_dict is filled by a rule that depends only on each tensor's name,
shape and element index, with integer arithmetic that is exact in any language; nabla's tests
(tests/models/zoo_parity.h) apply the same rule to their own state_dict. A fixture therefore
holds only each model's state_dict key shapes, its input shape and its logits (a few KB), yet
checks the full-size architecture: any difference in structure, parameter names or order of
operations changes the logits.

Rule, for a tensor named KEY with n elements (row-major index j):
  s = sum of the bytes of KEY
  h = ((j * 2654435761 + s * 40503) mod 2**32) >> 16          (an integer in [0, 65536))
  u = h / 65536
  running_var             0.5 + u
  running_mean            0.2 * (u - 0.5)
  num_batches_tracked     0
  1-d ...weight           0.8 + 0.4 * u        (norm scales)
  ...bias                 0.2 * (u - 0.5)
  anything else           (2u - 1) * sqrt(3 / fan_in), fan_in = n / shape[0]   (n for 0-/1-d)
  the input (KEY "input") 2u - 1
"""
import math

import torch


def fill_values(key, shape):
    """The float64 values of the tensor KEY of `shape` under the rule above."""
    n = 1
    for d in shape:
        n *= d
    s = sum(key.encode())
    j = torch.arange(n, dtype=torch.int64)
    h = ((j * 2654435761 + s * 40503) % (1 << 32)) >> 16
    u = h.to(torch.float64) / 65536.0
    if key == "input":
        v = 2 * u - 1
    elif key.endswith("running_var"):
        v = 0.5 + u
    elif key.endswith("running_mean"):
        v = 0.2 * (u - 0.5)
    elif key.endswith("weight") and len(shape) == 1:
        v = 0.8 + 0.4 * u
    elif key.endswith("bias"):
        v = 0.2 * (u - 0.5)
    else:
        fan_in = n // shape[0] if len(shape) >= 2 else n
        v = (2 * u - 1) * math.sqrt(3.0 / max(fan_in, 1))
    return v.reshape(shape)


def fill_model(model):
    """Overwrites every entry of model.state_dict() by the rule (num_batches_tracked with 0)."""
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if key.endswith("num_batches_tracked"):
                t.zero_()
            else:
                t.copy_(fill_values(key, tuple(t.shape)).to(t.dtype))


def model_entries(name, model, input_shape):
    """Fills `model`, runs it in eval mode on the rule's input of `input_shape` and returns the
    fixture entries: NAME.logits, NAME.input_shape and NAME.shape.KEY for every state_dict key."""
    fill_model(model)
    model.eval()
    x = fill_values("input", tuple(input_shape)).to(torch.float32)
    with torch.no_grad():
        out = model(x)
    if not torch.is_tensor(out):  # GoogLeNet's named tuple in training mode; eval gives a tensor
        out = out[0]
    entries = {name + ".logits": out, name + ".input_shape": torch.tensor(list(input_shape), dtype=torch.int64)}
    for key, t in model.state_dict().items():
        entries[name + ".shape." + key] = torch.tensor(list(t.shape), dtype=torch.int64)
    return entries
