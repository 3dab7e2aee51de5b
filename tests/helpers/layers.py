#!/usr/bin/env python3
"""The direction of tool/'s dependencies, from its #include lines.

Levels: lib 0; git, mail 1; port, build, boot 2; report 3; builtin 4; main.c 5.
A file may include its own folder and lower levels only, never a sibling
of its own level; and the files of a folder include one another without a
cycle (a .c and its .h are one node). Prints every violation; exit 1 if any."""
import os, re, sys

LEVEL = {"lib": 0, "git": 1, "mail": 1, "port": 2, "build": 2, "boot": 2, "report": 3, "builtin": 4}
root = sys.argv[1] if len(sys.argv) > 1 else "tool"
bad = []
graph = {}
for folder in sorted(LEVEL):
    for f in sorted(os.listdir(os.path.join(root, folder))):
        if not f.endswith((".c", ".h")):
            continue
        node = folder + "/" + f[:-2]
        for inc in re.findall(r'^#include "([^"]+)"', open(os.path.join(root, folder, f)).read(), re.M):
            if "/" not in inc:
                bad.append("%s/%s includes \"%s\": not a tool/<folder>/ header" % (folder, f, inc))
                continue
            to = inc.split("/")[0]
            if to not in LEVEL:
                bad.append("%s/%s includes %s: no such folder" % (folder, f, inc))
            elif to == folder:
                if inc[:-2] != node:
                    graph.setdefault(node, set()).add(inc[:-2])
            elif LEVEL[to] >= LEVEL[folder]:
                bad.append("%s/%s (level %d) includes %s (level %d): dependencies run one way"
                           % (folder, f, LEVEL[folder], inc, LEVEL[to]))

# cycles inside a folder
state = {}
def visit(n, path):
    state[n] = 1
    for m in sorted(graph.get(n, ())):
        if state.get(m) == 1:
            bad.append("include cycle: " + " -> ".join(path[path.index(m):] + [m]) if m in path else m)
        elif not state.get(m):
            visit(m, path + [m])
    state[n] = 2
for n in sorted(graph):
    if not state.get(n):
        visit(n, [n])

for b in bad:
    print(b)
print("%d violations" % len(bad))
sys.exit(1 if bad else 0)
