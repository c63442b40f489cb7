"""Golden cases for the AdamW updates (_adamw_update, _mp_adamw_update) and the legacy
fill_element_0index (float32 only in MXNet). A skipped AdamW step (rescale_grad 0) leaves MXNet's
out-of-place output unwritten, so tests/python/test_small_ops.py checks it in place, with three
chained steps against tests/golden/optim/adamw_steps.json. u comes from make_op_golden.py."""
# ruff: noqa: F821
import numpy as np

CASES = [
    ("_adamw_update", [u(3, 4), u(3, 4), u(3, 4, lo=-0.1, hi=0.1), u(3, 4, lo=0, hi=0.1), np.array([0.5])],
     {"lr": 0.01, "eta": 0.5, "wd": 0.1}, []),
    ("_adamw_update", [u(5), u(5, lo=-3, hi=3), u(5, lo=-0.1, hi=0.1), u(5, lo=0, hi=0.1), np.array([2.0])],
     {"lr": 0.1, "eta": 1.0, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6, "clip_gradient": 1.0}, []),
    ("_adamw_update", [u(4), u(4), u(4), u(4, lo=0, hi=0.1), np.array([1.0])],
     {"lr": 0.1, "eta": 1.0, "clip_gradient": 0.0}, []),  # a zero bound clips everything to 0
    ("_adamw_update", [u(2, 3), u(2, 3), u(2, 3), u(2, 3, lo=0, hi=0.1), np.array([1.0])],
     {"lr": 0.01, "eta": 1.0}, [], ["float64"] * 4 + ["float32"]),
    ("_mp_adamw_update", [u(2, 5), u(2, 5), u(2, 5, lo=-0.1, hi=0.1), u(2, 5, lo=0, hi=0.1), u(2, 5),
                          np.array([0.25])],
     {"lr": 0.05, "eta": 0.8, "wd": 0.01, "clip_gradient": 0.2}, [],
     ["float16", "float16", "float32", "float32", "float32", "float32"]),
    ("fill_element_0index", [u(3, 4), u(3), np.array([3.0, 0.0, 1.0])], {}, []),
    ("fill_element_0index", [u(2, 5), u(2), np.array([1.7, 4.2])], {}, []),  # fractional indices truncate
]
