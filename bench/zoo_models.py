"""The zoo models of bench/zoo_compare.sh built in PyTorch exactly as nabla builds their
small-input variants (docs/models.md): torchvision's models with the same stem changes, and the
CIFAR ResNet and DenseNet-BC, which torchvision lacks, written out. build(name, in_channels,
num_classes) returns the model for (C, 28, 28) or (C, 32, 32) inputs."""
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class PadShortcut(nn.Module):
    """Option-A shortcut of the CIFAR ResNet: subsample by 2, zero-pad the new channels."""

    def __init__(self, cin, cout):
        super().__init__()
        self.extra = cout - cin

    def forward(self, x):
        x = x[:, :, ::2, ::2]
        return F.pad(x, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))


class CifarBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = PadShortcut(cin, cout) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class CifarResNet(nn.Module):
    """nabla's models::CifarResNet (depth 6n + 2, option-A shortcuts) with its state_dict keys."""

    def __init__(self, depth, in_channels=3, num_classes=10):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        cin = 16
        for i, (cout, stride) in enumerate(((16, 1), (32, 2), (64, 2))):
            blocks = []
            for b in range(n):
                blocks.append(CifarBlock(cin, cout, stride if b == 0 else 1))
                cin = cout
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.layer3(self.layer2(self.layer1(h)))
        return self.fc(h.mean((2, 3)))


def resnet18_small(in_channels, num_classes):
    m = torchvision.models.resnet18(num_classes=num_classes)
    m.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
    m.maxpool = nn.Identity()
    return m


def mobilenet_v2_small(in_channels, num_classes):
    m = torchvision.models.mobilenet_v2(num_classes=num_classes)
    m.features[0][0] = nn.Conv2d(in_channels, 32, 3, 1, 1, bias=False)  # stem stride 1
    for block in m.features[1:]:  # the first strided inverted residual keeps stride 1
        convs = [c for c in block.modules() if isinstance(c, nn.Conv2d) and c.stride == (2, 2)]
        if convs:
            convs[0].stride = (1, 1)
            break
    return m


def densenet_bc(in_channels, num_classes, growth_rate=12, depth=100):
    n = (depth - 4) // 6
    m = torchvision.models.DenseNet(growth_rate=growth_rate, block_config=(n, n, n), num_init_features=2 * growth_rate,
                                    bn_size=4, num_classes=num_classes)
    m.features.conv0 = nn.Conv2d(in_channels, 2 * growth_rate, 3, 1, 1, bias=False)
    del m.features.norm0, m.features.relu0, m.features.pool0
    # torchvision's DenseNet ends with norm5 and its forward applies ReLU + global pooling.
    return m


def vgg11_small(in_channels, num_classes):
    m = torchvision.models.vgg11(num_classes=num_classes)
    m.features[0] = nn.Conv2d(in_channels, 64, 3, 1, 1)
    m.features = m.features[:-1]  # the last max-pool
    m.avgpool = nn.AdaptiveAvgPool2d(1)
    m.classifier = nn.Sequential(nn.Linear(512, 512), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(512, 512),
                                 nn.ReLU(True), nn.Dropout(0.5), nn.Linear(512, num_classes))
    return m


def vit_small(in_channels, num_classes, image_size=28):
    m = torchvision.models.VisionTransformer(image_size=image_size, patch_size=4, num_layers=6, num_heads=4,
                                             hidden_dim=128, mlp_dim=256, num_classes=num_classes)
    m.conv_proj = nn.Conv2d(in_channels, 128, 4, 4)
    return m


BUILDERS = {
    "resnet20": lambda c, k: CifarResNet(20, c, k),
    "resnet56": lambda c, k: CifarResNet(56, c, k),
    "resnet18": resnet18_small,
    "mobilenet_v2": mobilenet_v2_small,
    "densenet_bc": densenet_bc,
    "vgg11": vgg11_small,
    "vit_small": vit_small,
}


def build(name, in_channels, num_classes):
    if name not in BUILDERS:
        raise SystemExit(f"pytorch_zoo: no PyTorch twin for {name} (known: {', '.join(sorted(BUILDERS))})")
    return BUILDERS[name](in_channels, num_classes)
