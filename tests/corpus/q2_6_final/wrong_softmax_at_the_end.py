# hint: returns probabilities \(it ends in nn.Softmax\).*raw logits
"""nn.Softmax as the last layer, then CrossEntropyLoss in the notebook."""


def build_final_model(device):
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10), nn.Softmax(dim=1)).to(
        device
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    return model, optimizer, None, 12
