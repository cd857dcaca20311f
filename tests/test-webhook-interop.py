#!/usr/bin/env python3
# test-webhook-interop.py: X-Line-Signature checked by an independent
# implementation, Python's hmac, in both directions: a bot in Python
# verifies what `ltm webhook send` signs and what `ltm webhook listen`
# forwards; `ltm webhook listen` verifies what Python signs.  The bodies
# hold emoji and \u escapes, whose re-serialisation would change them.
#
# Only 127.0.0.1; prints TAP.
#
# SPDX-License-Identifier: GPL-3.0-or-later
import base64
import hashlib
import hmac
import http.server
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request

LTM = os.environ["LTM_CLI"]
CHANNEL = "1234567890"
SECRET = b"8c1b1fb5e2d13a3c1f0e5b1d9a4c7e21"

BODIES = [
    # emoji as UTF-8, and the same as a \u escape pair
    '{"destination":"U0123456789abcdef0123456789abcdef","events":[{"type":"message",'
    '"message":{"type":"text","id":"1","text":"caf\u00e9 \U0001F600 \\ud83d\\ude00"},'
    '"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZR","deliveryContext":{"isRedelivery":false},'
    '"timestamp":1625665242211,"source":{"type":"user","userId":"U4af4980629aaaaaaaaaaaaaaaaaaaaaa"},'
    '"replyToken":"r","mode":"active"}]}'.encode("utf-8"),
    # escapes only, key order and spacing no serialiser would keep
    b'{ "events" : [ {"mode":"active", "type":"message", "message": {"text": '
    b'"\\u3053\\u3093\\u306b\\u3061\\u306f \\/ \\"q\\""}} ], "destination": "Uabc" }',
]


def sign(body):
    return base64.b64encode(hmac.new(SECRET, body, hashlib.sha256).digest()).decode()


class Bot(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ok = hmac.compare_digest(sign(body), self.headers.get("X-Line-Signature", ""))
        Bot.received.append((body, ok))
        self.send_response(200 if ok else 400)
        self.end_headers()

    def log_message(self, *args):
        pass


def post(url, body, signature):
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "X-Line-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def main():
    results = []
    bot = http.server.HTTPServer(("127.0.0.1", 0), Bot)
    threading.Thread(target=bot.serve_forever, daemon=True).start()
    bot_url = "http://127.0.0.1:%d/callback" % bot.server_port

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, LTM_DATA_DIR=tmp, LTM_MASTER_KEY_FILE=os.path.join(tmp, "mk"))
        for name in ("LTM_ACCESS_TOKEN", "LTM_CHANNEL_SECRET", "LTM_API_BASE"):
            env.pop(name, None)
        with open(os.path.join(tmp, "secret"), "wb") as f:
            f.write(SECRET)
        subprocess.run([LTM, "store", "init", "--master-key-file", env["LTM_MASTER_KEY_FILE"]],
                       env=env, check=True, capture_output=True)
        subprocess.run([LTM, "channel", "add", CHANNEL, "--name", "Echo", "--secret-file",
                        os.path.join(tmp, "secret")], env=env, check=True, capture_output=True)

        # ltm signs, Python verifies: the file's bytes as they are
        for i, body in enumerate(BODIES):
            path = os.path.join(tmp, "body%d.json" % i)
            with open(path, "wb") as f:
                f.write(body)
            Bot.received.clear()
            run = subprocess.run([LTM, "webhook", "send", "--channel", CHANNEL, "--to", bot_url,
                                  "--file", path], env=env, capture_output=True)
            results.append(("ltm signs body %d, Python's hmac verifies it" % i,
                            run.returncode == 0 and Bot.received == [(body, True)]))

        # Python signs, ltm listen verifies and forwards the same bytes
        listen = subprocess.Popen([LTM, "webhook", "listen", "--channel", CHANNEL, "--listen",
                                   "127.0.0.1:0", "--forward-to", bot_url, "--no-record"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        url = None
        for line in listen.stderr:
            match = re.search(rb"listening on (\S+)", line)
            if match:
                url = match.group(1).decode()
                break
        for i, body in enumerate(BODIES):
            Bot.received.clear()
            status = post(url, body, sign(body))
            results.append(("Python signs body %d, ltm verifies and forwards it unchanged" % i,
                            status == 200 and Bot.received == [(body, True)]))
        Bot.received.clear()
        status = post(url, BODIES[0], sign(BODIES[0] + b" "))
        results.append(("a signature over other bytes is refused (401) and not forwarded",
                        status == 401 and Bot.received == []))
        listen.terminate()
        listen.communicate(timeout=30)
        results.append(("listen ends cleanly on SIGTERM", listen.returncode == 0))

    bot.shutdown()
    print("1..%d" % len(results))
    for n, (name, ok) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", n, name))
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
