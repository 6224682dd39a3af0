# hint: not by the string
"""Sorts the accuracies as text: "9.50" > "100.00"."""


def list_checkpoints(folder):
    found = [
        (path, m.group(1))
        for path in Path(folder).glob("*.pth")
        if (m := re.search(r"_acc(\d+\.\d+)\.pth$", path.name))
    ]
    return [(path, float(text)) for path, text in sorted(found, key=lambda item: item[1], reverse=True)]
