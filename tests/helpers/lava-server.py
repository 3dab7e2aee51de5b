"""A local stand-in for a LAVA server's REST API v0.2, for tests.

It follows lava-server 2023.01's lava_rest_app (v02/views.py, base/views.py):
  POST /api/v0.2/jobs/            {"definition": "<yaml>"} -> 201 {"message", "job_ids": [id]}
                                  an invalid job -> 400 {"message": "Problem with submitted job data: ..."}
  GET  /api/v0.2/jobs/<id>/       {"id", "state", "health", "definition", ...}
  GET  /api/v0.2/jobs/<id>/logs/  the dispatcher log, a YAML list of {dt, lvl, msg} (404 until there is one)
Authentication is "Authorization: Token <token>" (LavaTokenAuthentication); a
wrong token gets 403 {"detail": "Invalid token."}, as lava-server 2023.01 answers
(checked against the real server in t0840).
Submissions are checked with lava_common.schemas.validate, as the server
does. A job is Submitted, then Running, then Finished (health Complete)
after --polls status requests; its log is the file --log (e.g. a real
lava-run log), served in the server's stored form ("- " before each record).

Usage: python3 lava-server.py --token T --log FILE --port-file F [--polls N] [--requests F]
"""
import argparse
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml
from lava_common.schemas import validate
from voluptuous import Invalid

jobs = {}
opts = None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        if opts.requests:
            with open(opts.requests, "a") as f:
                f.write("%s %s %s\n" % (self.command, self.path, self.headers.get("Authorization", "")))

    def answer(self, code, obj=None, text=None, ctype="application/json"):
        body = (text if text is not None else json.dumps(obj)).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        auth = self.headers.get("Authorization")
        if auth is None:
            self.answer(403, {"detail": "Authentication credentials were not provided."})
            return False
        if auth != "Token " + opts.token:
            self.answer(403, {"detail": "Invalid token."})
            return False
        return True

    def do_POST(self):
        if self.path != "/api/v0.2/jobs/":
            return self.answer(404, {"detail": "Not found."})
        if not self.authorized():
            return
        data = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        definition = data.get("definition")
        if not isinstance(definition, str):
            return self.answer(400, {"definition": ["This field is required."]})
        try:
            validate(yaml.safe_load(definition), strict=True)
        except (Invalid, yaml.YAMLError) as exc:
            return self.answer(400, {"message": "Problem with submitted job data: %s" % exc})
        job_id = len(jobs) + 1
        jobs[job_id] = {"definition": definition, "polls": 0}
        self.answer(201, {"message": "job(s) successfully submitted", "job_ids": [job_id]})

    def do_GET(self):
        m = re.fullmatch(r"/api/v0\.2/jobs/(\d+)/(logs/)?", self.path)
        if not m:
            return self.answer(404, {"detail": "Not found."})
        if not self.authorized():
            return
        job = jobs.get(int(m.group(1)))
        if job is None:
            return self.answer(404, {"detail": "Not found."})
        finished = job["polls"] >= opts.polls
        if m.group(2):
            if not finished:
                return self.answer(404, {"detail": "Not found."})
            with open(opts.log) as f:
                # lava-run's records, or a server's stored log again
                lines = ["- " + l.removeprefix("- ") for l in f if l.removeprefix("- ").startswith("{")]
            return self.answer(200, text="".join(lines), ctype="application/yaml")
        job["polls"] += 1
        state = "Finished" if finished else ("Running" if job["polls"] > 1 else "Submitted")
        self.answer(200, {"id": int(m.group(1)), "state": state,
                          "health": "Complete" if finished else "Unknown",
                          "definition": job["definition"], "submitter": "kbackport"})


def main():
    global opts
    p = argparse.ArgumentParser()
    p.add_argument("--token", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--polls", type=int, default=2)
    p.add_argument("--requests")
    opts = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(opts.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(opts.port_file + ".tmp", opts.port_file)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
