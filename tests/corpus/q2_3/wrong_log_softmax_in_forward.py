# hint: log-probabilities
"""A log_softmax at the end of forward (as with NLLLoss): CrossEntropyLoss then applies a second one."""


class MLP(nn.Module):
    def __init__(self, input_size, hidden_sizes, output_size, dropout=0.0, batch_norm=False):
        super().__init__()
        sizes = [input_size, *hidden_sizes, output_size]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))

    def forward(self, x):
        x = x.flatten(1)
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return F.log_softmax(self.layers[-1](x), dim=1)
