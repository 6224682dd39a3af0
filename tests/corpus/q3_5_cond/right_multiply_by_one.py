"""The false branch multiplies by 1, which makes a new tensor too."""


def clip_with_cond(h, limit):
    norm = h.norm()
    return torch.cond(norm > limit, lambda x: x * (limit / x.norm()), lambda x: x * 1.0, (h,))
