# hint: differs
"""A ReLU after the last nn.Linear too."""


def make_sequential(input_size, hidden_sizes, output_size):
    sizes = [input_size, *hidden_sizes, output_size]
    layers = [nn.Flatten()]
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers)
