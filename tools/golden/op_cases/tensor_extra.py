"""Golden cases of the tensor operators added for MXNet 1.x parity (ordering, reversal, diagonals,
special functions, statistics, gather/scatter, space/depth, im2col, khatri_rao, linspace, split_v2).
``u``, ``idx`` and ``rng`` come from tools/golden/make_op_golden.py."""
# ruff: noqa: F821

CASES = [
    # ---- ordering: topk, sort, argsort -------------------------------------------------------
    ("topk", [u(3, 5)], {"k": 2}, []),
    ("topk", [u(3, 5)], {"k": 2, "ret_typ": "value"}, [0]),
    ("topk", [u(3, 4, 2)], {"axis": 1, "k": 3, "ret_typ": "both", "is_ascend": True}, [0]),
    ("topk", [u(2, 3, 2)], {"axis": None, "k": 4, "ret_typ": "both", "dtype": "int32"}, [0]),
    ("topk", [u(4, 3)], {"axis": 0, "k": 2, "ret_typ": "mask"}, [0]),
    ("topk", [u(3, 4)], {"k": 0, "ret_typ": "indices", "dtype": "int64"}, []),
    ("topk", [idx(9, 3, 4)], {"k": 2, "ret_typ": "both"}, [], ["int32"]),
    ("sort", [u(3, 4)], {"axis": -1}, [0]),
    ("sort", [u(3, 4, 2)], {"axis": 0, "is_ascend": False}, [0]),
    ("sort", [u(2, 3)], {"axis": None}, [0]),
    ("argsort", [u(3, 4)], {}, [0]),
    ("argsort", [u(2, 3, 2)], {"axis": None, "is_ascend": False, "dtype": "int32"}, []),
    # ---- reversal, diagonals, shape-driven ------------------------------------------------------
    ("reverse", [u(3, 4)], {"axis": (0,)}, [0]),
    ("flip", [u(2, 3, 4)], {"axis": (0, 2)}, [0]),
    ("flip", [idx(9, 2, 3)], {"axis": (1,)}, [], ["int32"]),
    ("diag", [u(3, 4)], {}, [0]),
    ("diag", [u(3, 4)], {"k": 1}, [0]),
    ("diag", [u(3, 4)], {"k": -2}, [0]),
    ("diag", [u(3)], {"k": 1}, [0]),
    ("diag", [u(4)], {"k": -2}, [0]),
    ("diag", [u(2, 3, 4)], {"k": 0, "axis1": 0, "axis2": 2}, [0]),
    ("diag", [u(2, 3, 4)], {"k": -1, "axis1": 2, "axis2": 1}, [0]),
    ("diag", [u(3, 4)], {"k": 4}, []),
    ("slice_like", [u(3, 4), u(2, 3)], {}, [0, 1]),
    ("slice_like", [u(2, 3, 4), u(1, 2)], {"axes": (0, -2)}, [0]),
    ("slice_like", [u(2, 3, 4), u(5, 2)], {"axes": (1,)}, [0]),
    ("shape_array", [u(2, 3, 4)], {}, []),
    ("size_array", [u(2, 3, 4)], {}, []),
    # ---- special functions and piecewise activations -------------------------------------------
    ("erfinv", [u(2, 5, lo=-0.95, hi=0.95)], {}, [0]),
    ("gamma", [u(2, 4, lo=0.2, hi=4)], {}, [0]),
    ("gamma", [u(5, lo=-2.9, hi=-2.1)], {}, [0]),
    ("gammaln", [u(2, 4, lo=0.2, hi=6)], {}, [0]),
    ("gammaln", [u(5, lo=-1.9, hi=-1.1)], {}, [0]),
    ("gamma", [idx(5, 6) + 1], {}, [], ["int32"]),
    ("gammaln", [idx(5, 6) + 1], {}, [], ["int32"]),
    ("smooth_l1", [u(3, 4, lo=-3, hi=3)], {}, [0]),
    ("smooth_l1", [u(3, 4, lo=-1, hi=1)], {"scalar": 2.0}, [0]),
    ("hard_sigmoid", [u(3, 4, lo=-4, hi=4)], {}, [0]),
    ("hard_sigmoid", [u(3, 4, lo=-3, hi=3)], {"alpha": 0.5, "beta": 0.2}, [0]),
]
