# hint: return \(model, optimizer, scheduler, epochs\)
"""Forgets the epochs."""


def build_final_model(device):
    model = MLP(784, [256], 10, dropout=0.2).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    return model, optimizer, torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=10)
