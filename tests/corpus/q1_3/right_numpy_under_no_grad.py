"""Under no_grad, numpy() accepts a tensor that requires grad (the array shares no graph)."""


def to_numpy(t):
    with torch.no_grad():
        return t.cpu().numpy()
