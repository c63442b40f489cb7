"""Gluon helpers (MXNet 1.x's ``mxnet.gluon.utils``): splitting batches across contexts,
gradient clipping, downloads with SHA-1 checks."""
from __future__ import annotations

import collections  # noqa: F401  (MXNet's module has it: code reaches it as gluon.utils.collections)
import hashlib
import math
import os
import shutil
import ssl
import sys  # noqa: F401  (as collections)
import urllib.error
import urllib.request
import uuid
import warnings
import weakref
from collections import OrderedDict

import numpy as np

from .. import ndarray  # noqa: F401  (as collections)
from .. import ndarray as nd
from ..ndarray.ndarray import NDArray

__all__ = ["split_data", "split_and_load", "clip_global_norm", "check_sha1", "download", "replace_file"]


def split_data(data: NDArray, num_slice: int, batch_axis: int = 0, even_split: bool = True) -> list:
    """Splits data into num_slice pieces along batch_axis. With even_split the size must
    divide evenly; otherwise the last pieces take the remainder, as in MXNet."""
    size = data.shape[batch_axis]
    if even_split and size % num_slice != 0:
        raise ValueError(f"data with shape {data.shape} cannot be evenly split into {num_slice} slices along axis "
                         f"{batch_axis}. Use a batch size that's multiple of {num_slice} or set even_split=False "
                         "to allow uneven partitioning of data.")
    if size < num_slice:
        raise ValueError(f"Too many slices for data with shape {data.shape}. Arguments are num_slice={num_slice} "
                         f"and batch_axis={batch_axis}.")
    step = size // num_slice
    if num_slice == 1:
        return [data]
    bounds = [(i * step, (i + 1) * step if i < num_slice - 1 else size) for i in range(num_slice)]
    if batch_axis == 0:
        return [data[a:b] for a, b in bounds]
    return [nd.slice_axis(data, axis=batch_axis, begin=a, end=b) for a, b in bounds]


def split_and_load(data, ctx_list, batch_axis: int = 0, even_split: bool = True) -> list:
    """Splits data (an NDArray or numpy array) into one piece per context and copies each
    piece to its context."""
    if not isinstance(data, NDArray):
        data = nd.array(data, ctx=ctx_list[0])
    if len(ctx_list) == 1:
        return [data.as_in_context(ctx_list[0])]
    slices = split_data(data, len(ctx_list), batch_axis, even_split)
    return [s.as_in_context(c) for s, c in zip(slices, ctx_list)]


def clip_global_norm(arrays, max_norm: float, check_isfinite: bool = True):
    """Rescales arrays in place so that the 2-norm of all of them together is at most
    max_norm; returns that norm before clipping (a float, or an NDArray when
    check_isfinite is False)."""
    if not arrays:
        raise ValueError("clip_global_norm needs at least one array")
    ctx = arrays[0].context
    total = nd.add_n(*[nd.sum(nd.square(a.astype(np.float32))).as_in_context(ctx) for a in arrays])
    norm = nd.sqrt(total)
    if check_isfinite:
        value = float(norm.asscalar())
        if not math.isfinite(value):
            import warnings
            warnings.warn(UserWarning("nan or inf is detected. Clipping results will be undefined."), stacklevel=2)
        scale = max_norm / (value + 1e-8)
        if scale < 1.0:
            for a in arrays:
                a *= scale
        return value
    scale = nd.minimum(nd.ones((1,), ctx=ctx), max_norm / (norm + 1e-8))
    for a in arrays:
        a *= scale.as_in_context(a.context).astype(a.dtype)
    return norm


def check_sha1(filename: str, sha1_hash: str) -> bool:
    """Whether the file's SHA-1 digest equals sha1_hash (hex)."""
    sha1 = hashlib.sha1()
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha1.update(chunk)
    return sha1.hexdigest() == sha1_hash


def replace_file(src: str, dst: str) -> None:
    """Moves src over dst in one step (both on one file system); on failure removes src and
    raises OSError."""
    try:
        os.replace(src, dst)
    except OSError as e:
        try:
            os.remove(src)
        except OSError:
            pass
        raise OSError(f"Moving downloaded temp file - {src}, to {dst} failed ({e.strerror}). "
                      "Please retry the download.") from None


def _http_get_to_file(url: str, path: str, verify_ssl: bool) -> None:
    """Streams url (HTTP or HTTPS) into path; any status but 200 is an error."""
    context = None
    if url.lower().startswith("https:") and not verify_ssl:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S, context=context) as response, \
                open(path, "wb") as f:
            if response.status != 200:
                raise RuntimeError(f"Failed downloading url {url}: HTTP status {response.status}")
            shutil.copyfileobj(response, f, 1 << 16)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"Failed downloading url {url}: HTTP status {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        raise RuntimeError(f"Failed downloading url {url}: {e.reason}") from None


_DOWNLOAD_TIMEOUT_S = 60


def download(url: str, path=None, overwrite: bool = False, sha1_hash=None, retries: int = 5,
             verify_ssl: bool = True) -> str:
    """Downloads url (HTTP or HTTPS) to path (a file, or a directory that gets the URL's last
    component; default that name in the current directory) and returns the file's path.

    An existing file is kept unless overwrite, or unless sha1_hash (hex) is given and does
    not match it. The data goes to a temporary file beside the target that is renamed over
    it, so a reader never sees a partial file. A failed attempt (network error, a status
    other than 200, or a SHA-1 mismatch, which raises UserWarning as in MXNet) is retried;
    retries=N allows N attempts in all (at least one)."""
    if path is None:
        fname = url.split("/")[-1]
        assert fname, "Can't construct file-name from this URL. Please set the `path` option manually."
    else:
        path = os.path.expanduser(path)
        fname = os.path.join(path, url.split("/")[-1]) if os.path.isdir(path) else path
    assert retries >= 0, f"Number of retries should be at least 0, currently it's {retries}"
    if not verify_ssl:
        warnings.warn("Unverified HTTPS request is being made (verify_ssl=False). "
                      "Adding certificate verification is strongly advised.", stacklevel=2)
    if not (overwrite or not os.path.exists(fname) or (sha1_hash and not check_sha1(fname, sha1_hash))):
        return fname
    os.makedirs(os.path.dirname(os.path.abspath(fname)), exist_ok=True)
    while retries + 1 > 0:
        try:
            print(f"Downloading {fname} from {url}...")
            temp = f"{fname}.{uuid.uuid4()}"
            try:
                _http_get_to_file(url, temp, verify_ssl)
            except BaseException:
                if os.path.exists(temp):
                    os.remove(temp)
                raise
            replace_file(temp, fname)
            if sha1_hash and not check_sha1(fname, sha1_hash):
                raise UserWarning(f"File {fname} is downloaded but the content hash does not match "
                                  f"(expected sha1 {sha1_hash}). The repo may be outdated or download may be "
                                  "incomplete.")
            break
        except Exception as e:
            retries -= 1
            if retries <= 0:
                raise e
            print(f"download failed due to {e!r}, retrying, {retries} attempt{'s' if retries > 1 else ''} left")
    return fname


def shape_is_known(shape) -> bool:
    """Whether every dimension of shape is known (MXNet's classic convention: 0 is unknown)."""
    if shape is None or len(shape) == 0:
        return False
    for dim_size in shape:
        if dim_size == 0:
            return False
        assert dim_size > 0, f"shape dimension size cannot be less than 0, while received {dim_size}"
    return True


def _indent(s: str, num_spaces: int) -> str:
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * num_spaces + line for line in lines[1:])


class HookHandle:
    """Detaches a hook registered on a Block (also as a context manager)."""

    def __init__(self) -> None:
        self._hooks_dict_ref = None
        self._id = None

    def attach(self, hooks_dict: OrderedDict, hook) -> None:
        if self._hooks_dict_ref is not None:
            raise RuntimeError("The same handle cannot be attached twice.")
        self._id = id(hook)
        hooks_dict[self._id] = hook
        self._hooks_dict_ref = weakref.ref(hooks_dict)

    def detach(self) -> None:
        hooks_dict = self._hooks_dict_ref() if self._hooks_dict_ref is not None else None
        if hooks_dict is not None and self._id in hooks_dict:
            del hooks_dict[self._id]

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.detach()
