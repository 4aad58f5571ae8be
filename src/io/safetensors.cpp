#include "nabla/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "checked_size.h"
#include "nabla/error.h"
#include "nabla/io/atomic_file.h"

namespace nabla::io {
namespace {

// The format stores little-endian data and nabla copies it byte for byte.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian host; add byte swapping to port it");

constexpr size_t kLengthPrefixBytes = 8;
// The reference implementation refuses larger headers; so do we, so that a corrupt length cannot
// make us parse (or allocate for) gigabytes of "JSON".
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";

const char* safetensors_dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "F32";
    case DType::f64: return "F64";
    case DType::i64: return "I64";
    case DType::boolean: return "BOOL";
    case DType::f16: return "F16";
    case DType::bf16: return "BF16";
  }
  return "?";
}

std::optional<DType> dtype_from_safetensors_name(const std::string& name) {
  if (name == "F32") return DType::f32;
  if (name == "F64") return DType::f64;
  if (name == "I64") return DType::i64;
  if (name == "BOOL") return DType::boolean;
  if (name == "F16") return DType::f16;
  if (name == "BF16") return DType::bf16;
  return std::nullopt;
}

bool is_other_safetensors_dtype(const std::string& name) {
  static const std::set<std::string> others = {"U8",  "I8",  "I16", "U16",    "I32",
                                               "U32", "U64", "F8_E4M3", "F8_E5M2"};
  return others.count(name) > 0;
}

// A C++ bool holds 0 or 1 only: any other byte read as one is undefined behaviour.
void require_bool_bytes(const char* data, uint64_t count, const std::string& file, const std::string& tensor) {
  for (uint64_t i = 0; i < count; ++i)
    if (data[i] != 0 && data[i] != 1)
      throw IOError(file + ": tensor '" + tensor + "' (BOOL): element " + std::to_string(i) +
                    " is byte " + std::to_string(static_cast<unsigned char>(data[i])) + ", not 0 or 1");
}

std::string list_to_string(const std::vector<uint64_t>& values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) text += (i ? ", " : "") + std::to_string(values[i]);
  return text + "]";
}

// ---- writing -------------------------------------------------------------------------------------

std::string serialize(const NamedTensors& tensors, const std::map<std::string, std::string>& metadata,
                      const std::string& context) {
  std::set<std::string> seen_names;
  std::vector<Tensor> contiguous_tensors;
  contiguous_tensors.reserve(tensors.size());
  for (const auto& [name, tensor] : tensors) {
    if (name == kMetadataKey) {
      throw IOError(context + ": '" + name + "' is reserved for metadata and cannot name a tensor");
    }
    if (!seen_names.insert(name).second) {
      throw IOError(context + ": duplicate tensor name '" + name + "'");
    }
    if (!tensor.defined()) throw IOError(context + ": tensor '" + name + "' is undefined");
    if (tensor.device() != kCPU) {
      throw IOError(context + ": tensor '" + name + "' is on " + tensor.device().str() +
                    "; move it to the CPU before saving");
    }
    contiguous_tensors.push_back(tensor.contiguous());
  }

  // ordered_json keeps the tensors in the order given, so the header reads like the data layout;
  // the reference writer also puts __metadata__ first.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  uint64_t offset = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& tensor = contiguous_tensors[i];
    const uint64_t nbytes = tensor.nbytes();
    header[tensors[i].first] = {{"dtype", safetensors_dtype_name(tensor.dtype())},
                                {"shape", tensor.shape()},
                                {"data_offsets", {offset, offset + nbytes}}};
    offset += nbytes;
  }

  std::string header_text;
  try {
    header_text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    throw IOError(context + ": a tensor name or metadata string is not valid UTF-8 (" + e.what() +
                  ")");
  }
  // Padding to a multiple of 8 keeps the data buffer 8-byte aligned when the file is mapped, as
  // the reference implementation does; JSON ignores trailing spaces.
  header_text.append((8 - header_text.size() % 8) % 8, ' ');

  std::string bytes;
  bytes.reserve(kLengthPrefixBytes + header_text.size() + offset);
  const uint64_t header_length = header_text.size();
  for (size_t i = 0; i < kLengthPrefixBytes; ++i) {
    bytes.push_back(static_cast<char>((header_length >> (8 * i)) & 0xFF));
  }
  bytes += header_text;
  for (const Tensor& tensor : contiguous_tensors) {
    if (tensor.nbytes() > 0) {
      bytes.append(static_cast<const char*>(tensor.raw_data()), tensor.nbytes());
    }
  }
  return bytes;
}

// ---- reading -------------------------------------------------------------------------------------

struct TensorEntry {
  std::string name;
  DType dtype;
  Shape shape;
  uint64_t begin, end;
};

// nlohmann::json keeps the last of two equal keys without a word; a file with two tensors of one
// name is ambiguous, so we watch the parse and refuse duplicates at every level.
class DuplicateKeyWatcher {
 public:
  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      open_objects_.emplace_back();
    } else if (event == Event::object_end) {
      if (!open_objects_.empty()) open_objects_.pop_back();
    } else if (event == Event::key && !open_objects_.empty() && !duplicate_) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!open_objects_.back().insert(key).second) duplicate_ = key;
    }
    return true;
  }
  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  std::vector<std::set<std::string>> open_objects_;
  std::optional<std::string> duplicate_;
};

// Shape entries and offsets must be JSON integers >= 0: 2.0, -1 and "3" are all refused.
uint64_t parse_count(const nlohmann::json& value, const std::string& where) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) throw IOError(where + " is negative (" + value.dump() + ")");
  throw IOError(where + " is not a non-negative integer (" + value.dump() + ")");
}

TensorEntry parse_tensor_entry(const std::string& tensor_name, const nlohmann::json& info,
                               const std::string& name) {
  const std::string where = name + ": tensor '" + tensor_name + "'";
  if (!info.is_object()) {
    throw IOError(where + ": expected an object with dtype, shape and data_offsets, found " +
                  info.type_name());
  }
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!info.contains(field)) throw IOError(where + ": missing \"" + field + "\"");
  }
  TensorEntry entry{tensor_name, DType::f32, {}, 0, 0};

  const auto& dtype_value = info["dtype"];
  if (!dtype_value.is_string()) throw IOError(where + ": dtype is not a string (" + dtype_value.dump() + ")");
  const auto& dtype_name = dtype_value.get_ref<const std::string&>();
  const auto dtype = dtype_from_safetensors_name(dtype_name);
  if (!dtype) {
    throw IOError(where + ": " + (is_other_safetensors_dtype(dtype_name) ? "unsupported" : "unknown") +
                  " dtype '" + dtype_name + "' (nabla reads F32, F64, I64, F16, BF16 and BOOL)");
  }
  entry.dtype = *dtype;

  const auto& shape_value = info["shape"];
  if (!shape_value.is_array()) throw IOError(where + ": shape is not an array (" + shape_value.dump() + ")");
  std::vector<uint64_t> extents;
  for (size_t axis = 0; axis < shape_value.size(); ++axis) {
    extents.push_back(parse_count(shape_value[axis], where + ": shape entry " + std::to_string(axis)));
  }
  const auto checked_bytes = detail::checked_byte_size(extents, itemsize(entry.dtype));
  if (!checked_bytes) {
    throw IOError(where + ": shape " + shape_value.dump() + " is too large: its size overflows 64 bits");
  }
  const uint64_t expected_bytes = *checked_bytes;
  entry.shape.assign(extents.begin(), extents.end());

  const auto& offsets_value = info["data_offsets"];
  if (!offsets_value.is_array() || offsets_value.size() != 2) {
    throw IOError(where + ": data_offsets must be [begin, end], found " + offsets_value.dump());
  }
  entry.begin = parse_count(offsets_value[0], where + ": data_offsets begin");
  entry.end = parse_count(offsets_value[1], where + ": data_offsets end");
  if (entry.end < entry.begin) {
    throw IOError(where + ": data_offsets " + list_to_string({entry.begin, entry.end}) +
                  " end before they begin");
  }
  if (entry.end - entry.begin != expected_bytes) {
    throw IOError(where + ": data_offsets " + list_to_string({entry.begin, entry.end}) + " span " +
                  std::to_string(entry.end - entry.begin) + " bytes but shape " +
                  shape_value.dump() + " of " + dtype_name + " needs " +
                  std::to_string(expected_bytes));
  }
  return entry;
}

std::map<std::string, std::string> parse_metadata(const nlohmann::json& value, const std::string& name) {
  if (!value.is_object()) {
    throw IOError(name + ": \"__metadata__\" must be an object of strings, found " + value.type_name());
  }
  std::map<std::string, std::string> metadata;
  for (const auto& [key, entry] : value.items()) {
    if (!entry.is_string()) {
      throw IOError(name + ": \"__metadata__\" entry '" + key + "' is not a string (" + entry.dump() + ")");
    }
    metadata.emplace(key, entry.get<std::string>());
  }
  return metadata;
}

// " (a PNG image)" when `bytes` start as a format a model file is often mistaken for, else "".
std::string other_format(std::string_view bytes) {
  const std::pair<std::string_view, const char*> signatures[] = {
      {"\x89PNG", "a PNG image"},
      {"\xFF\xD8\xFF", "a JPEG image"},
      {"PK\x03\x04", "a ZIP archive, as PyTorch's torch.save writes"},
      {"\x1F\x8B", "gzip data"}};
  for (const auto& [start, format] : signatures)
    if (bytes.substr(0, start.size()) == start) return std::string(" (") + format + ")";
  return "";
}

}  // namespace

std::string serialize_safetensors(const NamedTensors& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  return serialize(tensors, metadata, "serialize_safetensors");
}

void save_safetensors(const std::string& path, const NamedTensors& tensors,
                      const std::map<std::string, std::string>& metadata) {
  write_file_atomic(path, serialize(tensors, metadata, path));
}

SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& name) {
  if (bytes.size() < kLengthPrefixBytes) {
    throw IOError(name + ": truncated at byte " + std::to_string(bytes.size()) +
                  ": expected an 8-byte little-endian header length, found " +
                  std::to_string(bytes.size()) + " bytes");
  }
  // The JSON header begins with '{' (the reference implementation insists on it too). Checked
  // before the length, so that another kind of file (a picture given as a model) is named as
  // such rather than by the length its first 8 bytes would make.
  if (bytes.size() == kLengthPrefixBytes || bytes[kLengthPrefixBytes] != '{') {
    throw IOError(name + ": not a safetensors file" + other_format(bytes) +
                  ": after its 8-byte header length, a safetensors file begins its JSON header with '{'");
  }
  uint64_t header_length = 0;
  for (size_t i = 0; i < kLengthPrefixBytes; ++i) {
    header_length |= uint64_t{static_cast<uint8_t>(bytes[i])} << (8 * i);
  }
  const uint64_t bytes_after_prefix = bytes.size() - kLengthPrefixBytes;
  if (header_length > bytes_after_prefix) {
    throw IOError(name + ": header length " + std::to_string(header_length) +
                  " (at byte 0) is larger than the " + std::to_string(bytes_after_prefix) +
                  " bytes that follow it");
  }
  if (header_length > kMaxHeaderBytes) {
    throw IOError(name + ": header length " + std::to_string(header_length) +
                  " (at byte 0) exceeds the limit of " + std::to_string(kMaxHeaderBytes) + " bytes");
  }
  const std::string_view header_text = bytes.substr(kLengthPrefixBytes, header_length);

  nlohmann::json header;
  DuplicateKeyWatcher watcher;
  try {
    header = nlohmann::json::parse(header_text.begin(), header_text.end(), std::ref(watcher));
  } catch (const nlohmann::json::exception& e) {
    throw IOError(name + ": header (bytes 8 to " + std::to_string(8 + header_length) +
                  ") is not valid JSON: " + e.what());
  }
  if (watcher.duplicate()) {
    throw IOError(name + ": header has the name '" + *watcher.duplicate() + "' twice in one object");
  }

  SafetensorsFile file;
  std::vector<TensorEntry> entries;
  for (const auto& [key, value] : header.items()) {
    if (key == kMetadataKey) {
      file.metadata = parse_metadata(value, name);
    } else {
      entries.push_back(parse_tensor_entry(key, value, name));
    }
  }

  // Tensors must tile the data buffer exactly: no byte read twice, none left unexplained. Sorting
  // by (begin, end) puts an empty tensor before a full one at the same offset, as the reference
  // implementation does; stability keeps empty tensors that share an offset in name order.
  std::stable_sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return std::pair(a.begin, a.end) < std::pair(b.begin, b.end);
  });
  const uint64_t data_start = kLengthPrefixBytes + header_length;
  const uint64_t data_length = bytes.size() - data_start;
  uint64_t expected_begin = 0;
  for (const TensorEntry& entry : entries) {
    if (entry.begin != expected_begin) {
      throw IOError(name + ": tensor '" + entry.name + "' data_offsets " +
                    list_to_string({entry.begin, entry.end}) +
                    (entry.begin < expected_begin ? " overlap the previous tensor" : " leave a gap") +
                    ": expected it to begin at " + std::to_string(expected_begin));
    }
    if (entry.end > data_length) {
      throw IOError(name + ": tensor '" + entry.name + "' data_offsets " +
                    list_to_string({entry.begin, entry.end}) + " run past the end of the " +
                    std::to_string(data_length) + "-byte data buffer (file truncated at byte " +
                    std::to_string(bytes.size()) + "?)");
    }
    expected_begin = entry.end;
  }
  if (expected_begin != data_length) {
    throw IOError(name + ": the data buffer (from byte " + std::to_string(data_start) + ") holds " +
                  std::to_string(data_length) + " bytes but the tensors account for " +
                  std::to_string(expected_begin));
  }

  file.tensors.reserve(entries.size());
  for (const TensorEntry& entry : entries) {
    Tensor tensor = Tensor::empty(entry.shape, entry.dtype);
    const uint64_t nbytes = entry.end - entry.begin;
    const char* data = bytes.data() + data_start + entry.begin;
    if (entry.dtype == DType::boolean) require_bool_bytes(data, nbytes, name, entry.name);
    if (nbytes > 0) std::memcpy(tensor.raw_data(), data, nbytes);
    file.tensors.emplace_back(entry.name, std::move(tensor));
  }
  return file;
}

SafetensorsFile load_safetensors(const std::string& path) {
  return parse_safetensors(read_file(path), path);
}

}  // namespace nabla::io
