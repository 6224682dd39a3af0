"""Hooks via named_children of model.layers; std_mean; inference_mode; population std."""


def record_activation_stats(model, inputs):
    stats = {}
    handles = []
    for name, layer in model.layers.named_children():

        def hook(module, args, output, key=f"layers.{name}"):
            std, mean = torch.std_mean(output.detach())
            stats[key] = {"mean": float(mean), "std": float(std), "zeros": float((output == 0).float().mean())}

        handles.append(layer.register_forward_hook(hook))
    try:
        with torch.inference_mode():
            model(inputs)
    finally:
        while handles:
            handles.pop().remove()
    return stats
