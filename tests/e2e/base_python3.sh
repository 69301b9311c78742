# python3: every standard-library module imports, the filesystem encoding is
# utf-8, there is no shell (subprocess with shell=True fails).
source "$(dirname "$0")/lib.bash"
need podman
need_mirror
base_image python3 "$WORK/l" >/dev/null
cat > "$WORK/check.py" <<'P'
import pkgutil, subprocess, sys, importlib
# Windows-only modules, and dbm.gnu (Debian ships _gdbm in python3-gdbm,
# which distroless does not include either).
skip = ("asyncio.windows_events", "asyncio.windows_utils", "encodings.mbcs", "encodings.oem",
        "multiprocessing.popen_spawn_win32", "distutils._msvccompiler", "distutils.msvc9compiler",
        "dbm.gnu",
        # lib2to3.pgen2.conv imports a top-level 'pgen2' and fails on every
        # install (a CPython leftover).
        "lib2to3.pgen2.conv",
        "this", "antigravity", "test", "tkinter", "turtle", "idlelib", "lib2to3.tests", "ensurepip", "__phello__", "venv", "pydoc_data", "distutils.tests", "ctypes.test", "sqlite3.test", "unittest.test")
failed = []
for m in pkgutil.walk_packages(onerror=lambda name: None):
    name = m.name
    # __main__ modules run programs when imported (unittest, json.tool...).
    if any(name == s or name.startswith(s + ".") for s in skip) or "test" in name.split(".") \
            or name.endswith("__main__"):
        continue
    try:
        importlib.import_module(name)
    except BaseException as e:
        failed.append(f"{name}: {e!r}")
print("encoding", sys.getfilesystemencoding())
try:
    subprocess.check_call("true", shell=True)
    print("shell: present")
except (FileNotFoundError, subprocess.CalledProcessError):
    print("shell: absent")
print("failed", len(failed))
for f in failed[:20]:
    print(f)
P
out=$(prun -v "$WORK/check.py:/check.py:ro" "oci:$WORK/l:python3" /check.py) || fail "python3 did not run: $out"
grep -qx "encoding utf-8" <<<"$out" || fail "$out"
grep -qx "shell: absent" <<<"$out" || fail "$out"
grep -qx "failed 0" <<<"$out" || fail "stdlib imports failed: $out"
expect_eq "python3 version" "$(prun --entrypoint /usr/bin/python3 "oci:$WORK/l:python3" -c 'import sys;print(sys.version_info[0])')" "3"
ok
