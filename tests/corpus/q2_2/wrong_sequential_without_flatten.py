# hint: Flatten
"""nn.Sequential without nn.Flatten() in front."""


def make_sequential(input_size, hidden_sizes, output_size):
    sizes = [input_size, *hidden_sizes, output_size]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)
