# hint: torch.cond
"""A Python `if` on the norm: right in eager mode, but it cannot be exported."""


def clip_with_cond(h, limit):
    if h.norm() > limit:
        return h * (limit / h.norm())
    return h
