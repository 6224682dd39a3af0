# hint: scheduler
"""The scheduler wraps an optimizer that is not returned."""


def build_final_model(device):
    model = MLP(784, [256], 10, dropout=0.2).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    other = torch.optim.AdamW(model.parameters(), lr=1e-3)
    return model, optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(other, T_max=10), 10
