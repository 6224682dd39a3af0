# hint: log-sum-exp
"""One maximum for the whole batch: a row far below it underflows to log(0)."""


def cross_entropy_loss(logits, target):
    m = logits.max()
    log_sum_exp = m + (logits - m).exp().sum(dim=1).log()
    return (log_sum_exp - logits[torch.arange(len(target)), target]).mean()
