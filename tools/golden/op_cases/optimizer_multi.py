"""Golden cases of the multi-tensor optimizer helpers and the LAMB phases (core/ops/optimizer_multi.cc,
core/ops/optimizer_lamb.cc), outputs only. The multi-tensor updates themselves run only with out= in
MXNet and update states in place: tools/golden/make_optimizer_multi_golden.py records those.
``u`` comes from make_op_golden.py."""
import numpy as np  # noqa: F401

F16, F32 = "float16", "float32"


def _state(*shape):
    return u(*shape, lo=0.0, hi=0.1)  # noqa: F821


CASES = [
    ("multi_sum_sq", [u(3, 4), u(5), u(1)], {"num_arrays": 3}, []),  # noqa: F821
    ("multi_all_finite", [u(3), u(2, 2)], {"num_arrays": 2}, []),  # noqa: F821
    ("multi_all_finite", [u(3), np.array([1.0, np.inf], np.float32)], {"num_arrays": 2}, []),  # noqa: F821
    ("all_finite", [np.array([1.0, np.nan], np.float32)], {}, []),
    ("all_finite", [u(2, 3)], {}, []),  # noqa: F821
    ("multi_lars", [np.array([0.1, 0.2, 0.3, 0.4], np.float32), np.array([4.0, 0.0, 9.0, 1.0], np.float32),
                    np.array([1.0, 1.0, 0.0, 4.0], np.float32), np.array([0.01, 0.1, 0.2, 0.3], np.float32)],
     {"eta": 0.5, "eps": 1e-3, "rescale_grad": 2.0}, []),
    ("lamb_update_phase1", [u(5), u(5), _state(5), _state(5)],  # noqa: F821
     {"t": 3, "wd": 0.1, "rescale_grad": 2.0, "clip_gradient": 0.5}, []),
    ("lamb_update_phase1", [u(5), u(5), _state(5), _state(5)], {"t": 1, "wd": 0.0, "bias_correction": False}, []),  # noqa: F821
    ("lamb_update_phase2", [u(5), u(5), np.array([0.5], np.float32), np.array([2.0], np.float32)],  # noqa: F821
     {"lr": 0.1}, []),
    ("lamb_update_phase2", [u(5), u(5), np.array([0.0], np.float32), np.array([2.0], np.float32)],  # noqa: F821
     {"lr": 0.1, "lower_bound": 0.2}, []),
    ("lamb_update_phase2", [u(5), u(5), np.array([0.5], np.float32), np.array([2.0], np.float32)],  # noqa: F821
     {"lr": 0.1, "upper_bound": 0.3}, []),
    ("mp_lamb_update_phase1", [u(5), u(5), _state(5), _state(5), u(5)], {"t": 2, "wd": 0.01},  # noqa: F821
     [], [F16, F16, F32, F32, F32]),
    ("mp_lamb_update_phase2", [u(5), u(5), np.array([0.5], np.float32), np.array([2.0], np.float32), u(5)],  # noqa: F821
     {"lr": 0.1}, [], [F16, F32, F32, F32, F32]),
]
