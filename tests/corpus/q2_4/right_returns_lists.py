"""Both loops return [loss, accuracy] lists; sums as tensors converted at the end."""


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total, correct, count = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * labels.size(0)
        correct += (outputs.argmax(dim=1) == labels).sum().item()
        count += labels.size(0)
    return [total / count, correct / count]


def evaluate(model, loader, criterion, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            total += criterion(outputs, labels).item() * labels.size(0)
            correct += (outputs.argmax(dim=1) == labels).sum().item()
            count += labels.size(0)
    return [total / count, correct / count]
