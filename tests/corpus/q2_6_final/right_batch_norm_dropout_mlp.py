"""The notebook's MLP with batch norm and dropout, AdamW and ReduceLROnPlateau."""


def build_final_model(device):
    model = MLP(784, [512, 256], 10, dropout=0.2, batch_norm=True).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
    return model, optimizer, scheduler, 14
