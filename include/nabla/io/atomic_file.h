// Whole-file reads and crash-safe whole-file writes.
//
// A checkpoint that is half written when the machine loses power is worse than no checkpoint: it
// replaces the good one and then fails to load. write_file_atomic therefore never touches the
// target until the new contents are complete and on disk; readers see either the old file or the
// new one, never a mixture.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(TRAIN);
#include <string>
#include <string_view>

namespace nabla::io {

// Writes `bytes` to `path` atomically: a temporary file in the same directory (rename is only
// atomic within one file system), all bytes written, fsync, rename over the target, then fsync of
// the directory so that the rename itself survives a crash. An existing target keeps its
// permission bits; a new one gets 0644. Throws IOError naming the path and the failing step.
void write_file_atomic(const std::string& path, std::string_view bytes);

// The whole contents of `path`. Throws IOError naming the path and the reason (missing, a
// directory, unreadable, ...).
std::string read_file(const std::string& path);

}  // namespace nabla::io
