# hint: one step per batch
"""optimizer.step() once, after the loop."""


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    total_loss, correct, count = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        total_loss += loss.item() * len(labels)
        correct += (outputs.argmax(dim=1) == labels).sum().item()
        count += len(labels)
    optimizer.step()
    return total_loss / count, correct / count
