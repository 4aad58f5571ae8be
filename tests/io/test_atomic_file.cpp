#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "io/io_test_helpers.h"
#include "nabla/io/atomic_file.h"

namespace nabla::io {
namespace {

using test_helpers::expect_io_error;
using test_helpers::ScratchDir;

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

mode_t permission_bits(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(AtomicFile, WritesAndReadsBackBinaryContents) {
  ScratchDir scratch;
  const std::string path = scratch.path("blob.bin");
  std::string contents("header\0with\0zeros\n", 18);
  for (int i = 0; i < 300000; ++i) contents.push_back(static_cast<char>(i * 31));
  write_file_atomic(path, contents);
  EXPECT_EQ(read_file(path), contents);
  EXPECT_EQ(files_in(scratch.dir()), std::vector<std::string>{"blob.bin"});
}

TEST(AtomicFile, EmptyContents) {
  ScratchDir scratch;
  write_file_atomic(scratch.path("empty"), "");
  EXPECT_EQ(read_file(scratch.path("empty")), "");
}

TEST(AtomicFile, ReplacesAnExistingFileAndLeavesNoTemporaryFiles) {
  ScratchDir scratch;
  const std::string path = scratch.path("checkpoint.safetensors");
  write_file_atomic(path, "first version, rather long");
  write_file_atomic(path, "second");
  EXPECT_EQ(read_file(path), "second");
  EXPECT_EQ(files_in(scratch.dir()), std::vector<std::string>{"checkpoint.safetensors"});
}

TEST(AtomicFile, NewFilesAre0644AndReplacedFilesKeepTheirMode) {
  ScratchDir scratch;
  const std::string path = scratch.path("secret");
  write_file_atomic(path, "a");
  EXPECT_EQ(permission_bits(path), 0644u);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  write_file_atomic(path, "b");
  EXPECT_EQ(permission_bits(path), 0600u);
}

TEST(AtomicFile, WriteErrorsNameThePath) {
  ScratchDir scratch;
  const std::string in_missing_dir = scratch.path("no-such-dir/out.bin");
  expect_io_error([&] { write_file_atomic(in_missing_dir, "x"); },
                  {in_missing_dir, "temporary file", "No such file"});
  // A directory in the way of the rename: the temporary file must be cleaned up.
  std::filesystem::create_directory(scratch.path("occupied"));
  std::filesystem::create_directory(scratch.path("occupied/child"));
  expect_io_error([&] { write_file_atomic(scratch.path("occupied"), "x"); }, {scratch.path("occupied"), "rename"});
  EXPECT_EQ(files_in(scratch.dir()), std::vector<std::string>{"occupied"});
  expect_io_error([&] { write_file_atomic("", "x"); }, {"empty path"});
}

TEST(AtomicFile, ReadErrorsNameThePath) {
  ScratchDir scratch;
  const std::string missing = scratch.path("missing.bin");
  expect_io_error([&] { read_file(missing); }, {missing, "cannot open", "No such file"});
  expect_io_error([&] { read_file(scratch.dir()); }, {scratch.dir(), "is a directory"});
}

}  // namespace
}  // namespace nabla::io
