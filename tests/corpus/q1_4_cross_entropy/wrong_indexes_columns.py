# hint: differs
"""logits[:, target] picks every target column for every row."""


def cross_entropy_loss(logits, target):
    m = logits.max(dim=1, keepdim=True).values
    log_sum_exp = m.squeeze(1) + (logits - m).exp().sum(dim=1).log()
    return (log_sum_exp - logits[:, target]).mean()
