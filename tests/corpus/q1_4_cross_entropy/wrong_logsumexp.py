# hint: log-sum-exp trick
"""torch.logsumexp does the trick for you."""


def cross_entropy_loss(logits, target):
    return (torch.logsumexp(logits, dim=1) - logits[torch.arange(len(target)), target]).mean()
