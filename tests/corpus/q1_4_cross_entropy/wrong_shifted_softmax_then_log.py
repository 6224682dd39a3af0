# hint: log-sum-exp
"""Max-shifted softmax, then log: a confidently wrong row underflows to log(0)."""


def cross_entropy_loss(logits, target):
    shifted = logits - logits.max(dim=1, keepdim=True).values
    probabilities = shifted.exp() / shifted.exp().sum(dim=1, keepdim=True)
    return -probabilities.gather(1, target.unsqueeze(1)).log().mean()
