"""The optimizer created before the model is moved (parameters keep their identity); StepLR."""


def build_final_model(device):
    model = MLP(784, [256, 128], 10, dropout=0.1, batch_norm=True)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    model.to(device)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.2)
    return model, optimizer, scheduler, 18
