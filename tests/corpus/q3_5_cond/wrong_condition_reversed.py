# hint: wrong result
"""Rescales the short vectors instead of the long ones."""


def clip_with_cond(h, limit):
    return torch.cond(h.norm() < limit, lambda h: h * (limit / h.norm()), lambda h: h.clone(), (h,))
