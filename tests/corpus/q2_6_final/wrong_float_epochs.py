# hint: epochs
"""epochs must be a whole number."""


def build_final_model(device):
    model = MLP(784, [256], 10, dropout=0.2).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    return model, optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10), 10.0
