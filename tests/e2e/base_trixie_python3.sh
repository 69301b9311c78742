# python3 on trixie: Debian's CPython 3.13; every standard-library module
# imports, the filesystem encoding is utf-8, there is no shell, and
# /usr/bin/python3 is the 3.13 interpreter.
source "$(dirname "$0")/lib.bash"
need podman
need_mirror
source "$SRCDIR/tests/tools/mirror.bash"
curl -sf --max-time 15 -o /dev/null "$(host_mirror)/dists/trixie/InRelease" || skip "the mirror does not serve trixie"
printf 'base: python3\ndebian: {suite: trixie}\n' > "$WORK/py.yaml"
"$DISTILL" build -f "$WORK/py.yaml" --cache "$SHARED_CACHE" --progress=none -o "oci:$WORK/l:python3" >/dev/null 2>"$WORK/build.err" ||
  { cat "$WORK/build.err" >&2; fail "building python3 (trixie)"; }
mkdir -p "$WORK/chk"
cat > "$WORK/chk/stdlib_check.py" <<'P'
import importlib, pkgutil, subprocess, sys
# Other platforms' modules; dbm.gnu (_gdbm is in python3-gdbm, which
# distroless leaves out too); _distutils_system_mod (Debian's hook for the
# distutils that 3.12 removed); _pyrepl._minimal_curses (the REPL's ctypes
# fallback when _curses is missing, and _curses is present); the test,
# GUI and packaging modules distroless does not ship.
skip = ("asyncio.windows_events", "asyncio.windows_utils", "encodings.mbcs", "encodings.oem",
        "multiprocessing.popen_spawn_win32", "_pyrepl.windows_console", "_pyrepl.windows_eventqueue",
        "_ios_support", "_android_support", "dbm.gnu", "_distutils_system_mod", "_pyrepl._minimal_curses",
        "this", "antigravity", "test", "tkinter", "turtle", "idlelib", "ensurepip", "__phello__", "venv",
        "pydoc_data", "ctypes.test", "sqlite3.test", "unittest.test", "stdlib_check")
failed = []
count = 0
for m in pkgutil.walk_packages(onerror=lambda name: None):
    name = m.name
    if any(name == s or name.startswith(s + ".") for s in skip) or "test" in name.split(".") \
            or name.endswith("__main__"):
        continue
    count += 1
    try:
        importlib.import_module(name)
    except BaseException as e:
        failed.append(f"{name}: {e!r}")
print("version", "%d.%d" % sys.version_info[:2])
print("encoding", sys.getfilesystemencoding())
print("modules", count)
try:
    subprocess.check_call("true", shell=True)
    print("shell: present")
except (FileNotFoundError, subprocess.CalledProcessError):
    print("shell: absent")
print("failed", len(failed))
for f in failed[:20]:
    print(f)
P
out=$(prun -v "$WORK/chk:/chk:ro" "oci:$WORK/l:python3" /chk/stdlib_check.py) || fail "python3 did not run: $out"
grep -qx "version 3.13" <<<"$out" || fail "$out"
grep -qx "encoding utf-8" <<<"$out" || fail "$out"
grep -qx "shell: absent" <<<"$out" || fail "$out"
grep -qx "failed 0" <<<"$out" || fail "stdlib imports failed: $out"
n=$(echo "$out" | sed -n 's/^modules //p')
[ "${n:-0}" -gt 300 ] || fail "only $n modules found: $out"
v=$(prun --entrypoint /usr/bin/python3 "oci:$WORK/l:python3" -c 'import sys, ssl; print(sys.executable, ssl.OPENSSL_VERSION.split()[1][:2])')
expect_eq "/usr/bin/python3" "$v" "/usr/bin/python3 3."
ok
