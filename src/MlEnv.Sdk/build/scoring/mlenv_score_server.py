"""MlEnv's scoring server: serves a score.py with init() and run(raw_data) over HTTP, standard library only.

GET  /health -> 200 {"status": "healthy"}
POST /score  -> 200 with run(body) as JSON; 400 when the body is not JSON; 500 with a JSON error when run() raises.

run() receives the request body as text (a JSON document), as Azure ML's scoring scripts do. The model files are
under the directory named by MLENV_MODEL_DIR. init() runs once, before the server accepts requests.

Requests are served on threads, but run() is called one request at a time, as Azure ML calls it: a score.py
written for that may keep state between calls. MLENV_SCORING_CONCURRENT_RUN=true (MlEnvScoringConcurrentRun)
lets threads call run() at once, for a thread-safe score.py.
"""
import contextlib
import importlib.util
import json
import os
import signal
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SCRIPT = os.environ.get("MLENV_SCORING_SCRIPT", "/opt/mlenv/service/app/score.py")
PORT = int(os.environ.get("MLENV_SERVICE_PORT", "5001"))
MAX_BODY = 64 * 1024 * 1024
CONCURRENT_RUN = os.environ.get("MLENV_SCORING_CONCURRENT_RUN", "false").strip().lower() in ("1", "true")
# A nullcontext can be entered by any number of threads at once; the lock by one.
RUN_GUARD = contextlib.nullcontext() if CONCURRENT_RUN else threading.Lock()


def load(path):
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["score"] = module
    spec.loader.exec_module(module)
    if not hasattr(module, "run"):
        raise SystemExit(f"{path} has no run(raw_data) function")
    return module


class Handler(BaseHTTPRequestHandler):
    server_version = "MlEnvScoring/1"
    # HTTP/1.1 with a Content-Length on every answer: clients can keep connections alive without guessing.
    protocol_version = "HTTP/1.1"
    module = None

    def send_json(self, status, payload):
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self.send_json(200, {"status": "healthy"})
        else:
            self.send_json(404, {"error": f"no route for GET {self.path}"})

    def do_POST(self):
        if self.path != "/score":
            self.send_json(404, {"error": f"no route for POST {self.path}"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_json(413, {"error": "request body too large"})
            return
        raw = self.rfile.read(length)
        try:
            text = raw.decode("utf-8")
            json.loads(text)
        except (UnicodeDecodeError, ValueError) as e:
            self.send_json(400, {"error": f"the request body is not valid JSON: {e}"})
            return
        try:
            with RUN_GUARD:
                result = self.module.run(text)
            self.send_json(200, result)
        except Exception as e:  # the server keeps serving whatever run() raises
            traceback.print_exc()
            self.send_json(500, {"error": str(e), "type": type(e).__name__})

    def log_message(self, format, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), format % args))


def main():
    module = load(SCRIPT)
    if hasattr(module, "init"):
        module.init()
    Handler.module = module
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"MlEnv scoring server listening on port {PORT}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
