"""One nn.Sequential block per hidden layer, inside an nn.ModuleList; the same network with named layers."""

from collections import OrderedDict


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        self.blocks = nn.ModuleList()
        previous = input_size
        for size in hidden_sizes:
            block = [nn.Linear(previous, size)]
            if batch_norm:
                block.append(nn.BatchNorm1d(size))
            block.append(nn.ReLU())
            if dropout > 0:
                block.append(nn.Dropout(dropout))
            self.blocks.append(nn.Sequential(*block))
            previous = size
        self.blocks.append(nn.Linear(previous, output_size))

    def forward(self, x):
        x = torch.flatten(x, start_dim=1)
        for block in self.blocks:
            x = block(x)
        return x


def make_sequential(input_size, hidden_sizes, output_size):
    layers = OrderedDict(flatten=nn.Flatten())
    previous = input_size
    for index, size in enumerate(hidden_sizes):
        layers[f"linear{index}"] = nn.Linear(previous, size)
        layers[f"relu{index}"] = nn.ReLU()
        previous = size
    layers["output"] = nn.Linear(previous, output_size)
    return nn.Sequential(layers)
