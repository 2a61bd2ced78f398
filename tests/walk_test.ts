/**
 * The guard's own tree walks (src/python/pyfence_guard/walk.py) against
 * the standard library's, over every Python source in tests/ and
 * bench/programs/: the same nodes (less contexts and operators, which
 * hold no code), parents before children, the same visiting order, the
 * same transformations, locations and depth. A walk that skipped a node
 * would skip a check. The comparison is trusted Python in a Pyodide of the
 * test's own, with the guard's files installed as the worker installs them.
 */
import { deepEqual, ok } from "assert";
import { loadPyodide } from "pyodide";
import { GUARD_FILES } from "../src/generated/guard_files.ts";
import { PYODIDE_DIR } from "../src/host/assets.ts";

function sources(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: URL) => {
    for (const e of Deno.readDirSync(dir)) {
      const u = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) walk(u);
      // (The parser attacks' huge and deep sources test the parser, not these walks.)
      else if (e.name.endsWith(".py") && Deno.statSync(u).size < 20_000) {
        out[u.pathname] = Deno.readTextFileSync(u);
      }
    }
  };
  walk(new URL("./", import.meta.url));
  walk(new URL("../bench/programs/", import.meta.url));
  return out;
}

const COMPARE = `
import ast, copy, json
from pyfence_guard import walk

NO_CODE = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop)
report = {"files": 0, "nodes": 0, "mismatches": []}

def old_depth(tree):
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((c, d + 1) for c in ast.iter_child_nodes(node))
    return deepest

class Record(ast.NodeVisitor):
    def __init__(self): self.seen = []
    def generic_visit(self, node):
        if not isinstance(node, NO_CODE): self.seen.append(id(node))
        super().generic_visit(node)

class NewRecord(walk.Visitor):
    def __init__(self): self.seen = []
    def generic_visit(self, node):
        self.seen.append(id(node))
        super().generic_visit(node)

def edits(base):
    class Edit(base):
        # One of each kind of answer: a new node, None (remove), a list (splice).
        def visit_Constant(self, node):
            return ast.Constant(value=repr(node.value)) if type(node.value) is int else node
        def visit_Pass(self, node):
            return None
        def visit_Expr(self, node):
            self.generic_visit(node)
            return [node, ast.Expr(value=ast.Constant(value=0))]
    return Edit

OldEdit, NewEdit = edits(ast.NodeTransformer), edits(walk.Transformer)

def strip(tree):
    for i, n in enumerate(ast.walk(tree)):
        if i % 3 == 0:
            for a in ("lineno", "col_offset", "end_lineno", "end_col_offset"):
                if a in n._attributes and hasattr(n, a):
                    delattr(n, a)
    return tree

for path, src in sorted(json.loads(SOURCES).items()):
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        continue
    report["files"] += 1
    want = [n for n in ast.walk(tree) if not isinstance(n, NO_CODE)]
    got = list(walk.walk(tree))
    report["nodes"] += len(got)
    def bad(what): report["mismatches"].append(f"{path}: {what}")
    if sorted(map(id, want)) != sorted(map(id, got)) or len(got) != len(set(map(id, got))):
        bad("walk() nodes")
    position = {id(n): i for i, n in enumerate(got)}
    if any(position[id(c)] < position[id(n)] for n in got for c in walk.children(n)):
        bad("walk() yields a child before its parent")
    if [id(c) for c in walk.children(tree)] != [id(c) for c in ast.iter_child_nodes(tree) if not isinstance(c, NO_CODE)]:
        bad("children() order")
    if walk.depth(tree, 10**9) != old_depth(tree):
        bad("depth()")
    a, b = Record(), NewRecord()
    a.visit(tree); b.visit(tree)
    if a.seen != b.seen:
        bad("Visitor order")
    try:
        deep = old_depth(tree) > 200
    except RecursionError:
        deep = True
    if deep:
        continue  # (ast's recursive helpers below would overflow)
    if ast.dump(OldEdit().visit(copy.deepcopy(tree))) != ast.dump(NewEdit().visit(copy.deepcopy(tree))):
        bad("Transformer")
    one, two = strip(copy.deepcopy(tree)), strip(copy.deepcopy(tree))
    if ast.dump(ast.fix_missing_locations(one), include_attributes=True) != \\
            ast.dump(walk.fix_missing_locations(two), include_attributes=True):
        bad("fix_missing_locations()")
json.dumps(report)
`;

Deno.test("walk.py: the guard's walks see every node that holds code, as ast's do", async () => {
  const all = sources();
  const pyodide = await loadPyodide({ indexURL: PYODIDE_DIR.pathname } as never);
  const dir = "/lib/python3.14/site-packages/pyfence_guard";
  pyodide.FS.mkdirTree(dir);
  for (const [name, text] of Object.entries(GUARD_FILES)) {
    pyodide.FS.writeFile(`${dir}/${name}`, text);
  }
  pyodide.globals.set("SOURCES", JSON.stringify(all));
  const report = JSON.parse(pyodide.runPython(COMPARE));
  deepEqual(report.mismatches, []);
  // Every source that parses was compared (a few attack files do not parse on purpose).
  ok(report.files >= Object.keys(all).length - 10, `${report.files} of ${Object.keys(all).length}`);
  ok(report.nodes > 20_000, `${report.nodes} nodes`);
});
