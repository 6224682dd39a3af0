"""register_parameter and full()."""


class ScaledLinear(nn.Module):
    """A linear layer, then a learned per-output scale, initialised to ones."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.register_parameter("scale", nn.Parameter(torch.full((n_out,), 1.0)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) * self.scale
