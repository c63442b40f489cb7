"""Golden cases of the AMP casts (core/ops/amp.cc). ``u`` comes from make_op_golden.py. Generate with
MXNET_MKLDNN_ENABLED=0: the oracle's MKLDNN cast path rejects float16/float64 arrays."""
F16, F32, F64, I32 = "float16", "float32", "float64", "int32"

CASES = [
    ("amp_cast", [u(2, 3)], {"dtype": "float16"}, [], [F32]),  # noqa: F821
    ("amp_cast", [u(2, 3)], {"dtype": "float32"}, [], [F16]),  # noqa: F821
    ("amp_cast", [u(4)], {"dtype": "float16"}, [], [F64]),  # noqa: F821  float64 passes through
    ("amp_cast", [u(4, lo=-5, hi=5)], {"dtype": "float16"}, [], [I32]),  # noqa: F821  so do integers
    ("amp_cast", [u(3)], {"dtype": "float32"}, [0]),  # noqa: F821
    ("amp_multicast", [u(3), u(2, 2)], {"num_outputs": 2}, [], [F16, F32]),  # noqa: F821
    ("amp_multicast", [u(3), u(2, 2)], {"num_outputs": 2, "cast_narrow": True}, [], [F16, F32]),  # noqa: F821
    ("amp_multicast", [u(3), u(2)], {"num_outputs": 2}, [], [F64, F16]),  # noqa: F821
    ("amp_multicast", [u(3), u(2)], {"num_outputs": 2}, [], [F16, F64]),  # noqa: F821
    ("amp_multicast", [u(3), u(2)], {"num_outputs": 2, "cast_narrow": True}, [], [F64, F32]),  # noqa: F821
    ("amp_multicast", [u(3), u(2)], {"num_outputs": 2}, [], [I32, F16]),  # noqa: F821
    ("amp_multicast", [u(3), u(2, 2)], {"num_outputs": 2}, [0, 1]),  # noqa: F821
]
