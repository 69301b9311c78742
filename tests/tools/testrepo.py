#!/usr/bin/env python3
"""Builds a small signed Debian repository for the hermetic e2e tests.

    testrepo.py keys DIR              # DIR/gnupg: an archive key and a stranger key;
                                      # DIR/keyring.gpg: the archive key's public part
    testrepo.py build DIR [options]   # DIR/repo: pool/, dists/stable/ (InRelease)

Packages are real .debs made with dpkg-deb; the Packages index is written as
Packages, Packages.xz and Packages.gz, the Release lists all three with their
SHA256 and says Acquire-By-Hash (by-hash copies are made), and InRelease is
clearsigned with gpg using a key generated at test time (no passphrase).
"""
import argparse
import gzip
import hashlib
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import time

# name, version, extra control fields. `app` exercises an alternative, a
# virtual package with a versioned Provides, and a plain dependency chain.
PACKAGES = [
    ("app", "1.0", "Depends: libfoo1 (>= 1.0) | libbar, virt-thing (>= 2), libbase\n"),
    ("libfoo1", "1.2", "Depends: libbase (>= 0.5)\n"),
    ("libbar", "3.0", ""),
    ("libbase", "0.9", ""),
    ("provider", "5.0", "Provides: virt-thing (= 2)\n"),
    ("old-provider", "1.0", "Provides: virt-thing\n"),
    ("broken", "1.0", "Depends: libfoo1 (>= 5)\n"),
]


def run(*cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def gpg(home, *args, **kw):
    run("gpg", "--homedir", home, "--batch", "--quiet", "--pinentry-mode", "loopback",
        "--passphrase", "", *args, **kw)


def make_keys(d):
    home = os.path.join(d, "gnupg")
    os.makedirs(home, mode=0o700, exist_ok=True)
    for uid in ("Test Archive <archive@test.invalid>", "Stranger <stranger@test.invalid>"):
        gpg(home, "--quick-gen-key", uid, "ed25519", "sign", "never")
    with open(os.path.join(d, "keyring.gpg"), "wb") as f:
        gpg(home, "--export", "archive@test.invalid", stdout=f)


def make_deb(pool, name, version, fields):
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "DEBIAN"))
        doc = os.path.join(root, "usr/share/doc", name)
        os.makedirs(doc)
        with open(os.path.join(doc, "README"), "w") as f:
            f.write(f"{name} {version}\n")
        with open(os.path.join(root, "DEBIAN/control"), "w") as f:
            f.write(f"Package: {name}\nVersion: {version}\nArchitecture: amd64\n"
                    f"Maintainer: Test <test@test.invalid>\n{fields}"
                    f"Description: test package {name}\n")
        out = os.path.join(pool, f"{name}_{version}_amd64.deb")
        # Reproducible .debs: a rebuilt repository changes only what a test
        # changed (dpkg-deb clamps mtimes to SOURCE_DATE_EPOCH).
        env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
        run("dpkg-deb", "--root-owner-group", "-Zgzip", "--build", root, out,
            stdout=subprocess.DEVNULL, env=env)
        return out


def stanza(repo, deb, name, version, fields):
    data = open(deb, "rb").read()
    rel = os.path.relpath(deb, repo)
    return (f"Package: {name}\nVersion: {version}\nArchitecture: amd64\n{fields}"
            f"Maintainer: Test <test@test.invalid>\nFilename: {rel}\nSize: {len(data)}\n"
            f"SHA256: {hashlib.sha256(data).hexdigest()}\nDescription: test package {name}\n")


def rfc1123(t):
    return time.strftime("%a, %d %b %Y %H:%M:%S UTC", time.gmtime(t))


def build(d, args):
    repo = os.path.join(d, "repo")
    shutil.rmtree(repo, ignore_errors=True)
    pool = os.path.join(repo, "pool/main")
    os.makedirs(pool)
    overrides = dict(v.split("=", 1) for v in args.version)
    text = ""
    for name, version, fields in PACKAGES:
        version = overrides.get(name, version)
        text += stanza(repo, make_deb(pool, name, version, fields), name, version, fields) + "\n"
    dists = os.path.join(repo, "dists/stable")
    bindir = os.path.join(dists, "main/binary-amd64")
    os.makedirs(os.path.join(bindir, "by-hash/SHA256"))
    files = {"Packages": text.encode(),
             "Packages.xz": lzma.compress(text.encode()),
             "Packages.gz": gzip.compress(text.encode(), mtime=0)}
    hashes = ""
    for fname, data in files.items():
        with open(os.path.join(bindir, fname), "wb") as f:
            f.write(data)
        h = hashlib.sha256(data).hexdigest()
        with open(os.path.join(bindir, "by-hash/SHA256", h), "wb") as f:
            f.write(data)
        hashes += f" {h} {len(data):>8} main/binary-amd64/{fname}\n"
    now = time.time()
    release = (f"Origin: Test\nLabel: Test\nSuite: stable\nCodename: stable\n"
               f"Date: {rfc1123(now - 3600)}\n")
    if args.expired:
        release += f"Valid-Until: {rfc1123(now - 60)}\n"
    release += ("Acquire-By-Hash: yes\nNo-Support-for-Architecture-all: Packages\n"
                "Architectures: amd64\nComponents: main\nSHA256:\n" + hashes)
    with open(os.path.join(dists, "Release"), "w") as f:
        f.write(release)
    signer = "stranger@test.invalid" if args.stranger else "archive@test.invalid"
    gpg(os.path.join(d, "gnupg"), "--local-user", signer, "--digest-algo", "SHA256",
        "--clearsign", "--output", os.path.join(dists, "InRelease"),
        os.path.join(dists, "Release"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("command", choices=["keys", "build"])
    p.add_argument("dir")
    p.add_argument("--expired", action="store_true", help="Valid-Until in the past")
    p.add_argument("--stranger", action="store_true", help="sign with a key not in keyring.gpg")
    p.add_argument("--version", action="append", default=[], metavar="NAME=VERSION")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    make_keys(args.dir) if args.command == "keys" else build(args.dir, args)


if __name__ == "__main__":
    sys.exit(main())
