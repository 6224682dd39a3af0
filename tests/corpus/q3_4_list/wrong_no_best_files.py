# hint: expected the 5
"""A pattern for plain model names: the '-best' file is missed."""


def list_checkpoints(folder):
    found = []
    for path in Path(folder).glob("*.pth"):
        match = re.fullmatch(r"[A-Za-z0-9]+_\d{8}_\d{6}_epoch\d+_acc(\d+\.\d+)\.pth", path.name)
        if match:
            found.append((path, float(match.group(1))))
    return sorted(found, key=lambda item: item[1], reverse=True)
