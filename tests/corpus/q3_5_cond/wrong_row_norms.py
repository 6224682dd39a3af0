# hint: wrong result
"""Scales each row by its own norm."""


def clip_with_cond(h, limit):
    return torch.cond(h.norm() > limit, lambda h: h * (limit / h.norm(dim=-1, keepdim=True)), lambda h: h.clone(), (h,))
