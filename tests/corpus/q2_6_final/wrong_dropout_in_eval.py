# hint: dropout still runs
"""F.dropout without training=self.training: dropout stays on in eval mode, also on the test set."""


class FinalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 512)
        self.out = nn.Linear(512, 10)

    def forward(self, x):
        return self.out(F.dropout(torch.relu(self.hidden(x.flatten(1))), p=0.3))


def build_final_model(device):
    model = FinalNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, optimizer, None, 15
