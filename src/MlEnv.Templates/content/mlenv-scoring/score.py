"""The scoring script MlEnv's server runs: init() once at start, run(raw_data) for every POST /score.

run() receives the request body as text (a JSON document) and returns anything json.dumps accepts; an exception
becomes a 500 with a JSON error and the server keeps serving. The model files are under $MLENV_MODEL_DIR: the
MlEnvModel folder "model" arrives as $MLENV_MODEL_DIR/model/.

The model here is a toy linear model in JSON, so the service answers with the standard library alone. To serve a
scikit-learn model instead, save it with joblib into model/ and load it in init():
    model = joblib.load(os.path.join(os.environ["MLENV_MODEL_DIR"], "model", "model.joblib"))
and return model.predict(rows).tolist() from run().
"""
import json
import os

model = None


def init():
    global model
    with open(os.path.join(os.environ["MLENV_MODEL_DIR"], "model", "linear.json"), encoding="utf-8") as f:
        model = json.load(f)


def run(raw_data):
    rows = json.loads(raw_data)["data"]
    return {"predictions": [sum(w * x for w, x in zip(model["coef"], row)) + model["intercept"] for row in rows]}
