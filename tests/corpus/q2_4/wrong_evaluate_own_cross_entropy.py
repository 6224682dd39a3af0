# hint: never called `criterion`
"""Sums F.cross_entropy itself instead of using the criterion it is given."""


def evaluate(model, loader, criterion, device):
    model.eval()
    total, correct, count = 0.0, 0, 0
    with torch.no_grad():
        for inputs, labels in loader:
            inputs, labels = inputs.to(device), labels.to(device)
            outputs = model(inputs)
            total += F.cross_entropy(outputs, labels, reduction="sum").item()
            correct += (outputs.argmax(1) == labels).sum().item()
            count += len(labels)
    return total / count, correct / count
