"""Named branch functions; vector_norm; gt."""


def clip_with_cond(h, limit):
    def shrink(x):
        return x.div(torch.linalg.vector_norm(x)).mul(limit)

    def keep(x):
        return x.clone()

    return torch.cond(torch.linalg.vector_norm(h).gt(limit), shrink, keep, (h,))
