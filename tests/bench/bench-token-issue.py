#!/usr/bin/python3
# Measures the wall time of issuing one LINE channel access token v2.1 from a
# fresh process: `ltm token issue` against `node issue-token.mjs` (jose and
# @line/bot-sdk), both against ltm-test-server on 127.0.0.1, runs interleaved.
# Also counts the requests and connections the server saw for each tool, and
# runs test-line-client's one-connection test (one ltm client, one connection).
#
#   meson test -C build --benchmark --suite bench --no-rebuild -v token-issue
#   /usr/bin/python3 tests/bench/bench-token-issue.py [--runs 50] [--ltm …] [--server …]
#
# Needs node and, the first time, npm with access to its registry (npm ci).

import argparse
import json
import math
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
NODE_DIR = BENCH_DIR / "node"
TEST_DATA_DIR = BENCH_DIR.parent / "data"
DEFAULT_BUILD_DIR = BENCH_DIR.parent.parent / "build"

ISSUES_PER_CHANNEL = 25  # LINE refuses the 31st valid v2.1 token of a channel
TARGET_RATIO = 0.2  # the project's goal: ltm's median at most 0.2× Node's


def parse_args():
    parser = argparse.ArgumentParser(
        description="Times ltm token issue against the Node SDK on ltm-test-server.")
    parser.add_argument("--ltm", type=Path, default=DEFAULT_BUILD_DIR / "src/cli/ltm")
    parser.add_argument("--server", type=Path,
                        default=DEFAULT_BUILD_DIR / "tests/server/ltm-test-server")
    parser.add_argument("--line-client-test", type=Path,
                        default=DEFAULT_BUILD_DIR / "tests/test-line-client")
    parser.add_argument("--node", default="node")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each tool")
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2 (for a p90)")
    # meson passes paths relative to the build directory.
    for name in ("ltm", "server", "line_client_test"):
        program = getattr(args, name).resolve()
        if not os.access(program, os.X_OK):
            parser.error(f"{program} is not an executable: build first (ninja -C build)")
        setattr(args, name, program)
    if shutil.which(args.node) is None:
        parser.error(f"{args.node} not found: Node 20 or later is needed")
    return args


class TestServer:
    """ltm-test-server in a child process; it also exits if we vanish (--exit-on-eof)."""

    def __init__(self, program):
        self.process = subprocess.Popen([str(program), "--exit-on-eof"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url.startswith("http://127.0.0.1:"):
            self.stop()
            sys.exit(f"ltm-test-server did not print its URL (got {self.base_url!r})")

    def admin(self, path, body=None):
        data = None if body is None else body.encode()
        request = urllib.request.Request(self.base_url + "/_admin/" + path, data=data)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    def stats(self):
        return self.admin("stats")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_checked(argv, env=None, cwd=None):
    result = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{argv[0]} failed with status {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def ensure_node_modules():
    if (NODE_DIR / "node_modules").is_dir():
        return
    print(f"{NODE_DIR}/node_modules is missing: running npm ci there (needs the npm registry)",
          flush=True)
    run_checked(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR)


def make_channels(server, ltm, env, work_dir, first_id, count):
    """Creates count channels, each with its own registered key: [(id, kid, key file)]."""
    channels = []
    for index in range(count):
        channel_id = str(first_id + index)
        server.admin("channels", json.dumps({"channel_id": channel_id,
                                             "channel_secret": secrets.token_hex(16)}))
        key_file = work_dir / f"{channel_id}.jwk"
        run_checked([str(ltm), "key", "generate", "-o", str(key_file)], env=env)
        public_jwk = run_checked([str(ltm), "key", "public", str(key_file)], env=env)
        kid = server.admin(f"channels/{channel_id}/keys", public_jwk)["kid"]
        channels.append((channel_id, kid, key_file))
    return channels


class Tool:
    """One way to issue a token, with its timings and what the server saw of it."""

    def __init__(self, name, channels, env, command_for):
        self.name = name
        self.channels = channels
        self.command_for = command_for
        self.env = env
        self.issued = 0
        self.seconds = []
        self.requests = 0
        self.connections = 0

    def issue(self, server, timed):
        channel = self.channels[self.issued // ISSUES_PER_CHANNEL]
        argv = self.command_for(*channel)
        before = server.stats()
        start = time.perf_counter()
        result = subprocess.run(argv, env=self.env, capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        after = server.stats()
        self.issued += 1
        if result.returncode != 0 or not result.stdout.strip():
            sys.exit(f"{self.name} run {self.issued} failed (status {result.returncode}): "
                     f"{result.stderr.strip() or 'no token printed'}")
        if timed:
            self.seconds.append(elapsed)
            self.requests += after["requests"] - before["requests"]
            self.connections += after["connections"] - before["connections"]

    def median(self):
        return statistics.median(self.seconds)

    def p90(self):
        return statistics.quantiles(self.seconds, n=10)[-1]


def check_one_connection(program):
    env = dict(os.environ, LTM_TEST_DATA=str(TEST_DATA_DIR), GSETTINGS_BACKEND="memory",
               no_proxy="*")
    result = subprocess.run([str(program), "-p", "/line-client/one-connection"],
                            env=env, capture_output=True, text=True)
    passed = result.returncode == 0 and "ok 1 /line-client/one-connection" in result.stdout
    if not passed:
        print(result.stdout + result.stderr, file=sys.stderr)
    return passed


def main():
    args = parse_args()
    # meson stops a benchmark with SIGTERM: unwind, so the server stops and
    # the temporary directory goes.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    ensure_node_modules()
    issues_per_tool = args.runs + 1  # one untimed warm-up run each
    channel_count = math.ceil(issues_per_tool / ISSUES_PER_CHANNEL)

    server = TestServer(args.server)
    try:
        with tempfile.TemporaryDirectory(prefix="ltm-bench-") as work:
            work_dir = Path(work)
            (work_dir / "data").mkdir()
            env = dict(os.environ, LTM_API_BASE=server.base_url,
                       LTM_DATA_DIR=str(work_dir / "data"),
                       GSETTINGS_BACKEND="memory", no_proxy="*")

            ltm_channels = make_channels(server, args.ltm, env, work_dir,
                                         2_000_000_000, channel_count)
            node_channels = make_channels(server, args.ltm, env, work_dir,
                                          2_000_001_000, channel_count)
            ltm = Tool("ltm", ltm_channels, env,
                       lambda channel_id, kid, key_file: [
                           str(args.ltm), "token", "issue",
                           "--channel", channel_id, "--kid", kid, "--key", str(key_file)])
            node = Tool("node", node_channels, env,
                        lambda channel_id, kid, key_file: [
                            args.node, str(NODE_DIR / "issue-token.mjs"),
                            server.base_url, channel_id, kid, str(key_file)])

            for tool in (ltm, node):
                tool.issue(server, timed=False)
            # Alternate which goes first, so that neither always follows the other.
            for round_number in range(args.runs):
                order = (ltm, node) if round_number % 2 == 0 else (node, ltm)
                for tool in order:
                    tool.issue(server, timed=True)
    finally:
        server.stop()

    node_version = run_checked([args.node, "--version"]).strip()
    print(f"Issuing one v2.1 token from a fresh process, {args.runs} runs each "
          f"(interleaved, after one warm-up), against ltm-test-server over loopback HTTP")
    rows = (("ltm token issue", ltm), (f"node issue-token.mjs ({node_version})", node))
    width = max(len(label) for label, _ in rows)
    print(f"{'':{width}} {'median':>9} {'p90':>9} {'requests':>9} {'connections':>12}")
    for label, tool in rows:
        print(f"{label:{width}} {tool.median() * 1000:7.1f}ms {tool.p90() * 1000:7.1f}ms "
              f"{tool.requests:9} {tool.connections:12}")
    ratio = ltm.median() / node.median()
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"ltm/node median ratio: {ratio:.3f} (target ≤ {TARGET_RATIO}: {verdict})")

    if not check_one_connection(args.line_client_test):
        sys.exit("test-line-client /line-client/one-connection FAILED")
    print("test-line-client /line-client/one-connection passed: one LtmLineClient made "
          "≥11 requests (1 issue, 5 verify, 5 bot info) over 1 connection")


if __name__ == "__main__":
    main()
