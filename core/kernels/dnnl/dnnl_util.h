// Whether the oneDNN fast paths are built and switched on (DESIGN rule 4, STYLE rule 14). This
// header is light: operators include it without pulling in oneDNN's headers; the helpers the
// wrappers share are in primitive_cache.h.
//
// Note [oneDNN fast paths]
// Minerva's arrays are plain NCHW / OIHW. A primitive created with format_tag::any picks the
// layout it runs fastest in (nChw16c and friends on AVX-512); each call then reorders its
// inputs into that layout and its outputs back, which costs a fraction of the convolution. The
// primitives are created once per (shape, parameters) key and cached: creating one costs
// hundreds of microseconds. They run with a user-managed scratchpad taken from the storage pool,
// so one cached primitive may run on several threads at once. oneDNN here is built for OpenMP,
// so its work runs in the same OpenMP thread team as every other kernel (Note [One threading
// layer] in core/kernels/blas/gemm.cc). Every call returns false when oneDNN cannot do the
// case, and the caller runs the reference kernel instead.
#pragma once

namespace minerva {
namespace onednn {

// True when the library was built with oneDNN (MVGetBuildInfo reports it).
bool available();
// True when the library was built with oneDNN and MINERVA_DNNL is not 0 (and no test has
// switched the fast paths off).
bool enabled();
// Switches the fast paths on or off for this process (tests compare them with the reference
// kernels this way); returns the previous setting. Without oneDNN they stay off.
bool set_enabled(bool on);

}  // namespace onednn
}  // namespace minerva
