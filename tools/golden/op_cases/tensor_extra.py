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
]
