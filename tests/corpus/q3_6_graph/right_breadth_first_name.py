"""Breadth first with node.name() (which says torch::autograd::AccumulateGrad)."""


def graph_node_names(tensor):
    if tensor.grad_fn is None:
        return []
    names, seen, queue = [], {tensor.grad_fn}, [tensor.grad_fn]
    while queue:
        node = queue.pop(0)
        names.append(node.name())
        for next_node, _ in node.next_functions:
            if next_node is not None and next_node not in seen:
                seen.add(next_node)
                queue.append(next_node)
    return names
