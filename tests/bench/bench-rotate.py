#!/usr/bin/python3
# Rotating 200 channels at once: `ltm token rotate --all --within 7d` against
# ltm-test-server with 20 ms added to every answer, each channel holding one
# token that expires in 3 days and an env-file deploy target of its own,
# the store's master key in GNOME Keyring in a private D-Bus session (or
# libsecret's file backend, --backend file).  Prints the wall time and peak
# memory of that one ltm process, and checks that every env file holds its
# new token, every old token is revoked and every new one stored.  The
# one-at-a-time floor is 200 channels x 3 round trips (issue, verify,
# revoke) x 20 ms.
#
# Each of --runs rotations (3 unless given) starts from a store set up
# afresh; the median and every run are printed.  The store, the keyring
# file and the env files are in a folder under --tmpdir (TMPDIR, else
# /tmp): on a disk, each rotation waits for about 3.6 fdatasync of SQLite
# and 2 fsync of the env file per channel, all serialized under the store's
# write lock but the env files'; on a tmpfs (/dev/shm) those waits are
# gone.  A run a second slower than the others is a connection's SYN
# dropped and sent again: look at TcpExtListenOverflows (`nstat -az`).
#
#   meson test -C build --benchmark --suite bench --no-rebuild -v rotate rotate-file
#   /usr/bin/python3 tests/bench/bench-rotate.py [--channels 200] [--jobs 16]
#       [--backend service|file] [--runs 3] [--tmpdir /dev/shm]
#
# With the service backend it re-runs itself under tests/test-bus.sh --keyring
# unless a keyring is set up.

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TESTS_DIR = BENCH_DIR.parent
SECRET = "5ecret0123456789abcdef0123456789"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    build = TESTS_DIR.parent / "build"
    parser.add_argument("--ltm", default=str(build / "src/cli/ltm"))
    parser.add_argument("--server", default=str(build / "tests/server/ltm-test-server"))
    parser.add_argument("--channels", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=0, help="0: ltm's default")
    parser.add_argument("--backend", choices=["service", "file"], default="service")
    parser.add_argument("--no-targets", action="store_true",
                        help="no env-file targets: rotate with --revoke-old, as before deploys")
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmpdir", default=None,
                        help="where the store and the env files go (default: TMPDIR, else /tmp)")
    args = parser.parse_args()
    args.ltm = str(Path(args.ltm).resolve())
    args.server = str(Path(args.server).resolve())
    return args


def admin(base_url, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base_url + "/_admin/" + path, data=data)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def ltm(args, env, *argv, stdin=None):
    result = subprocess.run([args.ltm, *argv], env=env, input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"ltm {' '.join(argv)} failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def rotate_once(args, base_url, tmp, first_channel):
    """Sets up the channels in @tmp, rotates them all once, checks the
    outcome; returns (wall seconds, requests, connections)."""
    env = dict(os.environ, LTM_API_BASE=base_url, LTM_DATA_DIR=os.path.join(tmp, "data"))
    if args.backend == "file":
        env.update(SECRET_BACKEND="file", SECRET_FILE_TEST_PATH=os.path.join(tmp, "keyring"),
                   SECRET_FILE_TEST_PASSWORD="bench")
    env.pop("LTM_ACCESS_TOKEN", None)
    env.pop("LTM_CHANNEL_SECRET", None)
    key_file = os.path.join(tmp, "key.json")
    secret_file = os.path.join(tmp, "secret")
    with open(secret_file, "w") as f:
        f.write(SECRET)
    ltm(args, env, "key", "generate", "-o", key_file)
    public_jwk = ltm(args, env, "key", "public", key_file)

    print(f"Setting up {args.channels} channels, each with a token that expires in 3 days "
          f"and an env file…", flush=True)
    env_dir = os.path.join(tmp, "bots")
    os.mkdir(env_dir)
    channels = [str(first_channel + i) for i in range(args.channels)]
    for channel in channels:
        admin(base_url, "channels", {"channel_id": channel, "channel_secret": SECRET})
        request = urllib.request.Request(base_url + f"/_admin/channels/{channel}/keys",
                                         data=public_jwk.encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            kid = json.load(response)["kid"]
        ltm(args, env, "channel", "add", channel, "--name", channel, "--kid", kid,
            "--key", key_file, "--secret-file", secret_file)
        ltm(args, env, "token", "issue", "--channel", channel, "--token-lifetime", "3d")
        if args.no_targets:
            continue
        env_file = os.path.join(env_dir, f"{channel}.env")
        with open(env_file, "w") as f:
            f.write(f"PORT=8080\nBOT_NAME={channel}\n")
        ltm(args, env, "channel", "set", channel, "--env-file", env_file)

    before = admin(base_url, "stats")
    start = time.perf_counter()
    wrap = os.environ.get("LTM_BENCH_WRAP", "").split()
    jobs = ["--jobs", str(args.jobs)] if args.jobs > 0 else []
    if args.no_targets:
        jobs.append("--revoke-old")
    rotate = subprocess.run([*wrap, args.ltm, "--json", "token", "rotate", "--all", "--within", "7d",
                             *jobs],
                            env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = admin(base_url, "stats")

    if rotate.returncode != 0:
        sys.exit(f"ltm token rotate failed ({rotate.returncode}): {rotate.stderr.strip()}")

    rotations = json.loads(rotate.stdout)["rotations"]
    rotated = sum(1 for r in rotations if r["outcome"] == "rotated")
    listed = json.loads(ltm(args, env, "--json", "token", "list"))["tokens"]
    revoked = sum(1 for t in listed if t["status"] == "revoked")
    valid = sum(1 for t in listed if t["status"] in ("valid", "expiring"))
    at_line = sum(admin(base_url, f"channels/{c}/tokens")["valid"] for c in channels)
    delivered = args.channels if args.no_targets else 0
    for rotation in ([] if args.no_targets else rotations):
        env_file = os.path.join(env_dir, f"{rotation['channel_id']}.env")
        with open(env_file) as f:
            lines = f.read().splitlines()
        token = ltm(args, env, "token", "env", "--channel",
                    rotation["channel_id"]).splitlines()[0]
        if lines[:2] == ["PORT=8080", f"BOT_NAME={rotation['channel_id']}"] and \
                lines[2:] == [token]:
            delivered += 1

    print(f"  wall time     {wall:.2f} s; rotated {rotated}/{len(rotations)}; {delivered} env files "
          f"hold the new token; in the store {revoked} old tokens revoked, {valid} valid; "
          f"at LINE {at_line} valid tokens", flush=True)
    if rotated != args.channels or revoked != args.channels or at_line != args.channels \
            or delivered != args.channels:
        sys.exit("the rotation did not deliver every new token, leave every old token "
                 "revoked and one new token per channel")
    return wall, after["requests"] - before["requests"], \
        after["connections"] - before["connections"]


def filesystem(path):
    """The type and source of the file system that holds @path."""
    path = os.path.realpath(path)
    best = ("?", "?", "")
    with open("/proc/self/mounts") as mounts:
        for line in mounts:
            source, target, kind = line.split()[:3]
            target = target.replace("\\040", " ")
            if (path == target or path.startswith(target.rstrip("/") + "/")) and \
                    len(target) >= len(best[2]):
                best = (kind, source, target)
    return f"{best[0]} ({best[1]} at {best[2]})"


def main():
    args = parse_args()

    if args.backend == "service" and os.environ.get("SECRET_BACKEND") != "service":
        os.execv(str(TESTS_DIR / "test-bus.sh"),
                 [str(TESTS_DIR / "test-bus.sh"), "--keyring", sys.executable, *sys.argv])

    tmpdir = args.tmpdir or tempfile.gettempdir()
    server = subprocess.Popen([args.server, "--exit-on-eof", "--latency-ms", str(args.latency_ms)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base_url = server.stdout.readline().strip()
        walls = []
        for run in range(args.runs):
            print(f"Run {run + 1} of {args.runs}:", flush=True)
            with tempfile.TemporaryDirectory(dir=tmpdir) as tmp:
                wall, requests, connections = rotate_once(args, base_url, tmp,
                                                          5000000000 + run * 100000)
                walls.append(wall)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        server.stdin.close()
        server.terminate()
        server.wait(timeout=10)

    floor = args.channels * 3 * args.latency_ms / 1000
    print(f"ltm token rotate --all, {args.channels} channels, {args.latency_ms} ms latency, "
          f"--jobs {args.jobs or 'default'}, master key in the {args.backend} backend, "
          f"store on {filesystem(tmpdir)}:")
    print(f"  wall time     median {statistics.median(walls):.2f} s over {len(walls)} runs "
          f"({', '.join(f'{w:.2f}' for w in walls)}; target at most 1.5 s; one at a time "
          f"would take at least {floor:.1f} s)")
    print(f"  peak memory   {peak_kib / 1024:.1f} MB resident (the largest child process; "
          f"target under 30 MB)")
    print(f"  requests      {requests} over {connections} connections (the last run)")


if __name__ == "__main__":
    main()
