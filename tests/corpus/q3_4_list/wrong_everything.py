# hint: skipped
"""Every file, with accuracy 0 when there is none."""


def list_checkpoints(folder):
    result = []
    for path in Path(folder).iterdir():
        match = re.search(r"_acc(\d+\.\d+)", path.name)
        result.append((path, float(match.group(1)) if match else 0.0))
    return sorted(result, key=lambda item: item[1], reverse=True)
