# hint: nn.Parameter
"""A plain tensor that requires grad is still no parameter."""


class ScaledLinear(nn.Module):
    """A linear layer, then a learned per-output scale, initialised to ones."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.scale = torch.ones(n_out, requires_grad=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x) * self.scale
