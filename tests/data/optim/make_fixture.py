#!/usr/bin/python3
"""Writes expected.json: PyTorch's numbers for nabla's optimizer, clipping and scheduler tests.

Run with Debian's torch (python3-torch, 1.13):  /usr/bin/python3 tests/data/optim/make_fixture.py

Optimizers: two f64 parameters, p1 of shape [3] and p2 of shape [2, 2], loss = sum((p1*c1)^2) +
sum((p2*c2)^2); each optimizer (and its variants) runs 5 steps and the parameters after every step
are recorded; the grouped entries put p1 and p2 in two parameter groups with their own lr and weight
decay. Schedulers: the lr after construction and after each step. Clipping: total norms and
clipped gradients for several norm types.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)

P1 = [1.0, -2.0, 0.5]
P2 = [[0.3, -0.7], [1.5, -1.1]]
C1 = [0.5, 1.5, -1.0]
C2 = [[2.0, -0.5], [1.0, 0.25]]
STEPS = 5

OPTIMIZERS = {
    "sgd": (torch.optim.SGD, dict(lr=0.1)),
    "sgd_weight_decay": (torch.optim.SGD, dict(lr=0.1, weight_decay=0.1)),
    "sgd_momentum": (torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    "sgd_momentum_dampening": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05)),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "adagrad": (torch.optim.Adagrad, dict(lr=0.1)),
    "adagrad_decay": (torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.01, weight_decay=0.05,
                                                 initial_accumulator_value=0.1)),
    "rmsprop": (torch.optim.RMSprop, dict(lr=0.01)),
    "rmsprop_momentum": (torch.optim.RMSprop, dict(lr=0.01, momentum=0.9, weight_decay=0.01)),
    "rmsprop_centered": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True)),
    "rmsprop_centered_momentum": (torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, centered=True, momentum=0.5)),
    "adam": (torch.optim.Adam, dict(lr=0.1)),
    "adam_weight_decay": (torch.optim.Adam, dict(lr=0.1, weight_decay=0.1)),
    # beta2 = 0.5 lets the second moment fall, so amsgrad's running maximum matters.
    "adam_amsgrad": (torch.optim.Adam, dict(lr=0.1, betas=(0.8, 0.5), amsgrad=True, weight_decay=0.02)),
    "adamw": (torch.optim.AdamW, dict(lr=0.1)),
    "adamw_amsgrad": (torch.optim.AdamW, dict(lr=0.1, betas=(0.8, 0.5), weight_decay=0.1, amsgrad=True)),
}

# Two parameter groups, [p1] and [p2], each overriding some of the shared options: the first keeps
# the shared lr, the second has its own, and only the first is decayed.
GROUPED_OPTIMIZERS = {
    "sgd_momentum_groups": (torch.optim.SGD, dict(lr=0.1, momentum=0.9),
                            [dict(weight_decay=0.1), dict(lr=0.03, weight_decay=0.0)]),
    "adamw_groups": (torch.optim.AdamW, dict(lr=0.1, betas=(0.8, 0.5)),
                     [dict(weight_decay=0.2), dict(lr=0.02, weight_decay=0.0)]),
}


def jsonable(options):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in options.items()}


def run_optimizer(cls, options, groups=None):
    p1 = torch.tensor(P1, requires_grad=True)
    p2 = torch.tensor(P2, requires_grad=True)
    c1, c2 = torch.tensor(C1), torch.tensor(C2)
    if groups is None:
        optimizer = cls([p1, p2], **options)
    else:
        optimizer = cls([dict(params=[p1], **groups[0]), dict(params=[p2], **groups[1])], **options)
    trajectory = []
    for _ in range(STEPS):
        optimizer.zero_grad()
        loss = ((p1 * c1) ** 2).sum() + ((p2 * c2) ** 2).sum()
        loss.backward()
        optimizer.step()
        trajectory.append({"p1": p1.detach().flatten().tolist(), "p2": p2.detach().flatten().tolist()})
    entry = {"options": jsonable(options), "steps": trajectory}
    if groups is not None:
        entry["groups"] = [jsonable(group) for group in groups]
    return entry


def lr_sequence(make_scheduler, epochs, metrics=None, lr=1.0):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make_scheduler(optimizer)
    lrs = [optimizer.param_groups[0]["lr"]]
    for epoch in range(epochs):
        optimizer.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[epoch])
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def group_lr_sequences(make_scheduler, epochs, lrs):
    """Every group's lr after construction and after each step, one list per group."""
    optimizer = torch.optim.SGD([dict(params=[torch.zeros(1, requires_grad=True)], lr=lr) for lr in lrs])
    scheduler = make_scheduler(optimizer)
    sequences = [[group["lr"]] for group in optimizer.param_groups]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        for sequence, group in zip(sequences, optimizer.param_groups):
            sequence.append(group["lr"])
    return {"lrs": lrs, "sequences": sequences}


def schedulers():
    sched = torch.optim.lr_scheduler
    plateau_metrics = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2]
    accuracy = [0.5, 0.6, 0.6, 0.61, 0.6, 0.59, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]
    return {
        "step_lr": lr_sequence(lambda o: sched.StepLR(o, step_size=3, gamma=0.5), 10, lr=0.1),
        "exponential_lr": lr_sequence(lambda o: sched.ExponentialLR(o, gamma=0.9), 10, lr=0.1),
        "cosine_annealing_lr": lr_sequence(lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.01), 12, lr=0.1),
        "linear_lr": lr_sequence(lambda o: sched.LinearLR(o, start_factor=0.25, total_iters=4), 8, lr=0.1),
        # Each group's own base rate, not a shared one: eta_min + (base_g - eta_min) * (1 + cos) / 2.
        "cosine_annealing_lr_groups": group_lr_sequences(
            lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.01), 7, [0.1, 0.04]),
        "plateau_min": {
            "metrics": plateau_metrics,
            "lrs": lr_sequence(lambda o: sched.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1,
                                                                threshold=0.05, min_lr=0.02),
                               len(plateau_metrics), plateau_metrics, lr=0.1),
        },
        "plateau_max_abs": {
            "metrics": accuracy,
            "lrs": lr_sequence(lambda o: sched.ReduceLROnPlateau(o, mode="max", factor=0.1, patience=1,
                                                                threshold=0.01, threshold_mode="abs"),
                               len(accuracy), accuracy, lr=0.1),
        },
    }


def clipping():
    grads = {"g1": [0.3, -4.0, 2.5], "g2": [[1.0, -0.2], [0.05, 3.0]]}
    cases = []
    for max_norm, norm_type in [(1.0, 2.0), (100.0, 2.0), (2.0, 1.0), (0.5, math.inf), (1.5, 3.0)]:
        p1 = torch.zeros(3, requires_grad=True)
        p2 = torch.zeros(2, 2, requires_grad=True)
        p1.grad = torch.tensor(grads["g1"])
        p2.grad = torch.tensor(grads["g2"])
        total = torch.nn.utils.clip_grad_norm_([p1, p2], max_norm, norm_type)
        cases.append({"max_norm": max_norm, "norm_type": "inf" if math.isinf(norm_type) else norm_type,
                      "total_norm": total.item(), "g1": p1.grad.tolist(),
                      "g2": p2.grad.flatten().tolist()})
    p1 = torch.zeros(3, requires_grad=True)
    p1.grad = torch.tensor(grads["g1"])
    torch.nn.utils.clip_grad_value_([p1], 0.5)
    return {"grads": grads, "norm_cases": cases, "value_case": {"clip_value": 0.5, "g1": p1.grad.tolist()}}


def main():
    fixture = {
        "torch_version": torch.__version__,
        "problem": {"p1": P1, "p2": P2, "c1": C1, "c2": C2, "steps": STEPS},
        "optimizers": {name: run_optimizer(cls, opts) for name, (cls, opts) in OPTIMIZERS.items()},
        "grouped_optimizers": {name: run_optimizer(cls, opts, groups)
                               for name, (cls, opts, groups) in GROUPED_OPTIMIZERS.items()},
        "schedulers": schedulers(),
        "clipping": clipping(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")
    with open(path, "w") as out:
        json.dump(fixture, out, indent=1)
        out.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
