"""F.cross_entropy as the criterion; inference_mode; softmax over the last dimension."""


def make_criterion():
    return F.cross_entropy


def predict_proba(model, images):
    model.eval()
    with torch.inference_mode():
        logits = model(images)
    return F.softmax(logits, dim=-1)
