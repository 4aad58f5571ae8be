"""The command line's CNN zoo (apps/nabla/cnn_models.cpp) rebuilt in PyTorch, layer for layer.

Writes tests/data/models/cnn_zoo.json: per model, the state_dict's names and shapes, the parameter
count and the forward FLOPs per sample (2 x multiply-adds of Conv2d and Linear layers, counted with
forward hooks the way nn::summary counts them). tests/apps/test_cnn_zoo.cpp checks nabla's models
against it, so a state_dict saved by `nabla train --model NAME` loads into these modules.

    /usr/bin/python3 tests/apps/make_cnn_zoo_fixture.py      # Debian's python3-torch (1.13)
"""
import json
import os
from collections import OrderedDict

import torch
from torch import nn


def conv_bn_relu(cin, cout, k, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + (self.downsample(x) if self.downsample is not None else x))


class Inception(nn.Module):
    def __init__(self, cin, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj):
        super().__init__()
        self.branch1 = conv_bn_relu(cin, ch1x1, 1)
        self.branch2 = nn.Sequential(conv_bn_relu(cin, ch3x3red, 1), conv_bn_relu(ch3x3red, ch3x3, 3))
        self.branch3 = nn.Sequential(conv_bn_relu(cin, ch5x5red, 1), conv_bn_relu(ch5x5red, ch5x5, 3))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), conv_bn_relu(cin, pool_proj, 1))
        self.out_channels = ch1x1 + ch3x3 + ch5x5 + pool_proj

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


def simplecnn():
    return nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4320, 100), nn.ReLU(), nn.Linear(100, 10))


def lenet5():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def alexnet():
    lrn = lambda: nn.LocalResponseNorm(5, 1e-4, 0.75, 2.0)
    features = nn.Sequential(
        nn.Conv2d(1, 24, 5, 1, 2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(24, 64, 5, 1, 2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 96, 3, 1, 1), nn.ReLU(), nn.Conv2d(96, 96, 3, 1, 1), nn.ReLU(),
        nn.Conv2d(96, 64, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2))
    classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(256, 512), nn.ReLU(), nn.Dropout(0.5),
                               nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    return nn.Sequential(OrderedDict(features=features, flatten=nn.Flatten(), classifier=classifier))


def vgg(stages=((32, 32), (64, 64)), hidden=256):
    layers, channels, side = [], 1, 28
    for stage in stages:
        for width in stage:
            layers += [nn.Conv2d(channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
            channels = width
        layers.append(nn.MaxPool2d(2))
        side //= 2
    classifier = nn.Sequential(nn.Linear(channels * side * side, hidden), nn.ReLU(), nn.Dropout(0.5),
                               nn.Linear(hidden, 10))
    return nn.Sequential(OrderedDict(features=nn.Sequential(*layers), flatten=nn.Flatten(), classifier=classifier))


def resnet(widths=(16, 32, 64), blocks=1):
    parts = OrderedDict(conv1=nn.Conv2d(1, widths[0], 3, 1, 1, bias=False), bn1=nn.BatchNorm2d(widths[0]),
                        relu=nn.ReLU())
    channels = widths[0]
    for stage, width in enumerate(widths):
        layer = []
        for b in range(blocks):
            layer.append(BasicBlock(channels, width, 2 if stage > 0 and b == 0 else 1))
            channels = width
        parts[f"layer{stage + 1}"] = nn.Sequential(*layer)
    parts.update(avgpool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(), fc=nn.Linear(channels, 10))
    return nn.Sequential(parts)


def inception():
    a3 = Inception(32, 16, 24, 32, 4, 8, 8)
    b3 = Inception(a3.out_channels, 32, 32, 48, 8, 24, 16)
    a4 = Inception(b3.out_channels, 48, 24, 52, 4, 12, 16)
    return nn.Sequential(OrderedDict(
        stem=conv_bn_relu(1, 32, 3), pool1=nn.MaxPool2d(2), inception3a=a3, inception3b=b3, pool2=nn.MaxPool2d(2),
        inception4a=a4, avgpool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten(), dropout=nn.Dropout(0.4),
        fc=nn.Linear(a4.out_channels, 10)))


def deepcnn():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, 1, 1), nn.ReLU(), nn.Conv2d(16, 16, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.Conv2d(32, 32, 3, 1, 2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(), nn.Conv2d(64, 64, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1024, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10), nn.Dropout(0.5))


def flops_per_sample(model, x):
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            total[0] += 2 * output.numel() * (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, nn.Linear):
            total[0] += 2 * output.numel() * module.in_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        out = model(x)
    for h in handles:
        h.remove()
    return total[0] // x.shape[0], list(out.shape)


def main():
    models = dict(simplecnn=simplecnn, lenet5=lenet5, alexnet=alexnet, vgg=vgg, resnet=resnet,
                  inception=inception, deepcnn=deepcnn)
    fixture = {}
    for name, build in models.items():
        model = build()
        flops, out_shape = flops_per_sample(model, torch.zeros(2, 1, 28, 28))
        assert out_shape == [2, 10], (name, out_shape)
        fixture[name] = {
            "params": sum(p.numel() for p in model.parameters()),
            "flops_per_sample": flops,
            "state_dict": [[k, list(v.shape)] for k, v in model.state_dict().items()],
        }
        print(f"{name:10s} params {fixture[name]['params']:>9,d}  MFLOP/sample {flops / 1e6:8.3f}")
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "apps", "cnn_zoo.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:  # one state_dict entry per line, so a diff shows what changed
        f.write('{"torch_version": %s, "models": {\n' % json.dumps(torch.__version__))
        for i, (name, entry) in enumerate(fixture.items()):
            f.write(' %s: {"params": %d, "flops_per_sample": %d, "state_dict": [\n' %
                    (json.dumps(name), entry["params"], entry["flops_per_sample"]))
            f.write(",\n".join("  " + json.dumps(item) for item in entry["state_dict"]))
            f.write("]}%s\n" % ("," if i + 1 < len(fixture) else ""))
        f.write("}}\n")


if __name__ == "__main__":
    main()
