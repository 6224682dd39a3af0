# hint: returns probabilities
"""An MLP of its own whose forward ends in F.softmax."""


class FinalNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 256)
        self.out = nn.Linear(256, 10)

    def forward(self, x):
        return F.softmax(self.out(torch.relu(self.hidden(x.flatten(1)))), dim=1)


def build_final_model(device):
    model = FinalNet().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, optimizer, None, 10
