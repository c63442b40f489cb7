"""Golden cases of mx.nd.contrib's BatchNormWithReLU, SyncBatchNorm and hawkesll (core/ops/contrib_batch_norm.cc,
core/ops/contrib_hawkes.cc), in training mode (make_op_golden.py records with train_mode=True); inference mode
and the moving statistics are in tools/golden/make_contrib_norm_golden.py. ``u``, ``idx`` and ``rng`` come from
make_op_golden.py."""
import numpy as np

F32, I32 = "float32", "int32"


def bn_inputs(*shape, channels=None):
    c = shape[1] if channels is None else channels
    return [u(*shape), u(c, lo=0.5, hi=1.5), u(c), u(c), u(c, lo=0.5, hi=1.5)]  # noqa: F821


def hawkes_inputs(n, t, k):
    """lda, alpha, beta, state, lags, marks, valid_length, max_time for n sequences of up to t points."""
    lags = u(n, t, lo=0.1, hi=1.0)  # noqa: F821
    valid = rng.randint(0, t + 1, size=n).astype(np.float32)  # noqa: F821
    valid[0] = t  # one full row
    max_time = (lags.sum(axis=1) + u(n, lo=0.1, hi=2.0)).astype(np.float32)  # noqa: F821
    marks = rng.randint(0, k, size=(n, t)).astype(np.float32)  # noqa: F821
    return [u(n, k, lo=0.5, hi=2.0), u(k, lo=0.1, hi=0.8), u(k, lo=0.5, hi=3.0),  # noqa: F821
            u(n, k, lo=0.0, hi=1.0), lags, marks, valid, max_time]  # noqa: F821


HAWKES_DTYPES = [F32, F32, F32, F32, F32, I32, F32, F32]

CASES = [
    # MXNet runs BatchNormWithReLU through oneDNN only: 4-D float32 data, channel axis 1.
    ("_contrib_BatchNormWithReLU", bn_inputs(4, 3, 2, 2), {"fix_gamma": False}, [0, 1, 2]),
    ("_contrib_BatchNormWithReLU", bn_inputs(6, 5, 1, 1), {}, [0, 1, 2]),
    ("_contrib_BatchNormWithReLU", bn_inputs(2, 3, 4, 1), {"fix_gamma": False, "eps": 1e-4, "momentum": 0.7},
     [0, 1, 2]),
    ("_contrib_BatchNormWithReLU", bn_inputs(3, 2, 2, 2), {"fix_gamma": False, "use_global_stats": True}, [0, 1, 2]),
    ("_contrib_BatchNormWithReLU", bn_inputs(4, 3, 1, 2), {"fix_gamma": False, "output_mean_var": True},
     [0, 1, 2]),
    ("_contrib_SyncBatchNorm", bn_inputs(4, 3, 2, 2), {"fix_gamma": False, "key": "g0"}, [0, 1, 2]),
    ("_contrib_SyncBatchNorm", bn_inputs(6, 5), {"key": "g1"}, [0, 1, 2]),
    ("_contrib_SyncBatchNorm", bn_inputs(2, 3, 4), {"fix_gamma": False, "eps": 1e-4, "key": "g2"}, [0, 1, 2]),
    ("_contrib_SyncBatchNorm", bn_inputs(2, 2, 2, 2, 2), {"fix_gamma": False, "key": "g3"}, [0, 1, 2]),
    ("_contrib_SyncBatchNorm", bn_inputs(3, 2, 2, 2), {"fix_gamma": False, "use_global_stats": True, "key": "g4"},
     [0, 1, 2]),
    ("_contrib_SyncBatchNorm", bn_inputs(4, 3), {"fix_gamma": False, "output_mean_var": True, "key": "g5"},
     [0, 1, 2]),
    # Gradients flow to lda, alpha and beta; state's stays 0 (MXNet writes none).
    ("_contrib_hawkesll", hawkes_inputs(4, 5, 3), {}, [0, 1, 2, 3], HAWKES_DTYPES),
    ("_contrib_hawkesll", hawkes_inputs(3, 6, 1), {}, [0, 1, 2], HAWKES_DTYPES),
    ("_contrib_hawkesll", hawkes_inputs(5, 3, 4), {}, [0, 1, 2], HAWKES_DTYPES),
]
