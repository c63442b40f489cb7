"""Random test data (MXNet 1.x's ``test_utils`` generators). Minerva arrays are dense: the
sparse generators raise an error that says so."""
from __future__ import annotations

import numpy as np
import numpy.random as rnd

from .. import ndarray as nd
from ..base import MXNetError
from ._context import default_context, default_dtype

_STORAGE_TYPE_STR_TO_ID = {"undefined": -1, "default": 0, "row_sparse": 1, "csr": 2}


def _no_sparse(what: str, stype) -> MXNetError:
    return MXNetError(f"{what}: storage type '{stype}' is not supported; Minerva arrays are dense "
                      "(only stype='default')")


def random_arrays(*shapes):
    """Standard-normal numpy arrays of default_dtype(), one per shape (a 0-d array for ());
    a single array when given one shape."""
    arrays = [np.array(np.random.randn(), dtype=default_dtype()) if len(s) == 0
              else np.random.randn(*s).astype(default_dtype()) for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def random_uniform_arrays(*shapes, **kwargs) -> list:
    """Uniform numpy arrays, one per shape; keyword arguments low (0), high (1), dtype."""
    low = kwargs.pop("low", 0.0)
    high = kwargs.pop("high", 1.0)
    dtype = kwargs.pop("dtype", default_dtype())
    if kwargs:
        raise TypeError("Got unexpected argument/s : " + str(kwargs.keys()))
    return [np.random.uniform(low, high, size=s).astype(dtype) for s in shapes]


def random_sample(population, k):
    """k distinct elements of population, in random order."""
    assert 0 <= k <= len(population)
    population_copy = population[:]
    np.random.shuffle(population_copy)
    return population_copy[0:k]


def rand_ndarray(shape, stype="default", density=None, dtype=None, modifier_func=None,
                 shuffle_csr_indices=False, distribution=None, ctx=None):
    """A standard-normal NDArray of shape (dtype default float32) on ctx (default_context())."""
    if stype != "default":
        raise _no_sparse("rand_ndarray", stype)
    return nd.array(random_arrays(shape), dtype=dtype, ctx=ctx or default_context())


def rand_sparse_ndarray(shape, stype, density=None, dtype=None, distribution=None, data_init=None,
                        rsp_indices=None, modifier_func=None, shuffle_csr_indices=False, ctx=None):
    raise _no_sparse("rand_sparse_ndarray", stype)


def create_sparse_array(shape, stype, data_init=None, rsp_indices=None, dtype=None, modifier_func=None,
                        density=.5, shuffle_csr_indices=False):
    raise _no_sparse("create_sparse_array", stype)


def create_sparse_array_zd(shape, stype, density, data_init=None, rsp_indices=None, dtype=None,
                           modifier_func=None, shuffle_csr_indices=False):
    raise _no_sparse("create_sparse_array_zd", stype)


def shuffle_csr_column_indices(csr):
    raise _no_sparse("shuffle_csr_column_indices", "csr")


def rand_shape_2d(dim0=10, dim1=10, allow_zero_size=False) -> tuple:
    low = 0 if allow_zero_size else 1
    return rnd.randint(low, dim0 + 1), rnd.randint(low, dim1 + 1)


def rand_shape_3d(dim0=10, dim1=10, dim2=10, allow_zero_size=False) -> tuple:
    low = 0 if allow_zero_size else 1
    return rnd.randint(low, dim0 + 1), rnd.randint(low, dim1 + 1), rnd.randint(low, dim2 + 1)


def rand_shape_nd(num_dim, dim=10, allow_zero_size=False) -> tuple:
    low = 0 if allow_zero_size else 1
    return tuple(rnd.randint(low, dim + 1, size=num_dim))


def rand_coord_2d(x_low, x_high, y_low, y_high) -> tuple:
    return (np.random.randint(x_low, x_high, dtype=np.int64), np.random.randint(y_low, y_high, dtype=np.int64))


def assign_each(the_input, function):
    """function applied to each element of the_input (a float64 array); a copy if None."""
    if function is None:
        return np.array(the_input)
    return np.array([function(v) for v in np.asarray(the_input).ravel()], dtype=np.float64).reshape(
        np.shape(the_input))


def assign_each2(input1, input2, function):
    """function applied to each pair of elements of input1 and input2; a copy of input1 if None."""
    if function is None:
        return np.array(input1)
    assert input1.shape == input2.shape
    pairs = zip(np.asarray(input1).ravel(), np.asarray(input2).ravel())
    return np.array([function(x, y) for x, y in pairs], dtype=np.float64).reshape(input1.shape)


def create_2d_tensor(rows, columns, dtype=np.int64):
    """An NDArray (rows, columns) whose row i holds i."""
    column = nd.arange(0, rows, dtype=dtype).reshape(rows, 1)
    return nd.broadcast_to(column, shape=(rows, columns))


def create_vector(size, dtype=np.int64):
    """The NDArray 0, 1, ..., size-1."""
    return nd.arange(0, size, dtype=dtype)


def get_identity_mat(size):
    """The size x size identity as a float32 NDArray."""
    return nd.array(np.eye(size, dtype=np.float32))


def get_identity_mat_batch(size):
    """Two size x size identities stacked: shape (2, size, size)."""
    eye = np.eye(size, dtype=np.float32)
    return nd.array(np.stack([eye, eye]))


def new_matrix_with_real_eigvals_2d(n):
    """A well-conditioned n x n matrix with real eigenvalues in [-10, 10]: q^-1 D q with q a
    Householder reflection scaled by a diagonal, redrawn until cond(q) < 3."""
    while True:
        scale = np.diag(np.random.uniform(-1.0, 1.0, n))
        v = np.random.uniform(-1.0, 1.0, n).reshape(n, 1)
        v = v / np.linalg.norm(v, axis=-2, keepdims=True)
        q = np.matmul(np.eye(n) - 2 * np.matmul(v, v.T), scale)
        if np.linalg.cond(q, 2) < 3:
            break
    eigvals = np.diag(np.random.uniform(-10.0, 10.0, n))
    return np.matmul(np.matmul(np.linalg.inv(q), eigvals), q)


def new_matrix_with_real_eigvals_nd(shape):
    n = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([new_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(n)]).reshape(shape)


def new_orthonormal_matrix_2d(n):
    """An orthonormal n x n matrix (the Q of a random symmetric matrix's QR)."""
    x = np.random.randn(n, n)
    return np.linalg.qr(np.matmul(x.T, x))[0]


def new_sym_matrix_with_real_eigvals_2d(n):
    q = new_orthonormal_matrix_2d(n)
    return np.matmul(np.matmul(q.T, np.diag(np.random.uniform(-10.0, 10.0, n))), q)


def new_sym_matrix_with_real_eigvals_nd(shape):
    n = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return np.array([new_sym_matrix_with_real_eigvals_2d(shape[-1]) for _ in range(n)]).reshape(shape)
