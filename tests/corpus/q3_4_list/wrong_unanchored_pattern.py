# hint: skipped
"""No end anchor: a half-written '.pth.tmp' file counts too."""

import os


def list_checkpoints(folder):
    found = []
    for name in os.listdir(folder):
        match = re.search(r"_acc(\d+\.\d+)\.pth", name)
        if match:
            found.append((Path(folder) / name, float(match.group(1))))
    return sorted(found, key=lambda item: item[1], reverse=True)
