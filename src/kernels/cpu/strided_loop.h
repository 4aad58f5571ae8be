// The one loop every elementwise kernel shares: walk N operands over a common shape, calling a
// function once per innermost row with the operands' row pointers and row strides. Axes of size
// one are dropped and axes that are contiguous across all operands are merged first, so a
// contiguous tensor of any rank is a single long row and the inner loop vectorises.
#pragma once
#include "nabla/layer.h"
NABLA_HEADER_LAYER(KERNELS);
#include <omp.h>

#include <array>
#include <cstdint>
#include <vector>

#include "kernels/cpu/parallel_threshold.h"

namespace nabla::kernels {

template <int N>
class StridedLoop {
 public:
  using Ptrs = std::array<char*, N>;
  using Strides = std::array<int64_t, N>;

  // `strides[k]` are operand k's strides in elements; `itemsizes[k]` its element size in bytes.
  StridedLoop(const std::vector<int64_t>& shape, Ptrs data,
              const std::array<const std::vector<int64_t>*, N>& strides, Strides itemsizes)
      : data_(data) {
    for (int64_t d : shape)
      if (d == 0) {  // nothing to visit, however large the other axes (their product may not fit)
        shape_ = {0};
        strides_ = {Strides{}};
        rows_ = inner_ = 0;
        return;
      }
    for (size_t axis = 0; axis < shape.size(); ++axis) {
      if (shape[axis] == 1) continue;
      Strides s;
      for (int k = 0; k < N; ++k) s[k] = (*strides[k])[axis] * itemsizes[k];
      if (!shape_.empty() && mergeable(shape_.back(), strides_.back(), shape[axis], s)) {
        shape_.back() *= shape[axis];
        strides_.back() = s;
      } else {
        shape_.push_back(shape[axis]);
        strides_.push_back(s);
      }
    }
    if (shape_.empty()) {  // a single element
      shape_.push_back(1);
      strides_.push_back(Strides{});
    }
    inner_ = shape_.back();
    rows_ = 1;
    for (size_t axis = 0; axis + 1 < shape_.size(); ++axis) rows_ *= shape_[axis];
  }

  int64_t numel() const { return rows_ * inner_; }

  // True when no outer (row-selecting) axis has stride 0 for `operand`: then distinct rows write
  // distinct places of that operand, and rows may run on different threads.
  bool rows_distinct_for(int operand) const {
    for (size_t axis = 0; axis + 1 < shape_.size(); ++axis)
      if (strides_[axis][operand] == 0) return false;
    return true;
  }

  // fn(Ptrs row_start, Strides row_strides_in_bytes, int64_t row_length)
  template <class F>
  void run(F&& fn, bool allow_parallel = true) const {
    const bool parallel = allow_parallel && numel() >= kParallelThreshold && omp_get_max_threads() > 1;
    if (!parallel) {
      run_rows(0, rows_, fn);
      return;
    }
    if (rows_ == 1) {
      // A contiguous tensor is one long row: split the row itself, unless the first operand (the
      // output) does not advance along it, in which case every piece would write the same place.
      if (strides_.back()[0] == 0) {
        run_rows(0, 1, fn);
        return;
      }
#pragma omp parallel
      {
        const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
        const int64_t begin = inner_ * t / threads, end = inner_ * (t + 1) / threads;
        Ptrs ptrs = data_;
        for (int k = 0; k < N; ++k) ptrs[k] += begin * strides_.back()[k];
        if (end > begin) fn(ptrs, strides_.back(), end - begin);
      }
      return;
    }
#pragma omp parallel
    {
      const int64_t threads = omp_get_num_threads();
      const int64_t t = omp_get_thread_num();
      const int64_t begin = rows_ * t / threads, end = rows_ * (t + 1) / threads;
      run_rows(begin, end, fn);
    }
  }

 private:
  // Two adjacent axes merge when stepping the outer one equals walking the whole inner one.
  static bool mergeable(int64_t, const Strides& outer_strides, int64_t inner_size,
                        const Strides& inner_strides) {
    for (int k = 0; k < N; ++k)
      if (outer_strides[k] != inner_size * inner_strides[k]) return false;
    return true;
  }

  template <class F>
  void run_rows(int64_t begin, int64_t end, F& fn) const {
    if (begin >= end) return;
    const int64_t outer_axes = static_cast<int64_t>(shape_.size()) - 1;
    std::vector<int64_t> counter(outer_axes, 0);
    Ptrs ptrs = data_;
    int64_t rest = begin;
    for (int64_t axis = outer_axes - 1; axis >= 0; --axis) {
      counter[axis] = rest % shape_[axis];
      rest /= shape_[axis];
      for (int k = 0; k < N; ++k) ptrs[k] += counter[axis] * strides_[axis][k];
    }
    const Strides inner_strides = strides_.back();
    for (int64_t row = begin; row < end; ++row) {
      fn(ptrs, inner_strides, inner_);
      // Odometer step to the next row.
      for (int64_t axis = outer_axes - 1; axis >= 0; --axis) {
        for (int k = 0; k < N; ++k) ptrs[k] += strides_[axis][k];
        if (++counter[axis] < shape_[axis]) break;
        for (int k = 0; k < N; ++k) ptrs[k] -= shape_[axis] * strides_[axis][k];
        counter[axis] = 0;
      }
    }
  }

  Ptrs data_;
  std::vector<int64_t> shape_;
  std::vector<Strides> strides_;
  int64_t rows_ = 1, inner_ = 1;
};

}  // namespace nabla::kernels
