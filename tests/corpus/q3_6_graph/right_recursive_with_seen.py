"""A recursive walk with a set of the nodes seen."""


def graph_node_names(tensor):
    names, seen = [], set()

    def visit(node):
        if node is None or node in seen:
            return
        seen.add(node)
        names.append(type(node).__name__)
        for child, _ in node.next_functions:
            visit(child)

    visit(tensor.grad_fn)
    return names
