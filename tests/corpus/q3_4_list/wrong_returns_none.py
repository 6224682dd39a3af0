# hint: None
"""Sorts in place and returns the result of list.sort()."""


def list_checkpoints(folder):
    found = []
    for path in Path(folder).glob("*.pth"):
        match = re.search(r"_acc(\d+(?:\.\d+)?)\.pth$", path.name)
        if match:
            found.append((path, float(match.group(1))))
    return found.sort(key=lambda item: item[1], reverse=True)
