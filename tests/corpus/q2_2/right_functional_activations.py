"""Linear and BatchNorm1d layers in two nn.ModuleLists; ReLU and dropout as functions in forward."""


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        sizes = [input_size, *hidden_sizes, output_size]
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.norms = nn.ModuleList(nn.BatchNorm1d(size) for size in hidden_sizes) if batch_norm else None
        self.dropout = dropout

    def forward(self, x):
        x = x.reshape(x.shape[0], -1)
        for index, linear in enumerate(self.linears[:-1]):
            x = linear(x)
            if self.norms is not None:
                x = self.norms[index](x)
            x = F.relu(x)
            x = F.dropout(x, p=self.dropout, training=self.training)
        return self.linears[-1](x)


def make_sequential(input_size, hidden_sizes, output_size):
    sizes = [input_size, *hidden_sizes]
    hidden = [module for a, b in zip(sizes[:-1], sizes[1:]) for module in (nn.Linear(a, b), nn.ReLU())]
    return nn.Sequential(nn.Flatten(), *hidden, nn.Linear(sizes[-1], output_size))
