# hint: epochs
"""No training at all."""


def build_final_model(device):
    model = MLP(784, [256], 10).to(device)
    return model, torch.optim.Adam(model.parameters()), None, 0
