# hint: nothing after it|no activation
"""A ReLU after every layer, the last one included: the logits can no longer be negative."""


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        sizes = [input_size, *hidden_sizes, output_size]
        self.layers = nn.ModuleList()
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            self.layers.append(nn.Linear(n_in, n_out))
            if batch_norm and n_out != output_size:
                self.layers.append(nn.BatchNorm1d(n_out))
            self.layers.append(nn.ReLU())
            if dropout > 0 and n_out != output_size:
                self.layers.append(nn.Dropout(dropout))

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers:
            x = layer(x)
        return x
