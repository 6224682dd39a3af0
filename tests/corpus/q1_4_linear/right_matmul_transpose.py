"""torch.matmul with weight.T."""


def linear_forward(input, weight, bias=None):
    output = torch.matmul(input, weight.T)
    if bias is not None:
        output = output + bias
    return output
