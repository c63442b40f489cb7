#!/usr/bin/env python3
"""Produces tests/golden/optim/optimizer_golden.json: what the MXNet 1.9.1 oracle's optimizers,
learning-rate schedulers and deterministic initializers compute. Run it with the oracle:

    MXNET_SUBGRAPH_BACKEND=NONE MXNET_ENGINE_TYPE=NaiveEngine \
        /path/to/mxnet-venv/bin/python tools/golden/make_optimizer_golden.py

It imports only mxnet and numpy; the committed JSON is what tests/python/test_optimizer.py,
test_lr_scheduler.py and test_initializer.py read.
"""
import json
import math
import pathlib

import mxnet as mx
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests/golden/optim/optimizer_golden.json"
STEPS = 4
SHAPES = [(2, 3), (4,)]


def f32list(a):
    return [float(x) for x in np.asarray(a, dtype=np.float32).ravel()]


def state_to_json(state):
    if state is None:
        return None
    if isinstance(state, mx.nd.NDArray):
        return f32list(state.asnumpy().astype(np.float32))
    return [state_to_json(s) for s in state]


# (case name, optimizer name, constructor kwargs, extra set-up)
# set-up keys: lr_mult / wd_mult (dict index -> mult), scheduler (FactorScheduler kwargs),
# dtype (weight dtype), idx2name (param_idx2name).
CASES = [
    ("sgd_plain", "sgd", {"learning_rate": 0.1}, {}),
    ("sgd_mom_wd", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}, {}),
    ("sgd_clip_rescale", "sgd", {"learning_rate": 0.2, "clip_gradient": 0.1,
                                 "rescale_grad": 0.5, "wd": 0.001}, {}),
    ("sgd_mom_clip_mult", "sgd", {"learning_rate": 0.1, "momentum": 0.5, "wd": 0.02,
                                  "clip_gradient": 0.3},
     {"lr_mult": {1: 0.5}, "wd_mult": {0: 2.0}}),
    ("sgd_idx2name", "sgd", {"learning_rate": 0.1, "wd": 0.1,
                             "param_idx2name": {0: "fc_weight", 1: "fc_bias"}}, {}),
    ("sgd_scheduler", "sgd", {"momentum": 0.9},
     {"scheduler": {"step": 2, "factor": 0.5, "base_lr": 0.1}}),
    ("sgd_mom_fp16_mp", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01,
                                "multi_precision": True}, {"dtype": "float16"}),
    ("nag_mom", "nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}, {}),
    ("nag_nomom", "nag", {"learning_rate": 0.1, "wd": 0.01}, {}),
    ("nag_clip_rescale", "nag", {"learning_rate": 0.05, "momentum": 0.7, "clip_gradient": 0.2,
                                 "rescale_grad": 2.0}, {}),
    ("nag_mom_fp16_mp", "nag", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01,
                                "multi_precision": True}, {"dtype": "float16"}),
    ("adam_default", "adam", {}, {}),
    ("adam_wd_clip", "adam", {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.99,
                              "epsilon": 1e-6, "wd": 0.05, "clip_gradient": 0.25,
                              "rescale_grad": 0.5}, {"lr_mult": {0: 3.0}}),
    ("adagrad_default", "adagrad", {"learning_rate": 0.1}, {}),
    ("adagrad_wd_clip", "adagrad", {"learning_rate": 0.1, "eps": 1e-5, "wd": 0.01,
                                    "clip_gradient": 0.2, "rescale_grad": 0.5}, {}),
    ("adadelta_default", "adadelta", {}, {}),
    ("adadelta_wd_clip", "adadelta", {"rho": 0.8, "epsilon": 1e-4, "wd": 0.01,
                                      "clip_gradient": 0.2, "rescale_grad": 2.0}, {}),
    ("rmsprop_default", "rmsprop", {}, {}),
    ("rmsprop_wd_clip", "rmsprop", {"learning_rate": 0.01, "gamma1": 0.8, "wd": 0.01,
                                    "clip_gradient": 0.3, "clip_weights": 0.9,
                                    "rescale_grad": 0.5}, {}),
    ("rmsprop_centered", "rmsprop", {"learning_rate": 0.01, "centered": True, "wd": 0.01}, {}),
    ("rmsprop_centered_clip", "rmsprop", {"learning_rate": 0.02, "centered": True,
                                          "gamma1": 0.85, "gamma2": 0.7, "epsilon": 1e-4,
                                          "clip_gradient": 0.2, "clip_weights": 0.8}, {}),
    ("adamax_default", "adamax", {}, {}),
    ("adamax_wd_clip", "adamax", {"learning_rate": 0.01, "beta1": 0.8, "beta2": 0.95,
                                  "wd": 0.01, "clip_gradient": 0.2, "rescale_grad": 0.5}, {}),
    ("nadam_default", "nadam", {"learning_rate": 0.01}, {}),
    ("nadam_wd_clip", "nadam", {"learning_rate": 0.01, "wd": 0.01, "clip_gradient": 0.2,
                                "schedule_decay": 0.01}, {}),
    ("ftrl_default", "ftrl", {}, {}),
    ("ftrl_wd_clip", "ftrl", {"learning_rate": 0.2, "lamda1": 0.001, "beta": 0.5, "wd": 0.01,
                              "clip_gradient": 0.3, "rescale_grad": 2.0}, {}),
    ("signum_default", "signum", {}, {}),
    ("signum_wd_lh", "signum", {"learning_rate": 0.05, "momentum": 0.8, "wd": 0.01,
                                "wd_lh": 0.1, "clip_gradient": 0.2, "rescale_grad": 0.5}, {}),
    ("signsgd", "signum", {"learning_rate": 0.05, "momentum": 0.0, "wd": 0.01}, {}),
    ("ftml_default", "ftml", {"learning_rate": 0.01}, {}),
    ("ftml_wd_clip", "ftml", {"learning_rate": 0.01, "beta1": 0.5, "wd": 0.01,
                              "clip_gradient": 0.2, "rescale_grad": 0.5}, {}),
    ("dcasgd_default", "dcasgd", {"learning_rate": 0.1, "wd": 0.01}, {}),
    ("test", "test", {"rescale_grad": 0.5}, {}),
]


def make_sequences(seed):
    rng = np.random.RandomState(seed)
    weights = [rng.uniform(-1, 1, size=s).astype(np.float32) for s in SHAPES]
    grads = [[rng.uniform(-1, 1, size=s).astype(np.float32) for s in SHAPES]
             for _ in range(STEPS)]
    return weights, grads


def run_case(seed, name, opt_name, kwargs, setup):
    weights0, grads = make_sequences(seed)
    kw = dict(kwargs)
    if "scheduler" in setup:
        kw["lr_scheduler"] = mx.lr_scheduler.FactorScheduler(**setup["scheduler"])
    opt = mx.optimizer.create(opt_name, **kw)
    if "lr_mult" in setup:
        opt.set_lr_mult(setup["lr_mult"])
    if "wd_mult" in setup:
        opt.set_wd_mult(setup["wd_mult"])
    dtype = setup.get("dtype", "float32")
    updater = mx.optimizer.get_updater(opt)
    weights = [mx.nd.array(w, dtype=dtype) for w in weights0]
    steps = []
    for step in range(STEPS):
        for i, w in enumerate(weights):
            g = mx.nd.array(grads[step][i], dtype=dtype)
            updater(i, g, w)
        steps.append({
            "weights": [f32list(w.asnumpy().astype(np.float32)) for w in weights],
            "states": [state_to_json(updater.states[i]) for i in range(len(weights))],
            "num_update": opt.num_update,
        })
    return {
        "name": name, "optimizer": opt_name, "kwargs": {k: v for k, v in kwargs.items()},
        "setup": {k: ({str(i): m for i, m in v.items()} if isinstance(v, dict)
                      and k in ("lr_mult", "wd_mult") else v) for k, v in setup.items()},
        "shapes": SHAPES, "dtype": dtype,
        "weights0": [f32list(w) for w in weights0],
        "grads": [[f32list(g) for g in gs] for gs in grads],
        "steps": steps,
    }


def optimizer_cases():
    out = []
    for seed, (name, opt_name, kwargs, setup) in enumerate(CASES):
        case = run_case(100 + seed, name, opt_name, kwargs, setup)
        # idx2name keys are ints in Python; JSON makes them strings, the test turns them back.
        out.append(case)
    return out


SCHEDULERS = [
    ("factor", "FactorScheduler", {"step": 3, "factor": 0.5, "base_lr": 0.1}),
    ("factor_stop", "FactorScheduler", {"step": 2, "factor": 0.1, "base_lr": 1.0,
                                        "stop_factor_lr": 1e-3}),
    ("factor_warmup", "FactorScheduler", {"step": 4, "factor": 0.9, "base_lr": 0.5,
                                          "warmup_steps": 5, "warmup_begin_lr": 0.1}),
    ("multifactor", "MultiFactorScheduler", {"step": [3, 7, 12], "factor": 0.5, "base_lr": 1.0}),
    ("multifactor_warmup", "MultiFactorScheduler", {"step": [8, 15], "factor": 0.1,
                                                    "base_lr": 0.2, "warmup_steps": 4,
                                                    "warmup_mode": "constant",
                                                    "warmup_begin_lr": 0.01}),
    ("poly", "PolyScheduler", {"max_update": 15, "base_lr": 0.3, "pwr": 2}),
    ("poly_warmup", "PolyScheduler", {"max_update": 20, "base_lr": 0.3, "pwr": 1,
                                      "final_lr": 0.01, "warmup_steps": 5}),
    ("cosine", "CosineScheduler", {"max_update": 15, "base_lr": 0.3}),
    ("cosine_warmup", "CosineScheduler", {"max_update": 20, "base_lr": 0.4, "final_lr": 0.05,
                                          "warmup_steps": 6, "warmup_begin_lr": 0.02}),
]


def scheduler_cases(n=25):
    out = []
    for name, cls, kwargs in SCHEDULERS:
        sched = getattr(mx.lr_scheduler, cls)(**kwargs)
        out.append({"name": name, "class": cls, "kwargs": kwargs,
                    "values": [sched(i) for i in range(n)]})
    return out


def initializer_cases():
    dumps = {
        "Zero()": mx.init.Zero().dumps(),
        "One()": mx.init.One().dumps(),
        "Constant(0.5)": mx.init.Constant(0.5).dumps(),
        "Uniform()": mx.init.Uniform().dumps(),
        "Uniform(0.1)": mx.init.Uniform(0.1).dumps(),
        "Normal()": mx.init.Normal().dumps(),
        "Normal(0.5)": mx.init.Normal(0.5).dumps(),
        "Xavier()": mx.init.Xavier().dumps(),
        "Xavier(gaussian,in,2.34)": mx.init.Xavier(rnd_type="gaussian", factor_type="in",
                                                   magnitude=2.34).dumps(),
        "MSRAPrelu()": mx.init.MSRAPrelu().dumps(),
        "MSRAPrelu(in,0.1)": mx.init.MSRAPrelu("in", 0.1).dumps(),
        "Orthogonal()": mx.init.Orthogonal().dumps(),
        "Orthogonal(2,normal)": mx.init.Orthogonal(2.0, "normal").dumps(),
        "LSTMBias(2)": mx.init.LSTMBias(2.0).dumps(),
        "Bilinear()": mx.init.Bilinear().dumps(),
    }
    values = {}

    def init_with(init, name, shape, attrs=None):
        arr = mx.nd.zeros(shape)
        init(mx.init.InitDesc(name, attrs=attrs), arr)
        return f32list(arr.asnumpy())

    values["Constant(0.5) fc_weight"] = init_with(mx.init.Constant(0.5), "fc_weight", (2, 3))
    values["One fc_weight"] = init_with(mx.init.One(), "fc_weight", (2, 3))
    values["Xavier fc_bias"] = init_with(mx.init.Xavier(), "fc_bias", (3,))
    values["Xavier bn_gamma"] = init_with(mx.init.Xavier(), "bn_gamma", (3,))
    values["Xavier bn_beta"] = init_with(mx.init.Xavier(), "bn_beta", (3,))
    values["Uniform attr_one"] = init_with(mx.init.Uniform(), "fc_weight", (2, 2),
                                           {"__init__": '["one", {}]'})
    values["Uniform attr_constant"] = init_with(mx.init.Uniform(), "x_weight", (2, 2),
                                                {"__init__": '["constant", {"value": 3.0}]'})
    values["LSTMBias(2) lstm_bias"] = init_with(mx.init.LSTMBias(2.0), "lstm_weight", (8,))
    values["Bilinear up_weight"] = init_with(mx.init.Bilinear(), "up_weight", (1, 1, 4, 4))
    xavier = {}
    for (rnd, factor, mag, shape) in [("uniform", "avg", 3, (64, 32)),
                                      ("uniform", "in", 2, (16, 8, 3, 3)),
                                      ("gaussian", "out", 2, (64, 128)),
                                      ("gaussian", "avg", 3, (32, 16, 3, 3))]:
        hw = float(np.prod(shape[2:])) if len(shape) > 2 else 1.0
        fan_in, fan_out = shape[1] * hw, shape[0] * hw
        factor_v = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[factor]
        arr = mx.nd.zeros(shape)
        mx.init.Xavier(rnd, factor, mag)(mx.init.InitDesc("w_weight"), arr)
        a = arr.asnumpy()
        xavier[f"{rnd},{factor},{mag},{shape}"] = {
            "rnd_type": rnd, "factor_type": factor, "magnitude": mag, "shape": list(shape),
            "scale": math.sqrt(mag / factor_v),
            "max_abs": float(np.abs(a).max()), "std": float(a.std())}
    return {"dumps": dumps, "values": values, "xavier": xavier}


def main():
    mx.random.seed(0)
    data = {"optimizers": optimizer_cases(), "schedulers": scheduler_cases(),
            "initializers": initializer_cases()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
