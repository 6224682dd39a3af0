# hint: BatchNorm1d
"""batch_norm is accepted and ignored."""


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        sizes = [input_size, *hidden_sizes, output_size]
        self.layers = nn.ModuleList()
        for i in range(len(sizes) - 1):
            self.layers.append(nn.Linear(sizes[i], sizes[i + 1]))
            if i < len(sizes) - 2:
                self.layers.append(nn.ReLU())
                if dropout > 0:
                    self.layers.append(nn.Dropout(dropout))

    def forward(self, x):
        x = x.reshape(len(x), -1)
        for layer in self.layers:
            x = layer(x)
        return x
