# hint: each node once|visit each node once
"""Recursion without remembering the nodes seen."""


def graph_node_names(tensor):
    def walk(node):
        if node is None:
            return []
        return [type(node).__name__] + [name for child, _ in node.next_functions for name in walk(child)]

    return walk(tensor.grad_fn)
