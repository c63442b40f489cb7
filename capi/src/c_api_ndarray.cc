// Section: NDArray — creation, views, copies, waits, files.
#include <cstring>

#include "capi/src/api_util.h"
#include "core/autograd/autograd.h"
#include "core/io/ndarray_file.h"
#include "core/op/kernel_util.h"

using namespace minerva;
using capi::nd;
using capi::nd_or_none;  // only where a none array has a defined answer: Note [None arrays]

namespace {
Shape to_shape(const int64_t* shape, int ndim, const char* fn) {
  MV_CHECK(ndim >= 0 && ndim <= 32, kValue) << fn << ": ndim must be in [0, 32], got " << ndim;
  MV_CHECK(ndim == 0 || shape != nullptr, kValue) << fn << ": shape is NULL but ndim is " << ndim;
  Shape s(shape, shape + ndim);
  for (int i = 0; i < ndim; ++i)
    MV_CHECK(s[i] >= 0, kValue) << fn << ": dimension " << i << " is negative (" << s[i] << ")";
  return s;
}

void publish_loaded(const std::vector<NDArray>& arrays, const std::vector<std::string>& names, size_t* out_num,
                    MVNDArrayHandle** out_arrays, size_t* out_num_names, const char*** out_names) {
  auto& b = capi::tls();
  b.handles.clear();
  b.handles.reserve(arrays.size());  // no push_back can throw after a handle is made
  for (auto& a : arrays) b.handles.push_back(capi::new_handle(a));
  *out_num = arrays.size();
  *out_arrays = b.handles.data();
  *out_num_names = names.size();
  *out_names = capi::to_cstrs(names);
}

std::vector<NDArray> gather(size_t num, const MVNDArrayHandle* arrays, const char* fn) {
  MV_CHECK(num == 0 || arrays != nullptr, kValue) << fn << ": arrays is NULL but num is " << num;
  std::vector<NDArray> out;
  for (size_t i = 0; i < num; ++i) out.push_back(nd_or_none(arrays[i], fn, "arrays[i]"));  // saved as MXNet does
  return out;
}

std::vector<std::string> gather_keys(size_t num, const char** keys, const char* fn) {
  std::vector<std::string> out;
  if (!keys) return out;
  for (size_t i = 0; i < num; ++i) {
    MV_CHECK(keys[i] != nullptr, kValue) << fn << ": keys[" << i << "] is NULL";
    out.emplace_back(keys[i]);
  }
  return out;
}
}  // namespace

extern "C" {

MV_DLL int MVNDArrayCreate(const int64_t* shape, int ndim, int dtype, int dev_type, int dev_id,
                           MVNDArrayHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  Shape s = to_shape(shape, ndim, "MVNDArrayCreate");
  MV_CHECK(ndim >= 1, kValue) << "MVNDArrayCreate: ndim must be >= 1 (MXNet 1.x has no 0-d arrays), got 0";
  Context ctx = Context::make(dev_type, dev_id);
  *out = capi::new_handle(NDArray(s, dtype_from_code(dtype), ctx));
  MV_API_END();
}

MV_DLL int MVNDArrayFree(MVNDArrayHandle handle) {
  MV_API_BEGIN();
  if (handle == nullptr) return MV_OK;
  nd_or_none(handle, "MVNDArrayFree");
  capi::release(handle);
  MV_API_END();
}

MV_DLL int MVNDArrayGetShape(MVNDArrayHandle handle, int* out_ndim, const int64_t** out_shape) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_ndim);
  MV_CHECK_OUT(out_shape);
  const NDArray& a = nd_or_none(handle, "MVNDArrayGetShape");  // a none array: ndim 0, shape (), as MXNet
  auto& b = capi::tls();
  b.shape = a.shape();
  *out_ndim = a.ndim();
  *out_shape = b.shape.data();
  MV_API_END();
}

MV_DLL int MVNDArrayGetDType(MVNDArrayHandle handle, int* out_dtype) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_dtype);
  *out_dtype = static_cast<int>(nd_or_none(handle, "MVNDArrayGetDType").dtype());  // none: the default, float32
  MV_API_END();
}

MV_DLL int MVNDArrayGetContext(MVNDArrayHandle handle, int* out_dev_type, int* out_dev_id) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_dev_type);
  MV_CHECK_OUT(out_dev_id);
  Context c = nd(handle, "MVNDArrayGetContext").ctx();
  *out_dev_type = static_cast<int>(c.dev_type);
  *out_dev_id = c.dev_id;
  MV_API_END();
}

MV_DLL int MVNDArraySyncCopyFromCPU(MVNDArrayHandle handle, const void* data, size_t nbytes) {
  MV_API_BEGIN();
  const NDArray& a = nd(handle, "MVNDArraySyncCopyFromCPU");
  MV_CHECK(data != nullptr || nbytes == 0, kValue) << "MVNDArraySyncCopyFromCPU: data is NULL";
  MV_CHECK(nbytes == a.nbytes(), kValue) << "MVNDArraySyncCopyFromCPU: the array " << shape_str(a.shape()) << " "
                                         << dtype_name(a.dtype()) << " holds " << a.nbytes() << " bytes, got "
                                         << nbytes;
  MV_CHECK(!a.chunk()->read_only, kValue) << "MVNDArraySyncCopyFromCPU: the array is read-only";
  Engine::get()->wait_for_var(a.var());
  a.bump_version();
  std::memcpy(a.data(), data, nbytes);
  MV_API_END();
}

MV_DLL int MVNDArraySyncCopyToCPU(MVNDArrayHandle handle, void* data, size_t nbytes) {
  MV_API_BEGIN();
  const NDArray& a = nd(handle, "MVNDArraySyncCopyToCPU");
  MV_CHECK(data != nullptr || nbytes == 0, kValue) << "MVNDArraySyncCopyToCPU: data is NULL";
  MV_CHECK(nbytes == a.nbytes(), kValue) << "MVNDArraySyncCopyToCPU: the array " << shape_str(a.shape()) << " "
                                         << dtype_name(a.dtype()) << " holds " << a.nbytes() << " bytes, got "
                                         << nbytes;
  a.wait_to_read();
  std::memcpy(data, a.data(), nbytes);
  MV_API_END();
}

MV_DLL int MVNDArrayCopyTo(MVNDArrayHandle src, MVNDArrayHandle dst) {
  MV_API_BEGIN();
  copy_array(nd(src, "MVNDArrayCopyTo", "src"), nd(dst, "MVNDArrayCopyTo", "dst"));
  MV_API_END();
}

MV_DLL int MVNDArrayReshape(MVNDArrayHandle handle, const int64_t* shape, int ndim, MVNDArrayHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  const NDArray& a = nd(handle, "MVNDArrayReshape");
  Shape s = to_shape(shape, ndim, "MVNDArrayReshape");
  *out = capi::new_handle(a.reshape(s));
  MV_API_END();
}

MV_DLL int MVNDArraySlice(MVNDArrayHandle handle, int64_t begin, int64_t end, MVNDArrayHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_handle(nd(handle, "MVNDArraySlice").slice(begin, end));
  MV_API_END();
}

MV_DLL int MVNDArrayAt(MVNDArrayHandle handle, int64_t index, MVNDArrayHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_handle(nd(handle, "MVNDArrayAt").at(index));
  MV_API_END();
}

MV_DLL int MVNDArrayDetach(MVNDArrayHandle handle, MVNDArrayHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = capi::new_handle(nd(handle, "MVNDArrayDetach").detached());
  MV_API_END();
}

MV_DLL int MVNDArrayWaitToRead(MVNDArrayHandle handle) {
  MV_API_BEGIN();
  const NDArray& a = nd_or_none(handle, "MVNDArrayWaitToRead");
  if (!a.is_none()) a.wait_to_read();  // nothing is pending on a none array (MXNet returns at once)
  MV_API_END();
}

MV_DLL int MVNDArrayWaitToWrite(MVNDArrayHandle handle) {
  MV_API_BEGIN();
  const NDArray& a = nd_or_none(handle, "MVNDArrayWaitToWrite");
  if (!a.is_none()) a.wait_to_write();
  MV_API_END();
}

MV_DLL int MVNDArrayWaitAll(void) {
  MV_API_BEGIN();
  Engine::get()->wait_all();
  MV_API_END();
}

MV_DLL int MVNDArrayGetVersion(MVNDArrayHandle handle, uint64_t* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  *out = nd(handle, "MVNDArrayGetVersion").version();
  MV_API_END();
}

MV_DLL int MVNDArrayGetGrad(MVNDArrayHandle handle, MVNDArrayHandle* out) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out);
  NDArray g = autograd::get_grad(nd_or_none(handle, "MVNDArrayGetGrad"));  // none: no gradient
  *out = g.is_none() ? nullptr : capi::new_handle(g);
  MV_API_END();
}

MV_DLL int MVNDArraySave(const char* fname, size_t num, const MVNDArrayHandle* arrays, const char** keys) {
  MV_API_BEGIN();
  MV_CHECK(fname != nullptr, kValue) << "MVNDArraySave: fname is NULL";
  save_ndarrays(fname, gather(num, arrays, "MVNDArraySave"), gather_keys(num, keys, "MVNDArraySave"));
  MV_API_END();
}

MV_DLL int MVNDArrayLoad(const char* fname, size_t* out_num, MVNDArrayHandle** out_arrays, size_t* out_num_names,
                         const char*** out_names) {
  MV_API_BEGIN();
  MV_CHECK(fname != nullptr, kValue) << "MVNDArrayLoad: fname is NULL";
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_arrays);
  MV_CHECK_OUT(out_num_names);
  MV_CHECK_OUT(out_names);
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
  load_ndarrays(fname, &arrays, &names);
  publish_loaded(arrays, names, out_num, out_arrays, out_num_names, out_names);
  MV_API_END();
}

MV_DLL int MVNDArraySaveToBuffer(size_t num, const MVNDArrayHandle* arrays, const char** keys, const void** out_buf,
                                 size_t* out_size) {
  MV_API_BEGIN();
  MV_CHECK_OUT(out_buf);
  MV_CHECK_OUT(out_size);
  auto& b = capi::tls();
  b.text = save_ndarrays_to_buffer(gather(num, arrays, "MVNDArraySaveToBuffer"),
                                   gather_keys(num, keys, "MVNDArraySaveToBuffer"));
  *out_buf = b.text.data();
  *out_size = b.text.size();
  MV_API_END();
}

MV_DLL int MVNDArrayLoadFromBuffer(const void* buf, size_t size, size_t* out_num, MVNDArrayHandle** out_arrays,
                                   size_t* out_num_names, const char*** out_names) {
  MV_API_BEGIN();
  MV_CHECK(buf != nullptr || size == 0, kValue) << "MVNDArrayLoadFromBuffer: buf is NULL";
  MV_CHECK_OUT(out_num);
  MV_CHECK_OUT(out_arrays);
  MV_CHECK_OUT(out_num_names);
  MV_CHECK_OUT(out_names);
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
  load_ndarrays_from_buffer(static_cast<const char*>(buf), size, &arrays, &names);
  publish_loaded(arrays, names, out_num, out_arrays, out_num_names, out_names);
  MV_API_END();
}

}  // extern "C"
