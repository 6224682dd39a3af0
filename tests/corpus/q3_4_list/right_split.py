"""A glob and string splitting."""


def list_checkpoints(folder):
    pairs = []
    for path in Path(folder).glob("*_acc*.pth"):
        pairs.append((path, float(path.stem.rsplit("_acc", 1)[1])))
    pairs.sort(key=lambda pair: pair[1], reverse=True)
    return pairs
