# hint: log-sum-exp
"""exp(1000) overflows."""


def cross_entropy_loss(logits, target):
    probabilities = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -probabilities[torch.arange(len(target)), target].log().mean()
