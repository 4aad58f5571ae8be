#include "nabla/models/cnn_models.h"

#include <functional>

#include "nabla/models/cnn_blocks.h"
#include "nabla/error.h"
#include "nabla/nn/init.h"
#include "nabla/nn/pooling.h"

namespace nabla::models {

namespace {

template <class M, class... Args>
std::shared_ptr<M> make(Args&&... args) {
  return std::make_shared<M>(std::forward<Args>(args)...);
}

// Calls `visit` on the module and every descendant.
void for_each_module(nn::Module& module, const std::function<void(nn::Module&)>& visit) {
  visit(module);
  for (const auto& [name, child] : module.named_children()) for_each_module(*child, visit);
}

// He initialisation of every convolution and linear weight for ReLU networks (normal, std
// sqrt(2 / fan)), biases zero. fan_in keeps the forward signal's variance (the course's choice),
// fan_out the backward gradient's (torchvision's for ResNet and VGG convolutions).
void he_init(nn::Module& model, nn::init::FanMode mode, bool linear_too) {
  for_each_module(model, [&](nn::Module& m) {
    Tensor weight, bias;
    if (auto* conv = dynamic_cast<nn::Conv2d*>(&m)) {
      weight = conv->weight, bias = conv->bias;
    } else if (auto* linear = dynamic_cast<nn::Linear*>(&m); linear && linear_too) {
      weight = linear->weight, bias = linear->bias;
    } else {
      return;
    }
    nn::init::kaiming_normal_(weight, 0.0, mode, "relu");
    if (bias.defined()) nn::init::zeros_(bias);
  });
}

}  // namespace

nn::ModulePtr simple_cnn(int64_t classes) {
  // 28 -> conv 5x5 -> 24 -> pool -> 12: 30 x 12 x 12 = 4320 features.
  return make<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      make<nn::Conv2d>(1, 30, 5), make<nn::ReLU>(), make<nn::MaxPool2d>(2), make<nn::Flatten>(),
      make<nn::Linear>(30 * 12 * 12, 100), make<nn::ReLU>(), make<nn::Linear>(100, classes)});
}

nn::ModulePtr lenet5(int64_t classes) {
  // 28 -> pad 2, conv 5x5 -> 28 -> pool -> 14 -> conv 5x5 -> 10 -> pool -> 5.
  return make<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      make<nn::Conv2d>(1, 6, 5, 1, 2), make<nn::ReLU>(), make<nn::MaxPool2d>(2),
      make<nn::Conv2d>(6, 16, 5), make<nn::ReLU>(), make<nn::MaxPool2d>(2), make<nn::Flatten>(),
      make<nn::Linear>(16 * 5 * 5, 120), make<nn::ReLU>(), make<nn::Linear>(120, 84), make<nn::ReLU>(),
      make<nn::Linear>(84, classes)});
}

nn::ModulePtr alexnet(int64_t classes) {
  // 28 -> pool 3/2 -> 13 -> pool 3/2 -> 6 -> pool 3/2 -> 2. LRN with the paper's constants.
  auto lrn = [] { return make<nn::LocalResponseNorm>(5, 1e-4, 0.75, 2.0); };
  auto features = make<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      make<nn::Conv2d>(1, 24, 5, 1, 2), make<nn::ReLU>(), lrn(), make<nn::MaxPool2d>(3, 2),
      make<nn::Conv2d>(24, 64, 5, 1, 2), make<nn::ReLU>(), lrn(), make<nn::MaxPool2d>(3, 2),
      make<nn::Conv2d>(64, 96, 3, 1, 1), make<nn::ReLU>(), make<nn::Conv2d>(96, 96, 3, 1, 1), make<nn::ReLU>(),
      make<nn::Conv2d>(96, 64, 3, 1, 1), make<nn::ReLU>(), make<nn::MaxPool2d>(3, 2)});
  auto classifier = make<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      make<nn::Dropout>(0.5), make<nn::Linear>(64 * 2 * 2, 512), make<nn::ReLU>(), make<nn::Dropout>(0.5),
      make<nn::Linear>(512, 512), make<nn::ReLU>(), make<nn::Linear>(512, classes)});
  auto model = make<nn::Sequential>();
  model->push_back("features", features);
  model->push_back("flatten", make<nn::Flatten>());
  model->push_back("classifier", classifier);
  return model;
}

nn::ModulePtr vgg(int64_t classes) {
  // Each stage's convolution widths; a 2x2 max pool follows each stage: 28 -> 14 -> 7.
  const std::vector<std::vector<int64_t>> stages{{32, 32}, {64, 64}};
  const int64_t hidden = 256;
  auto features = make<nn::Sequential>();
  int64_t channels = 1, side = 28;
  for (const auto& stage : stages) {
    for (int64_t width : stage) {  // one flat list, as torchvision's vgg*_bn: features.0, .1, ...
      features->push_back(make<nn::Conv2d>(channels, width, 3, 1, 1, 1, 1, /*bias=*/false));
      features->push_back(make<nn::BatchNorm2d>(width));
      features->push_back(make<nn::ReLU>());
      channels = width;
    }
    features->push_back(make<nn::MaxPool2d>(2));
    side /= 2;
  }
  auto classifier = make<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      make<nn::Linear>(channels * side * side, hidden), make<nn::ReLU>(), make<nn::Dropout>(0.5),
      make<nn::Linear>(hidden, classes)});
  auto model = make<nn::Sequential>();
  model->push_back("features", features);
  model->push_back("flatten", make<nn::Flatten>());
  model->push_back("classifier", classifier);
  he_init(*features, nn::init::FanMode::fan_out, /*linear_too=*/false);
  return model;
}

nn::ModulePtr resnet(int64_t classes) {
  const std::vector<int64_t> widths{16, 32, 64};
  const int64_t blocks_per_stage = 1;
  auto model = make<nn::Sequential>();
  model->push_back("conv1", make<nn::Conv2d>(1, widths[0], 3, 1, 1, 1, 1, /*bias=*/false));
  model->push_back("bn1", make<nn::BatchNorm2d>(widths[0]));
  model->push_back("relu", make<nn::ReLU>());
  int64_t channels = widths[0];
  for (size_t stage = 0; stage < widths.size(); ++stage) {
    auto layer = make<nn::Sequential>();
    for (int64_t b = 0; b < blocks_per_stage; ++b) {
      const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;  // halve the image entering stages 2, 3
      layer->push_back(make<BasicBlock>(channels, widths[stage], stride));
      channels = widths[stage];
    }
    model->push_back("layer" + std::to_string(stage + 1), layer);
  }
  model->push_back("avgpool", make<nn::AdaptiveAvgPool2d>(1));
  model->push_back("flatten", make<nn::Flatten>());
  model->push_back("fc", make<nn::Linear>(channels, classes));
  he_init(*model, nn::init::FanMode::fan_out, /*linear_too=*/false);
  return model;
}

nn::ModulePtr inception(int64_t classes) {
  auto model = make<nn::Sequential>();
  model->push_back("stem", conv_bn_relu(1, 32, 3));
  model->push_back("pool1", make<nn::MaxPool2d>(2));  // 28 -> 14
  auto a3 = make<InceptionBlock>(32, InceptionWidths{16, 24, 32, 4, 8, 8});
  model->push_back("inception3a", a3);
  auto b3 = make<InceptionBlock>(a3->out_channels(), InceptionWidths{32, 32, 48, 8, 24, 16});
  model->push_back("inception3b", b3);
  model->push_back("pool2", make<nn::MaxPool2d>(2));  // 14 -> 7
  auto a4 = make<InceptionBlock>(b3->out_channels(), InceptionWidths{48, 24, 52, 4, 12, 16});
  model->push_back("inception4a", a4);
  model->push_back("avgpool", make<nn::AdaptiveAvgPool2d>(1));
  model->push_back("flatten", make<nn::Flatten>());
  model->push_back("dropout", make<nn::Dropout>(0.4));
  model->push_back("fc", make<nn::Linear>(a4->out_channels(), classes));
  he_init(*model, nn::init::FanMode::fan_out, /*linear_too=*/false);
  return model;
}

nn::ModulePtr deep_cnn(int64_t classes) {
  // 28 -> 28 -> pool 14 -> the fourth convolution pads by 2: 16 -> pool 8 -> pool 4.
  auto model = make<nn::Sequential>(std::initializer_list<nn::ModulePtr>{
      make<nn::Conv2d>(1, 16, 3, 1, 1), make<nn::ReLU>(), make<nn::Conv2d>(16, 16, 3, 1, 1), make<nn::ReLU>(),
      make<nn::MaxPool2d>(2),
      make<nn::Conv2d>(16, 32, 3, 1, 1), make<nn::ReLU>(), make<nn::Conv2d>(32, 32, 3, 1, 2), make<nn::ReLU>(),
      make<nn::MaxPool2d>(2),
      make<nn::Conv2d>(32, 64, 3, 1, 1), make<nn::ReLU>(), make<nn::Conv2d>(64, 64, 3, 1, 1), make<nn::ReLU>(),
      make<nn::MaxPool2d>(2), make<nn::Flatten>(),
      make<nn::Linear>(64 * 4 * 4, 50), make<nn::ReLU>(), make<nn::Dropout>(0.5),
      make<nn::Linear>(50, classes), make<nn::Dropout>(0.5)});
  he_init(*model, nn::init::FanMode::fan_in, /*linear_too=*/true);
  return model;
}

std::vector<std::string> cnn_model_names() {
  return {"simplecnn", "lenet5", "alexnet", "vgg", "resnet", "inception", "deepcnn"};
}

nn::ModulePtr make_cnn(const std::string& name, int64_t classes) {
  if (name == "simplecnn") return simple_cnn(classes);
  if (name == "lenet5") return lenet5(classes);
  if (name == "alexnet") return alexnet(classes);
  if (name == "vgg") return vgg(classes);
  if (name == "resnet") return resnet(classes);
  if (name == "inception") return inception(classes);
  if (name == "deepcnn") return deep_cnn(classes);
  throw Error("unknown convolutional model '" + name + "'");
}

}  // namespace nabla::models
