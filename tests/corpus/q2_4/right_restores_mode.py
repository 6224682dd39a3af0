"""evaluate puts the model's mode back and uses inference_mode; training zeroes the gradients last."""


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    optimizer.zero_grad()
    loss_sum, hits, seen = 0.0, 0, 0
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        out = model(x)
        loss = criterion(out, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        loss_sum += float(loss) * y.numel()
        hits += int((out.argmax(dim=-1) == y).sum())
        seen += y.numel()
    return loss_sum / seen, hits / seen


def evaluate(model, loader, criterion, device):
    was_training = model.training
    model.eval()
    loss_sum, hits, seen = 0.0, 0, 0
    with torch.inference_mode():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            out = model(x)
            loss_sum += criterion(out, y).item() * len(y)
            hits += (out.argmax(dim=1) == y).sum().item()
            seen += len(y)
    model.train(was_training)
    return loss_sum / seen, hits / seen
