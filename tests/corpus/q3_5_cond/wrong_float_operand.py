# hint: raised
"""Passes the float limit as an operand: operands must be tensors."""


def clip_with_cond(h, limit):
    return torch.cond(h.norm() > limit, lambda h, lim: h * (lim / h.norm()), lambda h, lim: h.clone(), (h, limit))
