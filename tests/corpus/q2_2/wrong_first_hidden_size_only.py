# hint: parameters|layers
"""Uses hidden_sizes[0] for every hidden layer."""


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        width = hidden_sizes[0]
        self.layers = nn.ModuleList([nn.Linear(input_size, width), nn.ReLU()])
        for _ in hidden_sizes[1:]:
            self.layers.extend([nn.Linear(width, width), nn.ReLU()])
        self.layers.append(nn.Linear(width, output_size))

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers:
            x = layer(x)
        return x
