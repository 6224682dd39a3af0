# hint: returned a generator: return a list
"""A generator expression: the notebook's list_checkpoints(folder)[0] fails on it."""


def list_checkpoints(folder):
    found = []
    for path in Path(folder).glob("*.pth"):
        match = re.search(r"_acc(\d+(?:\.\d+)?)\.pth$", path.name)
        if match:
            found.append((path, float(match.group(1))))
    return (pair for pair in sorted(found, key=lambda pair: pair[1], reverse=True))
