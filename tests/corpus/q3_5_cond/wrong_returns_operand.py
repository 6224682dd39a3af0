# hint: clone
"""The false branch returns its operand itself."""


def clip_with_cond(h, limit):
    return torch.cond(h.norm() > limit, lambda h: h * (limit / h.norm()), lambda h: h, (h,))
