# hint: None
"""'none' returns a scheduler that never changes the rate."""


def make_scheduler(optimizer, name, epochs):
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=max(1, epochs // 2), gamma=0.1)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.1, patience=2)
    return torch.optim.lr_scheduler.ConstantLR(optimizer, factor=1.0)
