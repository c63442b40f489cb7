#!/usr/bin/env python3
"""Produces tests/golden/optim/large_batch_golden.json: what the MXNet 1.9.1 oracle's LAMB, LARS and
LBSGD optimizers compute over a few steps, weights and states after each, in the format of
make_optimizer_golden.py (whose run_case it reuses). Run it with the oracle:

    MXNET_SUBGRAPH_BACKEND=NONE MXNET_ENGINE_TYPE=NaiveEngine \\
        /path/to/mxnet-venv/bin/python tools/golden/make_optimizer_large_batch_golden.py

It imports only mxnet, numpy and its sibling generator; tests/python/test_optimizer_large_batch.py
reads the JSON.
"""
import importlib.util
import json
import pathlib

import mxnet as mx

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE.parents[1] / "tests/golden/optim/large_batch_golden.json"
_spec = importlib.util.spec_from_file_location("make_optimizer_golden", HERE / "make_optimizer_golden.py")
base = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(base)

NAMES = {0: "fc_weight", 1: "fc_bias"}
# (case name, optimizer name, constructor kwargs, extra set-up) as in make_optimizer_golden.CASES
CASES = [
    ("lamb_default", "lamb", {"learning_rate": 0.01}, {}),
    ("lamb_wd_clip_bounds", "lamb", {"learning_rate": 0.05, "beta1": 0.8, "wd": 0.01, "clip_gradient": 0.3,
                                     "rescale_grad": 0.5, "lower_bound": 0.5, "upper_bound": 1.2}, {}),
    ("lamb_no_bias_correction", "lamb", {"learning_rate": 0.02, "bias_correction": False, "epsilon": 1e-4,
                                         "wd": 0.1}, {"lr_mult": {1: 0.5}}),
    ("lamb_fp16_mp", "lamb", {"learning_rate": 0.01, "wd": 0.01, "multi_precision": True}, {"dtype": "float16"}),
    ("lars_mom_names", "lars", {"learning_rate": 0.1, "momentum": 0.9, "eta": 0.01, "wd": 0.01,
                                "param_idx2name": NAMES}, {}),
    ("lars_plain_clip", "lars", {"learning_rate": 0.5, "eta": 0.1, "eps": 1e-3, "clip_gradient": 0.5,
                                 "rescale_grad": 2.0, "wd": 0.001}, {}),
    ("lars_scheduler", "lars", {"momentum": 0.8, "eta": 0.05}, {"scheduler": {"step": 2, "factor": 0.5,
                                                                               "base_lr": 0.2}}),
    ("lars_fp16_mp", "lars", {"learning_rate": 0.1, "momentum": 0.9, "eta": 0.02, "multi_precision": True},
     {"dtype": "float16"}),
    ("lbsgd_linear", "lbsgd", {"learning_rate": 0.1, "momentum": 0.9, "batch_scale": 2, "warmup_epochs": 1,
                               "updates_per_epoch": 2, "wd": 0.01}, {}),
    ("lbsgd_sqrt_clip", "lbsgd", {"learning_rate": 0.1, "warmup_strategy": "sqrt", "batch_scale": 3,
                                  "warmup_epochs": 2, "updates_per_epoch": 3, "clip_gradient": 0.2}, {}),
    ("lbsgd_lars", "lbsgd", {"learning_rate": 0.1, "warmup_strategy": "lars", "momentum": 0.5, "wd": 0.01}, {}),
    ("lbsgd_fp16_mp", "lbsgd", {"learning_rate": 0.1, "momentum": 0.9, "multi_precision": True,
                                "batch_scale": 2, "warmup_epochs": 1, "updates_per_epoch": 1},
     {"dtype": "float16"}),
]


def main():
    cases = [base.run_case(300 + seed, *case) for seed, case in enumerate(CASES)]
    OUT.write_text(json.dumps({"generator": "tools/golden/make_optimizer_large_batch_golden.py",
                               "mxnet": mx.__version__, "optimizers": cases}))
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
