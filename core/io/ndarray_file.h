// MXNet 1.x NDArray files ("*.params", mx.nd.save / mx.nd.load), byte-compatible with MXNet 1.9.1.
//
// Note [NDArray file layout] (all integers little-endian):
//   file   := uint64 0x112 (list magic), uint64 reserved (0), uint64 count, record * count,
//             uint64 name_count (0 = list form, else == count), name * name_count
//   name   := uint64 length, length bytes (no terminator)
//   record := uint32 magic 0xF993FAC9 (V2) or 0xF993FACA (V3, numpy shape semantics),
//             int32 storage type (0 dense; 1 row_sparse and 2 csr are refused; -1 = none array),
//             shape, [if the shape is known:] int32 dev_type, int32 dev_id, int32 dtype flag,
//             raw element data (C order)
//   shape  := int32 ndim, int64 dim * ndim
// A record whose shape is unknown (V2: ndim 0; V3: ndim -1 or a dim of -1) stops after the shape
// and loads as a none NDArray, as in MXNet. Legacy records are read too: V1 (magic 0xF993FAC8,
// no storage type, int64 dims) and pre-V1 (no magic: the first uint32 is ndim, uint32 dims).
//
// Minerva writes V2 records exactly as MXNet 1.9.1 does by default, so the bytes are identical.
// Loading maps every saved context (gpu, cpu_pinned...) to cpu(0), and a V3 0-d scalar to shape
// (1,) since Minerva arrays are never 0-d. Loading is strict: each length is checked against the
// bytes left before anything is allocated, and trailing bytes after the name list are an error
// (MXNet ignores them; no MXNet writer produces them, so they mean a damaged or foreign file).
// Errors: kIO for malformed or unreadable input, kUnsupported for sparse arrays and MXNet dtypes
// Minerva lacks, kValue for bad save arguments; messages name the file (or "buffer").
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "core/ndarray/ndarray.h"

namespace minerva {

// Saves `arrays` to `path` atomically (Note [Atomic file replacement]). `names` empty writes the
// list form (mx.nd.save of a list), otherwise it must hold one name per array (dict form).
void save_ndarrays(const std::string& path, const std::vector<NDArray>& arrays,
                   const std::vector<std::string>& names);

// Loads every array of `path` onto cpu(0). `names` (may be null) gets the names, or stays empty
// for a list-form file. On error nothing is assigned.
void load_ndarrays(const std::string& path, std::vector<NDArray>* arrays, std::vector<std::string>* names);

// The same formats in memory; the file functions above are built on these.
std::string save_ndarrays_to_buffer(const std::vector<NDArray>& arrays, const std::vector<std::string>& names);
// `source` names the data in error messages (e.g. "file 'x.params'").
void load_ndarrays_from_buffer(const char* data, size_t size, std::vector<NDArray>* arrays,
                               std::vector<std::string>* names, const std::string& source = "buffer");
inline void load_ndarrays_from_buffer(const std::string& bytes, std::vector<NDArray>* arrays,
                                      std::vector<std::string>* names) {
  load_ndarrays_from_buffer(bytes.data(), bytes.size(), arrays, names);
}

// One array as a bare record, without the list header (MXNet's MXNDArraySaveRawBytes and
// MXNDArrayLoadFromRawBytes). Loading requires the buffer to hold exactly one record.
std::string save_ndarray_raw_bytes(const NDArray& array);
NDArray load_ndarray_raw_bytes(const char* data, size_t size);

}  // namespace minerva
