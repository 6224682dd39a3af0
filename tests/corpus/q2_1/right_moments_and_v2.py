"""std from E[x^2] - E[x]^2; torchvision's transforms.v2."""

from torchvision.transforms import v2


def pixel_mean_std(images):
    pixels = images.to(torch.float64) / 255
    mean = pixels.mean()
    return mean.item(), ((pixels**2).mean() - mean**2).sqrt().item()


def make_transform(mean, std):
    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize([mean], [std])])
