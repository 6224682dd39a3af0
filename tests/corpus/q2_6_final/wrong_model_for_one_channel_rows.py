# hint: raised|\(2, 10\)
"""Built for 28 inputs (one row of pixels) instead of 784."""


def build_final_model(device):
    model = MLP(28, [256], 10).to(device)
    return model, torch.optim.Adam(model.parameters()), None, 10
