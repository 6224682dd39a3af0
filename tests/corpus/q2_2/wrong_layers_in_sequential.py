# hint: nn.ModuleList
"""The layers in an nn.Sequential built in the loop: it works, but the statement asks for an nn.ModuleList."""


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        sizes = [input_size, *hidden_sizes, output_size]
        layers = []
        for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                if batch_norm:
                    layers.append(nn.BatchNorm1d(b))
                layers.append(nn.ReLU())
                if dropout > 0:
                    layers.append(nn.Dropout(dropout))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x.flatten(1))
