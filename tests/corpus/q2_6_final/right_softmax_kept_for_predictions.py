"""An nn.Softmax registered for predictions, but forward returns the logits; LayerNorm and SiLU."""


class FinalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Flatten(), nn.Linear(784, 384), nn.LayerNorm(384), nn.SiLU(), nn.Linear(384, 10))
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.body(x)

    def predict(self, x):
        return self.softmax(self.forward(x))


def build_final_model(device):
    model = FinalNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, optimizer, None, 10
