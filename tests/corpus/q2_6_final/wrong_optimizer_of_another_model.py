# hint: model's parameters
"""The optimizer is built for a second model."""


def build_final_model(device):
    model = MLP(784, [256], 10, dropout=0.2).to(device)
    optimizer = torch.optim.AdamW(MLP(784, [256], 10).parameters(), lr=1e-3)
    return model, optimizer, None, 10
