# hint: each node once|visit each node once
"""Visits a node once per path to it."""


def graph_node_names(tensor):
    names, stack = [], [tensor.grad_fn]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        names.append(type(node).__name__)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return names
