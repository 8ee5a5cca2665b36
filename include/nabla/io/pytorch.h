#pragma once
// PyTorch checkpoints (.pt / .pth) read without Python: the zip format torch.save writes since
// PyTorch 1.6 ("<name>/data.pkl" plus one member "<name>/data/<key>" per storage) and the
// legacy format (_use_new_zipfile_serialization=False: magic number, protocol and system-info
// pickles, the object pickle, the storage keys, then the storages back to back).
//
// The pickle is read by nabla's own restricted unpickler, which never runs code: it accepts only
// the tensor rebuild functions (torch._utils._rebuild_tensor_v2, _rebuild_parameter),
// collections.OrderedDict, the typed storages and plain values (None, bools, numbers, strings,
// tuples, lists, dicts); any other global is refused with an Error naming it. Tensors of the
// dtypes nabla lacks (complex64/128, quantized) are refused too, by tensor name and dtype.
//
//   StateDict sd = nabla::load_pytorch("resnet.pth");                 // torch.save(model.state_dict())
//   StateDict m = nabla::io::load_pytorch("ckpt.pt", "model");        // {"model": ..., "epoch": ...}
//   model->load_state_dict(sd);
#include <cstdint>
#include <string>

#include "nabla/tensor.h"

namespace nabla::io {

/// Reads the tensors of a PyTorch checkpoint into a StateDict.
///
/// `key` picks a nested dict: "" is the top level, "model" the entry "model", and a dotted path
/// ("state.model") descends further (a dict key that itself holds dots, such as
/// "layer1.0.weight", matches whole). The picked dict must map strings to tensors; entries that are
/// None, bools, numbers or strings are skipped (torch stores no such entries in a module's
/// state_dict, but hand-made dicts may), while an entry that is itself a container raises Error.
/// Without `key`, a checkpoint whose top level is not such a dict but holds a dict of tensors
/// under "state_dict" or "model" raises an Error saying which key to pass, and listing the keys.
///
/// dtypes: float32, float64, float16, bfloat16, int64, int32, uint8 and bool keep their type;
/// int16 and int8 widen to int32 (as load_safetensors does). Not supported (nabla has no such
/// dtypes): complex64 and complex128 (torch.Complex{Float, Double}Storage) and quantized tensors
/// (qint8, quint8, qint32, quint4x2, quint2x4: torch._utils._rebuild_qtensor); such a tensor in
/// the picked dict raises Error naming the file, the key and the dtype, e.g. "tensor 'z':
/// complex64 is not supported by nabla (no complex dtype)" (nothing is executed to find out;
/// tensors outside the picked dict do not matter). Views (storage offsets, strides,
/// several tensors sharing one storage) are materialised as contiguous tensors of their own.
/// Every problem (truncated or corrupt file, refused global, malformed pickle, a view outside its
/// storage, an unknown storage type, a missing key) raises Error naming the file, the key and the
/// problem.
StateDict load_pytorch(const std::string& path, const std::string& key = "");

/// As load_pytorch, reading `size` bytes at `data`; `source` names the buffer in errors.
StateDict load_pytorch_bytes(const uint8_t* data, size_t size, const std::string& source = "<memory>",
                             const std::string& key = "");

/// True when `path` looks like a PyTorch checkpoint: a zip archive with a "<name>/data.pkl"
/// member, or a pickle starting with the legacy format's magic number. Reads the file; false for a
/// missing or unreadable file (load_pytorch then says why).
bool is_pytorch_file(const std::string& path);

}  // namespace nabla::io

namespace nabla {
using io::load_pytorch;
}  // namespace nabla
