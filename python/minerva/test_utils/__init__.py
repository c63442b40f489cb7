"""``mx.test_utils``: MXNet 1.x's testing helpers, the public API users' own test suites are
written in. As in MXNet, the module has no ``__all__``: ``from minerva.test_utils import *``
also brings ``mx``, ``np``, ``OrderedDict`` and the other modules MXNet's version imports.

The helpers live in small modules by concern: _compare (tolerances, almost_equal and its
asserts), _random (test data), _checks (symbol checks), _stats (random-generator tests),
_context (settings, environment, GPU queries), _data (downloads, MNIST), _gluon."""
# ruff: noqa: F401  (this module re-exports)
import bz2
import errno
import gzip
import json
import logging
import numbers
import os
import platform
import struct
import sys
import time
import traceback
import zipfile
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np
import numpy.random as rnd
import numpy.testing as npt

try:
    import scipy.stats as ss
except ImportError:
    ss = None
try:
    import requests
except ImportError:  # Minerva's downloads use urllib; requests is only re-exported when present
    pass

import minerva as mx

from ..context import Context, current_context
from ..ndarray import array
from ..symbol import Symbol
from ._checks import (_parse_aux_states, _parse_location, _sorted_dict, _sorted_items, check_consistency,
                      check_numeric_gradient, check_speed, check_symbolic_backward, check_symbolic_forward,
                      numeric_grad, simple_forward)
from ._compare import (_find_max_violation, almost_equal, assert_allclose, assert_almost_equal,
                       assert_almost_equal_ignore_nan, assert_almost_equal_with_err, assert_exception, checkShapes,
                       collapse_sum_like, compare_ndarray_tuple, default_atols, default_numeric_eps, default_rtols,
                       effective_dtype, get_atol, get_etol, get_rtol, get_tolerance, get_tols, locationError,
                       np_reduce, same, same_array, same_symbol_structure)
from ._context import (Features, _features, default_context, default_dtype, discard_stderr, environment,
                       get_cuda_compute_capability, getenv, has_tvm_ops, is_aarch64_run, is_cd_run, is_op_runnable,
                       list_gpus, np_symbol, retry, set_default_context, setenv, use_np)
from ._data import (DummyIter, download, download_model, get_bz2_data, get_cifar10, get_im2rec_path, get_mnist,
                    get_mnist_iterator, get_mnist_pkl, get_mnist_ubyte, get_zip_data)
from ._gluon import check_gluon_hybridize_consistency, compare_optimizer
from ._random import (_STORAGE_TYPE_STR_TO_ID, assign_each, assign_each2, create_2d_tensor, create_sparse_array,
                      create_sparse_array_zd, create_vector, get_identity_mat, get_identity_mat_batch,
                      new_matrix_with_real_eigvals_2d, new_matrix_with_real_eigvals_nd, new_orthonormal_matrix_2d,
                      new_sym_matrix_with_real_eigvals_2d, new_sym_matrix_with_real_eigvals_nd, rand_coord_2d,
                      rand_ndarray, rand_shape_2d, rand_shape_3d, rand_shape_nd, rand_sparse_ndarray, random_arrays,
                      random_sample, random_uniform_arrays, shuffle_csr_column_indices)
from ._stats import chi_square_check, gen_buckets_probs_with_ppf, mean_check, var_check, verify_generator
