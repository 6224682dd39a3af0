"""len(loader.dataset) for the number of samples; inputs.size(0); eq()."""


def train_one_epoch(model, loader, criterion, optimizer, device):
    model.train()
    running_loss, running_correct = 0.0, 0
    for batch_inputs, batch_labels in loader:
        batch_inputs = batch_inputs.to(device)
        batch_labels = batch_labels.to(device)
        optimizer.zero_grad(set_to_none=True)
        logits = model(batch_inputs)
        loss = criterion(logits, batch_labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item() * batch_inputs.size(0)
        running_correct += logits.argmax(1).eq(batch_labels).sum().item()
    n = len(loader.dataset)
    return running_loss / n, running_correct / n


def evaluate(model, loader, criterion, device):
    model.eval()
    running_loss, running_correct = 0.0, 0
    with torch.no_grad():
        for batch_inputs, batch_labels in loader:
            batch_inputs, batch_labels = batch_inputs.to(device), batch_labels.to(device)
            logits = model(batch_inputs)
            running_loss += criterion(logits, batch_labels).item() * batch_inputs.size(0)
            running_correct += (logits.argmax(1) == batch_labels).sum().item()
    n = len(loader.dataset)
    return running_loss / n, running_correct / n
