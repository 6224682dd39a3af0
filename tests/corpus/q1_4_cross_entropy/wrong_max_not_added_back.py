# hint: differs
"""log sum exp(z - m) without adding m back."""


def cross_entropy_loss(logits, target):
    m = logits.max(dim=1, keepdim=True).values
    log_sum_exp = (logits - m).exp().sum(dim=1).log()
    return (log_sum_exp - logits[torch.arange(len(target)), target]).mean()
