"""Accumulates detached tensors on the device and converts once at the end; enumerate over the loader."""


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total = torch.zeros((), device=device)
    correct = torch.zeros((), dtype=torch.long, device=device)
    samples = 0
    for step, (images, targets) in enumerate(loader):
        images, targets = images.to(device), targets.to(device)
        optimizer.zero_grad()
        predictions = model(images)
        loss = criterion(predictions, targets)
        loss.backward()
        optimizer.step()
        total += loss.detach() * targets.shape[0]
        correct += (predictions.argmax(dim=1) == targets).sum()
        samples += targets.shape[0]
    return total.item() / samples, correct.item() / samples


@torch.no_grad()
def evaluate(model, loader, criterion, device):
    model.eval()
    losses, right, samples = [], 0, 0
    for images, targets in loader:
        images, targets = images.to(device), targets.to(device)
        predictions = model(images)
        losses.append(criterion(predictions, targets).item() * targets.shape[0])
        right += (predictions.argmax(dim=1) == targets).sum().item()
        samples += targets.shape[0]
    return sum(losses) / samples, right / samples
