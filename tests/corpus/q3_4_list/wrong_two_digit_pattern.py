# hint: expected the 5
"""Only accuracies with two digits before the point: 9.50 and 100.00 are missed."""


def list_checkpoints(folder):
    found = []
    for path in Path(folder).glob("*.pth"):
        match = re.search(r"_acc(\d\d\.\d\d)\.pth$", path.name)
        if match:
            found.append((path, float(match.group(1))))
    return sorted(found, key=lambda item: item[1], reverse=True)
