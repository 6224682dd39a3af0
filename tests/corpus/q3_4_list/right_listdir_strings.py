"""os.listdir, fullmatch, paths as strings."""

import os


def list_checkpoints(folder):
    pattern = re.compile(r".*_acc(\d+(?:\.\d+)?)\.pth")
    found = []
    for name in sorted(os.listdir(folder)):
        match = pattern.fullmatch(name)
        if match:
            found.append((os.path.join(folder, name), float(match.group(1))))
    return sorted(found, key=lambda pair: -pair[1])
