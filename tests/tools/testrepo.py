#!/usr/bin/env python3
"""Builds a small signed Debian repository for the hermetic e2e tests.

    testrepo.py keys DIR              # DIR/gnupg: an archive key and a stranger key;
                                      # DIR/keyring.gpg: the archive key's public part
    testrepo.py build DIR [options]   # DIR/repo: pool/, dists/stable/ (InRelease)
    testrepo.py build DIR --bad       # ... plus the malformed .debs of BAD_PACKAGES

Packages are real .debs made with dpkg-deb; the Packages index is written as
Packages, Packages.xz and Packages.gz, the Release lists all three with their
SHA256 and says Acquire-By-Hash (by-hash copies are made), and InRelease is
clearsigned with gpg using a key generated at test time (no passphrase).

With --bad the repository also publishes .debs that dpkg-deb would never
build, written here byte by byte (ar, tar, compression): an entry escaping the
root, an absolute entry, entries written through a symlink, truncated
archives and a data.tar compression dpkg does not know. Their Packages
stanzas carry their true SHA256 and size, so the fault is in the archive
itself and only unpacking can catch it (tests/e2e/deb_bad_*.sh).
"""
import argparse
import gzip
import hashlib
import io
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
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


# name → (data.tar member name, entries, how the .deb is damaged, extra
# control fields). An entry is (path, kind, payload): kind "dir", "file"
# (payload: bytes) or "symlink" (payload: target). Damage "cut" ends the file
# in the middle of data.tar (the ar header promises more); "short" cuts the
# compressed data.tar itself and writes an ar header that matches, so only
# the decompressor can tell.
NOISE = bytes(hashlib.sha256(str(i).encode()).digest()[j % 32] for i in range(2048) for j in range(32))
BAD_PACKAGES = {
    "evil-escape": ("data.tar.xz", [("./", "dir", None), ("./usr/", "dir", None),
                                    ("../../etc/evil", "file", b"owned\n")], None, ""),
    "evil-absolute": ("data.tar.xz", [("./", "dir", None), ("/etc/evil", "file", b"owned\n")], None, ""),
    "evil-symlink": ("data.tar.xz", [("./", "dir", None), ("./link", "symlink", "/etc"),
                                     ("./link/evil", "file", b"owned\n")], None, ""),
    # A symlink from the package below: evil-link's layer comes first.
    "evil-link": ("data.tar.xz", [("./", "dir", None), ("./link", "symlink", "/etc")], None, ""),
    "evil-through": ("data.tar.xz", [("./", "dir", None), ("./link/", "dir", None),
                                     ("./link/evil", "file", b"owned\n")], None,
                     "Depends: evil-link\n"),
    "evil-truncated": ("data.tar.xz", [("./", "dir", None), ("./usr/", "dir", None),
                                       ("./usr/first", "file", b"first\n"),
                                       ("./usr/noise", "file", NOISE)], "cut", ""),
    "evil-short": ("data.tar.xz", [("./", "dir", None), ("./usr/", "dir", None),
                                   ("./usr/first", "file", b"first\n"),
                                   ("./usr/noise", "file", NOISE)], "short", ""),
    "evil-lz4": ("data.tar.lz4", [("./", "dir", None), ("./usr/", "dir", None),
                                  ("./usr/file", "file", b"data\n")], None, ""),
}


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


def tar_bytes(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for path, kind, payload in entries:
            info = tarfile.TarInfo(path)
            info.mtime, info.uname, info.gname = 1700000000, "root", "root"
            if kind == "dir":
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                t.addfile(info)
            elif kind == "symlink":
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, payload, 0o777
                t.addfile(info)
            else:
                info.size, info.mode = len(payload), 0o644
                t.addfile(info, io.BytesIO(payload))
    return buf.getvalue()


def compress(member, data):
    if member.endswith(".xz"):
        return lzma.compress(data, format=lzma.FORMAT_XZ)
    if member.endswith(".lz4"):
        return subprocess.run(["lz4", "-q", "-c"], input=data, stdout=subprocess.PIPE,
                              check=True).stdout
    raise ValueError(member)


def ar_bytes(members):
    out = b"!<arch>\n"
    for name, data, size in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{size:<10}`\n".encode() + data
        if size % 2:
            out += b"\n"
    return out


def make_bad_deb(pool, name, version, member, entries, damage, fields):
    control = (f"Package: {name}\nVersion: {version}\nArchitecture: amd64\n"
               f"Maintainer: Test <test@test.invalid>\n{fields}"
               f"Description: malformed test package {name}\n").encode()
    control_tar = lzma.compress(tar_bytes([("./", "dir", None), ("./control", "file", control)]),
                                format=lzma.FORMAT_XZ)
    data = compress(member, tar_bytes(entries))
    if damage == "short":
        data = data[:len(data) // 2]
    members = [("debian-binary", b"2.0\n", 4), ("control.tar.xz", control_tar, len(control_tar)),
               (member, data, len(data))]
    deb = ar_bytes(members)
    if damage == "cut":
        deb = deb[:len(deb) - len(data) // 2]
    out = os.path.join(pool, f"{name}_{version}_amd64.deb")
    with open(out, "wb") as f:
        f.write(deb)
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
    for name, (member, entries, damage, fields) in BAD_PACKAGES.items() if args.bad else []:
        deb = make_bad_deb(pool, name, "1.0", member, entries, damage, fields)
        text += stanza(repo, deb, name, "1.0", fields) + "\n"
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
    p.add_argument("--bad", action="store_true", help="also publish BAD_PACKAGES")
    p.add_argument("--version", action="append", default=[], metavar="NAME=VERSION")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    make_keys(args.dir) if args.command == "keys" else build(args.dir, args)


if __name__ == "__main__":
    sys.exit(main())
