# hint: differs
"""A softmax at the end of the nn.Sequential."""


def make_sequential(input_size, hidden_sizes, output_size):
    sizes = [input_size, *hidden_sizes, output_size]
    layers = [nn.Flatten()]
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    layers.append(nn.Softmax(dim=1))
    return nn.Sequential(*layers)
