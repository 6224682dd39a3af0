"""Dropout before the ReLU (the two commute); nn.Flatten inside the ModuleList."""


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        self.layers = nn.ModuleList([nn.Flatten()])
        in_features = input_size
        for out_features in hidden_sizes:
            self.layers.append(nn.Linear(in_features, out_features))
            if batch_norm:
                self.layers.append(nn.BatchNorm1d(out_features))
            if dropout > 0:
                self.layers.append(nn.Dropout(p=dropout))
            self.layers.append(nn.ReLU())
            in_features = out_features
        self.layers.append(nn.Linear(in_features, output_size))

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x
