#!/usr/bin/python3
# test-interop-jwcrypto.py: an independent implementation checks ltm's output
#
# python3-jwcrypto (Debian) verifies the JWTs ltm signs and reads the keys ltm
# writes; ltm reads the keys jwcrypto writes and verifies its JWTs.  A bug we
# share with our own tests cannot hide here.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import subprocess
import sys
import tempfile
import time

from jwcrypto import jwk, jws, jwt

LTM = sys.argv[1]
CHANNEL = "1234567890"
KID = "4d2c1e0a-7b3f-4c58-9e21-6a0f3b2d9c77"

results = []


def ltm(*args, stdin=None):
    run = subprocess.run([LTM, *args], input=stdin, capture_output=True, text=True)
    if run.returncode != 0:
        raise AssertionError(f"ltm {' '.join(args)} exited {run.returncode}: {run.stderr}")
    return run.stdout


def check(name, func):
    try:
        func()
        results.append((True, name, None))
    except Exception as e:  # noqa: BLE001 — report every failure as TAP
        results.append((False, name, repr(e)))


def check_line_claims(token, public_key):
    verified = jwt.JWT(jwt=token, key=public_key, algs=["RS256"])
    header = json.loads(verified.header)
    claims = json.loads(verified.claims)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": KID}, header
    assert claims["iss"] == CHANNEL and claims["sub"] == CHANNEL, claims
    assert claims["aud"] == "https://api.line.me/", claims
    assert isinstance(claims["exp"], int) and isinstance(claims["token_exp"], int), claims
    assert 0 < claims["exp"] - time.time() <= 1800, claims
    return claims


with tempfile.TemporaryDirectory() as tmp:
    key_file = os.path.join(tmp, "key.json")
    ltm("key", "generate", "-o", key_file)

    def generated_key_reads():
        with open(key_file) as f:
            private = jwk.JWK.from_json(f.read())
        assert private.has_private
        assert private.get("kty") == "RSA" and private.get("alg") == "RS256"
        assert private.get("e") == "AQAB"
        # jwcrypto checks the CRT members are consistent when it builds the key
        private.get_op_key("sign")

    def public_jwk_is_console_ready():
        public = json.loads(ltm("key", "public", key_file))
        assert sorted(public) == ["alg", "e", "kty", "n", "use"], public
        with open(key_file) as f:
            private = jwk.JWK.from_json(f.read())
        assert jwk.JWK(**public).thumbprint() == private.thumbprint()

    def thumbprint_matches():
        info = json.loads(ltm("--json", "key", "info", key_file))
        with open(key_file) as f:
            assert info["thumbprint"] == jwk.JWK.from_json(f.read()).thumbprint()

    def ltm_jwt_verifies_in_jwcrypto():
        token = ltm("jwt", "create", "--channel", CHANNEL, "--kid", KID, "--key", key_file,
                    "--lifetime", "30m", "--token-lifetime", "30d").strip()
        public = jwk.JWK(**json.loads(ltm("key", "public", key_file)))
        claims = check_line_claims(token, public)
        assert claims["token_exp"] == 2592000

    def jwcrypto_key_reads_in_ltm():
        theirs = jwk.JWK.generate(kty="RSA", size=2048)
        path = os.path.join(tmp, "jwcrypto.json")
        with open(path, "w") as f:
            f.write(theirs.export_private())
        info = json.loads(ltm("--json", "key", "info", path))
        assert info["thumbprint"] == theirs.thumbprint() and info["private"], info
        token = ltm("jwt", "create", "--channel", CHANNEL, "--kid", KID, "--key", path,
                    "--token-lifetime", "1d").strip()
        claims = check_line_claims(token, jwk.JWK(**json.loads(theirs.export_public())))
        assert claims["token_exp"] == 86400

    def jwcrypto_jwt_verifies_in_ltm():
        with open(key_file) as f:
            private = jwk.JWK.from_json(f.read())
        claims = {"iss": CHANNEL, "sub": CHANNEL, "aud": "https://api.line.me/",
                  "exp": int(time.time()) + 600, "token_exp": 3600}
        token = jwt.JWT(header={"alg": "RS256", "typ": "JWT", "kid": KID}, claims=claims)
        token.make_signed_token(private)
        out = ltm("jwt", "verify", "--key", key_file, token.serialize())
        assert "LINE rules: met" in out, out

    def jwcrypto_signature_tampering_is_caught():
        with open(key_file) as f:
            private = jwk.JWK.from_json(f.read())
        other = jwk.JWK.generate(kty="RSA", size=2048)
        claims = {"iss": CHANNEL, "sub": CHANNEL, "aud": "https://api.line.me/",
                  "exp": int(time.time()) + 600, "token_exp": 3600}
        token = jwt.JWT(header={"alg": "RS256", "typ": "JWT", "kid": KID}, claims=claims)
        token.make_signed_token(other)
        run = subprocess.run([LTM, "jwt", "verify", "--key", key_file, token.serialize()],
                             capture_output=True, text=True)
        assert run.returncode == 1, run
        assert private.thumbprint() in subprocess.run(
            [LTM, "key", "info", key_file], capture_output=True, text=True).stdout

    check("a key made by ltm reads in jwcrypto", generated_key_reads)
    check("ltm's public JWK is exactly kty alg use e n, and the same key", public_jwk_is_console_ready)
    check("ltm's RFC 7638 thumbprint is jwcrypto's", thumbprint_matches)
    check("a JWT made by ltm verifies in jwcrypto with LINE's claims", ltm_jwt_verifies_in_jwcrypto)
    check("a key made by jwcrypto reads and signs in ltm", jwcrypto_key_reads_in_ltm)
    check("a JWT made by jwcrypto verifies in ltm", jwcrypto_jwt_verifies_in_ltm)
    check("a JWT signed by another key is refused by ltm", jwcrypto_signature_tampering_is_caught)

print(f"1..{len(results)}")
for i, (ok, name, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}")
    if detail:
        print(f"# {detail}")

sys.exit(0 if all(ok for ok, _, _ in results) else 1)
