# hint: log-sum-exp trick
"""Tensor.log_softmax."""


def cross_entropy_loss(logits, target):
    return -logits.log_softmax(dim=1)[torch.arange(len(target)), target].mean()
