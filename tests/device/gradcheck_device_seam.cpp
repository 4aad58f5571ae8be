// The device seam, proven without a GPU: a stand-in backend registers itself as device cuda:0 the
// way a CUDA backend would (its memory functions and its version of every kernel, through
// src/kernels/device_memory.h and src/kernels/dispatch.h), and every op of the op table must then
// run on that device, with every output and gradient on it and the same numbers as on the CPU.
//
// The stand-in's memory is host memory that stays unreadable (PROT_NONE) except while one of its
// kernels or copies runs: an op that read or wrote device memory itself, instead of through a
// kernel, faults here as it would on a GPU, and the handler below names the op-table entry.
// The registration is for the whole process: no other test of this executable (gradcheck_tests)
// uses device cuda:0, and tests/kernels/test_dispatch.cpp, which checks that an unregistered
// device is refused, lives in unit_tests.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>

#include "kernels/cpu/attention.h"
#include "kernels/cpu/attention_softmax.h"
#include "kernels/cpu/batch_norm.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/cross_entropy.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/flip.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/index.h"
#include "kernels/cpu/layer_norm.h"
#include "kernels/cpu/pool.h"
#include "kernels/cpu/recurrent.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cpu/scan.h"
#include "kernels/cpu/sort.h"
#include "kernels/cpu/unpool.h"
#include "kernels/device_memory.h"
#include "kernels/dispatch.h"
#include "ops/op_table_entries.h"

namespace nabla::test_support {
namespace {

const Device kStandIn{Device::Kind::cuda, 0};

// ---- memory: host pages that only the stand-in's own functions may touch ---------------------

class GuardedMemory {
 public:
  static GuardedMemory& instance() {
    static GuardedMemory* memory = new GuardedMemory;  // outlives every tensor
    return *memory;
  }

  void* allocate(size_t nbytes) {
    const size_t length = pages(nbytes);
    void* p = mmap(nullptr, length, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    std::lock_guard lock(mutex_);
    blocks_[p] = length;
    if (open_depth_ > 0) mprotect(p, length, PROT_READ | PROT_WRITE);
    return p;
  }
  void release(void* p) {
    std::lock_guard lock(mutex_);
    munmap(p, blocks_.at(p));
    blocks_.erase(p);
  }
  // While one is alive every block is readable and writable (kernels may nest: a depth count).
  class Open {
   public:
    Open() { instance().open(+1); }
    ~Open() { instance().open(-1); }
    Open(const Open&) = delete;
    Open& operator=(const Open&) = delete;
  };
  bool contains(const void* address) {  // async-signal-safe enough: read only, no allocation
    const auto* a = static_cast<const char*>(address);
    for (const auto& [p, length] : blocks_) {
      const auto* start = static_cast<const char*>(p);
      if (a >= start && a < start + length) return true;
    }
    return false;
  }

 private:
  static size_t pages(size_t nbytes) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    return (std::max<size_t>(nbytes, 1) + page - 1) / page * page;
  }
  void open(int change) {
    std::lock_guard lock(mutex_);
    const bool was_open = open_depth_ > 0;
    open_depth_ += change;
    if (was_open == (open_depth_ > 0)) return;
    const int protection = open_depth_ > 0 ? PROT_READ | PROT_WRITE : PROT_NONE;
    for (const auto& [p, length] : blocks_) mprotect(p, length, protection);
  }

  std::mutex mutex_;
  std::map<void*, size_t> blocks_;
  int open_depth_ = 0;
};

const kernels::DeviceMemory kGuardedMemory{
    [](size_t nbytes, int) { return GuardedMemory::instance().allocate(nbytes); },
    [](void* p, size_t, int) { GuardedMemory::instance().release(p); },
    [](void* host, const void* device, size_t n, int) {
      GuardedMemory::Open open;
      std::memcpy(host, device, n);
    },
    [](void* device, const void* host, size_t n, int) {
      GuardedMemory::Open open;
      std::memcpy(device, host, n);
    },
};

// ---- kernels: each CPU kernel, run with the memory open --------------------------------------

std::atomic<int64_t> g_kernel_calls{0};

template <auto Kernel>
struct StandIn;
template <class R, class... Args, R (*Kernel)(Args...)>
struct StandIn<Kernel> {
  static R run(Args... args) {
    ++g_kernel_calls;
    GuardedMemory::Open open;
    return Kernel(args...);
  }
};

template <auto... Kernels>
void register_stand_ins() {
  (kernels::register_kernel<Kernels>(kStandIn.kind, &StandIn<Kernels>::run), ...);
}

template <class T>
void register_floating_kernels() {
  using namespace kernels;  // none of these names is also an op's
  register_stand_ins<gemm<T>, conv2d_forward<T>, conv2d_input_grad<T>, conv2d_weight_grad<T>,
                     max_pool2d_forward<T>, max_pool2d_backward<T>, avg_pool2d_forward<T>,
                     avg_pool2d_backward<T>, batch_norm_statistics<T>, batch_norm_apply<T>,
                     batch_norm_backward<T>, layer_norm_forward<T>, layer_norm_backward<T>,
                     masked_softmax<T>, softmax_backward<T>, attention_forward<T>,
                     attention_backward<T>, cross_entropy_forward<T>, cross_entropy_backward<T>,
                     add_bias_rows<T>, column_sums<T>, lstm_cell_forward<T>, lstm_cell_backward<T>,
                     gru_cell_forward<T>, gru_cell_backward<T>, rnn_cell_forward<T>,
                     rnn_cell_backward<T>>();
  // The layers of issue 10 that needed a kernel of their own.
  register_stand_ins<max_unpool2d_forward<T>>();
}

// The op-table entry running now, for the fault handler's message.
const char* volatile g_running = "(no entry)";

void on_fault(int, siginfo_t* info, void*) {
  if (!GuardedMemory::instance().contains(info->si_addr)) {
    signal(SIGSEGV, SIG_DFL);
    return;  // a real crash: fault again with the default action
  }
  const char* parts[] = {"device seam: host code touched device memory outside a kernel, in op-table entry ",
                         g_running, "\n"};
  for (const char* part : parts)
    if (write(STDERR_FILENO, part, strlen(part)) < 0) break;
  _exit(3);
}

class StandInDevice : public ::testing::Environment {
 public:
  void SetUp() override {
    kernels::register_device_memory(kStandIn.kind, kGuardedMemory);
    namespace k = kernels;  // qualified: nabla has ops of the same names
    register_stand_ins<k::binary, k::unary, k::where, k::logical, k::copy, k::fill, k::sum, k::reduce_rows,
                       k::index_select, k::index_add, k::gather, k::scatter_add>();
    register_stand_ins<k::cumulative, k::sort_indices, k::flip>();  // tensor ops
    register_floating_kernels<float>();
    register_floating_kernels<double>();
    struct sigaction action {};
    action.sa_sigaction = on_fault;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &action, nullptr);
  }
};
const auto* const g_environment = ::testing::AddGlobalTestEnvironment(new StandInDevice);

// ---- the checks ------------------------------------------------------------------------------

std::vector<Tensor> on_device(const std::vector<Tensor>& inputs, Device device) {
  std::vector<Tensor> moved;
  for (const Tensor& x : inputs) {
    Tensor y = x.detach().to(device);
    if (x.requires_grad()) y.requires_grad_();
    moved.push_back(y);
  }
  return moved;
}

// The output, the first-order gradients, and where the op has them the second-order ones: the
// gradient of sum(grad_k * w_k) with fixed weights w_k.
std::vector<Tensor> first_and_second_order(const OpEntry& entry, const std::vector<Tensor>& inputs) {
  manual_seed(7);  // the same dropout draws on both devices
  std::vector<Tensor> results = output_and_gradients(entry.op, inputs);
  if (!entry.second_order) return results;
  std::vector<Tensor> wrt;
  for (const Tensor& x : inputs)
    if (x.requires_grad()) wrt.push_back(x);
  manual_seed(7);
  const Tensor out = entry.op(inputs);
  if (!out.requires_grad() || wrt.empty()) return results;
  GradOptions create;
  create.create_graph = true;
  create.allow_unused = true;
  const Tensor v = full_like(out, 0.75);
  const std::vector<Tensor> grads = grad({out}, wrt, {v}, create);
  Tensor total;
  for (size_t k = 0; k < grads.size(); ++k) {
    if (!grads[k].defined() || !grads[k].requires_grad()) continue;
    const Tensor term = sum(grads[k] * (0.1 * static_cast<double>(k + 1)));
    total = total.defined() ? total + term : term;
  }
  if (!total.defined()) return results;
  GradOptions unused;
  unused.allow_unused = true;
  for (const Tensor& g : grad({total}, wrt, {}, unused))
    if (g.defined()) results.push_back(g.detach());
  return results;
}

class DeviceSeam : public ::testing::TestWithParam<OpEntry> {};

TEST_P(DeviceSeam, OpRunsOnTheDeviceAndAgreesWithTheCpu) {
  const OpEntry& entry = GetParam();
  g_running = entry.name.c_str();
  const std::vector<Tensor> inputs = make_inputs(entry, DType::f64, Layout::contiguous);
  const std::vector<Tensor> expected = first_and_second_order(entry, inputs);
  const std::vector<Tensor> device_inputs = on_device(inputs, kStandIn);
  const int64_t calls_before = g_kernel_calls;
  const std::vector<Tensor> actual = first_and_second_order(entry, device_inputs);
  EXPECT_GT(g_kernel_calls - calls_before, 0) << "no kernel ran through the device's table";
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    const std::string what = i == 0 ? "the output" : "result " + std::to_string(i);
    EXPECT_EQ(actual[i].device(), kStandIn) << what << " left the device";
    // The same kernels on the same numbers: equal, not merely close.
    EXPECT_EQ(actual[i].to(kCPU).to_vector<double>(), expected[i].to_vector<double>()) << what;
  }
  g_running = "(no entry)";
}

INSTANTIATE_TEST_SUITE_P(OpTable, DeviceSeam, ::testing::ValuesIn(op_table()),
                         [](const ::testing::TestParamInfo<OpEntry>& info) {
                           std::string name = info.param.name;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

// The guard itself: host code that reads device memory is stopped and named.
TEST(DeviceSeamGuard, HostReadOfDeviceMemoryIsCaught) {
  const Tensor d = ones({4}).to(kStandIn);
  EXPECT_EXIT(
      {
        g_running = "the guard's own test";
        volatile float first = d.data<float>()[0];
        (void)first;
        _exit(0);
      },
      ::testing::ExitedWithCode(3), "host code touched device memory outside a kernel, in op-table entry the guard's own test");
}

// ---- moving tensors ----------------------------------------------------------------------------

TEST(DeviceTransfer, ToAndBackKeepsValuesAndGradientsFlowBack) {
  const Tensor x = tensor({{1, 2, 3}, {4, 5, 6}}).requires_grad_();
  const Tensor d = x.to(kStandIn);
  EXPECT_EQ(d.device(), kStandIn);
  EXPECT_TRUE(x.to(kCPU).is_same(x));  // already there: itself, as in PyTorch
  EXPECT_EQ(d.to_vector<float>(), x.to_vector<float>());
  EXPECT_DOUBLE_EQ(d.sum().item(), 21.0);
  EXPECT_NE(d.str().find("device=cuda:0"), std::string::npos) << d.str();
  // A strided view moves as its values, and the gradient comes back to the CPU.
  const Tensor loss = (x.T().to(kStandIn) * 2.0).sum();
  loss.backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().device(), kCPU);
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>(6, 2.0f));
}

TEST(DeviceTransfer, CreationAndCopyOnTheDevice) {
  EXPECT_EQ(zeros({2, 3}, DType::f32, kStandIn).to_vector<float>(), std::vector<float>(6, 0.0f));
  EXPECT_EQ(full({4}, 2.5, DType::f64, kStandIn).to_vector<double>(), std::vector<double>(4, 2.5));
  const Tensor on_device = ones({3}, DType::f32, kStandIn);
  EXPECT_EQ(zeros_like(on_device).device(), kStandIn);
  // copy_ alone may cross devices.
  copy_(on_device, tensor({7, 8, 9}));
  EXPECT_EQ(on_device.to_vector<float>(), (std::vector<float>{7, 8, 9}));
}

TEST(DeviceTransfer, MixingDevicesInOneOpIsAnErrorNamingTheOp) {
  const Tensor a = ones({2, 2}), b = ones({2, 2}).to(kStandIn);
  try {
    (void)matmul(a, b);
    FAIL() << "mixed devices were accepted";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "matmul: expected all tensors on one device, found cpu and cuda:0");
  }
  EXPECT_THROW((void)(a + b), Error);
  EXPECT_THROW((void)functional::cross_entropy(b, from_vector(std::vector<int64_t>{0, 1})), Error);
}

}  // namespace
}  // namespace nabla::test_support
