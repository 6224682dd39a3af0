# hint: not their names
"""Remembers names: two AccumulateGrad nodes (two leaves) count once."""


def graph_node_names(tensor):
    names, stack = [], [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or type(node).__name__ in names:
            continue
        names.append(type(node).__name__)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return names
