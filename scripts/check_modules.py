#!/usr/bin/env python3
"""Prints distill's module dependency graph as CMake declares it and fails on
a cycle or an upward edge.

The graph comes from CMake itself (`cmake --graphviz` on a configured build
tree): the edges between the distill_* libraries. A module is a directory of
src/; an *upward edge* is a product file of one module that includes a
header of another module the first does not depend on, directly or through
the modules it names: the linker would let it through only by luck of the
link order. Test files (*_test.cc, test_*.h) may include anything the
unit_tests binary links.

Usage: scripts/check_modules.py [BUILD_DIR]   (default: build/debug)
Exit 0 when the graph is acyclic and every include follows it; 1 otherwise,
with one line per problem; 2 when CMake cannot produce the graph.
"""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)


def cmake_graph(build_dir):
    """Edges between distill_* libraries, read from cmake --graphviz."""
    with tempfile.TemporaryDirectory() as tmp:
        dot = os.path.join(tmp, "deps.dot")
        r = subprocess.run(["cmake", "--graphviz=" + dot, build_dir],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0 or not os.path.exists(dot):
            sys.stderr.write("check_modules: cmake --graphviz failed: %s\n" % r.stderr.strip())
            sys.exit(2)
        text = open(dot).read()
    names = dict(re.findall(r'"(node\d+)" \[ label = "([^"]+)"', text))
    graph = {}
    for a, b in re.findall(r'"(node\d+)" -> "(node\d+)"', text):
        la, lb = names.get(a, ""), names.get(b, "")
        if la.startswith("distill_") and lb.startswith("distill_"):
            graph.setdefault(la[8:], set()).add(lb[8:])
    for label in names.values():
        if label.startswith("distill_"):
            graph.setdefault(label[8:], set())
    return graph


def find_cycle(graph):
    state, stack = {}, []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def closure(graph, n, seen=None):
    seen = set() if seen is None else seen
    for m in graph.get(n, ()):
        if m not in seen:
            seen.add(m)
            closure(graph, m, seen)
    return seen


def layers(graph):
    """Modules by height: 0 for those that depend on no other module."""
    height = {}

    def h(n):
        if n not in height:
            height[n] = 1 + max((h(m) for m in graph.get(n, ())), default=-1)
        return height[n]

    for n in graph:
        h(n)
    return height


def main():
    build_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "debug")
    graph = cmake_graph(build_dir)
    problems = []
    cycle = find_cycle(graph)
    if cycle:
        problems.append("cycle: " + " -> ".join(cycle))
    height = layers(graph) if not cycle else {n: 0 for n in graph}
    for level in range(max(height.values()) + 1):
        row = sorted(n for n in graph if height[n] == level)
        for n in row:
            deps = ", ".join(sorted(graph[n])) or "-"
            print("%d  %-10s -> %s" % (level, n, deps))
    src = os.path.join(ROOT, "src")
    for module in sorted(os.listdir(src)):
        path = os.path.join(src, module)
        if not os.path.isdir(path):
            continue
        if module not in graph:
            problems.append("src/%s is not a CMake module (distill_module)" % module)
            continue
        allowed = closure(graph, module) | {module}
        for name in sorted(os.listdir(path)):
            if not name.endswith((".cc", ".h")) or name.endswith("_test.cc") or name.startswith("test_"):
                continue
            text = open(os.path.join(path, name), encoding="utf-8").read()
            for target in sorted(set(INCLUDE.findall(text))):
                if os.path.isdir(os.path.join(src, target)) and target not in allowed:
                    problems.append("upward edge: src/%s/%s includes %s/, which %s does not depend on"
                                    % (module, name, target, module))
    for p in problems:
        print("check_modules: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
