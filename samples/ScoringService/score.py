"""A toy linear model served by MlEnv's scoring server: init() loads it once, run() scores rows."""
import json
import os

model = None


def init():
    global model
    with open(os.path.join(os.environ["MLENV_MODEL_DIR"], "model", "linear.json")) as f:
        model = json.load(f)


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    return {"predictions": [sum(w * x for w, x in zip(model["coef"], row)) + model["intercept"] for row in rows]}
