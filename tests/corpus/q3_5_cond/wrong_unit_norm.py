# hint: wrong result for an h longer
"""Scales to norm 1 instead of the limit."""


def clip_with_cond(h, limit):
    return torch.cond(h.norm() > limit, lambda h: h / h.norm(), lambda h: h.clone(), (h,))
