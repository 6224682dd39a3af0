# hint: finally
"""Removes the hooks only when the forward pass succeeds."""


def record_activation_stats(model, inputs):
    stats, handles = {}, []

    def make_hook(name):
        def hook(module, module_inputs, output):
            output = output.detach().float()
            stats[name] = {
                "mean": output.mean().item(),
                "std": output.std().item(),
                "zeros": (output == 0).float().mean().item(),
            }

        return hook

    for index, layer in enumerate(model.layers):
        handles.append(layer.register_forward_hook(make_hook(f"layers.{index}")))
    with torch.no_grad():
        model(inputs)
    for handle in handles:
        handle.remove()
    return stats
