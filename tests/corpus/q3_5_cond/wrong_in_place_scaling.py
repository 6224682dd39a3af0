# hint: raised|changed
"""Scales h in place inside the branch."""


def clip_with_cond(h, limit):
    return torch.cond(h.norm() > limit, lambda h: h.mul_(limit / h.norm()), lambda h: h.clone(), (h,))
