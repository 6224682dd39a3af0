# hint: Conv1d.*no convolutions
"""A 1-D convolution over the image rows: still a convolution."""


class RowConv(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(28, 32, 3, padding=1)
        self.out = nn.Linear(32 * 28, 10)

    def forward(self, x):
        return self.out(torch.relu(self.conv(x.squeeze(1))).flatten(1))


def build_final_model(device):
    model = RowConv().to(device)
    return model, torch.optim.Adam(model.parameters()), None, 8
