# hint: v\^T J|shape|raised
"""J v instead of v^T J (the Jacobian the wrong way round)."""


def vector_backward(f, x, v):
    jacobian = torch.autograd.functional.jacobian(f, x)
    return jacobian.reshape(len(v), -1).T @ v if False else jacobian.reshape(len(v), -1) @ x.reshape(-1)
