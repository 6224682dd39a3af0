# hint: differs
"""The sum over the batch instead of the mean."""


def cross_entropy_loss(logits, target):
    m = logits.max(dim=1, keepdim=True).values
    log_sum_exp = m.squeeze(1) + (logits - m).exp().sum(dim=1).log()
    return (log_sum_exp - logits.gather(1, target.unsqueeze(1)).squeeze(1)).sum()
