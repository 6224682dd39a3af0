# hint: differs|raised
"""The row maxima of shape (N,) broadcast against the classes, not the rows."""


def cross_entropy_loss(logits, target):
    m = logits.max(dim=1).values
    log_sum_exp = m + (logits - m).exp().sum(dim=1).log()
    return (log_sum_exp - logits[torch.arange(len(target)), target]).mean()
