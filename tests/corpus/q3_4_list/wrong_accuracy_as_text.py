# hint: number
"""The accuracy is left as the text of the name (sorted as numbers, though)."""


def list_checkpoints(folder):
    found = []
    for path in Path(folder).glob("*.pth"):
        match = re.search(r"_acc(\d+(?:\.\d+)?)\.pth$", path.name)
        if match:
            found.append((path, match.group(1)))
    return sorted(found, key=lambda item: float(item[1]), reverse=True)
