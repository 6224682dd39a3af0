# hint: an assert in your code failed
"""An assert of the student's own that the uint8 input does not meet."""


def pixel_mean_std(images):
    assert images.dtype == torch.float32, "expected float pixels"
    return images.mean().item(), images.std().item()
