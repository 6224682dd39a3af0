"""Calls the criterion a second time for the running loss (wasteful, but the same numbers)."""


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total, correct, count = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        criterion(outputs, labels).backward()
        optimizer.step()
        with torch.no_grad():
            total += criterion(outputs, labels).item() * labels.size(0)
        correct += (outputs.argmax(1) == labels).sum().item()
        count += labels.size(0)
    return total / count, correct / count
