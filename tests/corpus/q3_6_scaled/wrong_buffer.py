# hint: nn.Parameter|buffer
"""A buffer is saved but never trained."""


class ScaledLinear(nn.Module):
    """A linear layer, then a learned per-output scale, initialised to ones."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.register_buffer("scale", torch.ones(n_out))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) * self.scale
