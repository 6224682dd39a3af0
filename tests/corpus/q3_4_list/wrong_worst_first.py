# hint: best first
"""Ascending order."""


def list_checkpoints(folder):
    found = []
    for path in Path(folder).glob("*.pth"):
        match = re.search(r"_acc(\d+(?:\.\d+)?)\.pth$", path.name)
        if match:
            found.append((path, float(match.group(1))))
    return sorted(found, key=lambda item: item[1])
