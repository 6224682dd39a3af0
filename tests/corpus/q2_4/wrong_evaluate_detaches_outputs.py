# hint: no_grad
"""Detaches each output after the forward pass: the graph was recorded all the same."""


def evaluate(model, loader, criterion, device):
    model.eval()
    total_loss, correct, count = 0.0, 0, 0
    for inputs, labels in loader:
        inputs, labels = inputs.to(device), labels.to(device)
        outputs = model(inputs).detach()
        total_loss += criterion(outputs, labels).item() * len(labels)
        correct += (outputs.argmax(dim=1) == labels).sum().item()
        count += len(labels)
    return total_loss / count, correct / count
