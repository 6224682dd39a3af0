"""Pairs as two-element lists, sorted with a key function."""


def list_checkpoints(folder):
    pairs = []
    for path in sorted(Path(folder).iterdir()):
        match = re.fullmatch(r".*_acc(\d+\.\d+)\.pth", path.name)
        if match:
            pairs.append([path, float(match.group(1))])
    pairs.sort(key=lambda pair: -pair[1])
    return pairs
