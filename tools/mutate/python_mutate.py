"""Mutation testing of Python modules with the standard library alone (no maintained Python mutation tool installs
here: mutmut and cosmic-ray are on PyPI only, and Debian packages neither). `npm run mutate` runs it for a module of
modules.mjs with `kind: 'python'`; docs/testing.md says how it works.

    python_mutate.py <module> --mutate FILE... --tests FILE... [--full]

Each source is parsed with `ast`; every mutant (one small mistake, with StrykerJS's operator names) is written with
`ast.unparse` over the file's copy in a fresh build of the layer, and the module's unittest files run against it in a
process of their own, stopping at the first failure. A failing run kills the mutant, a run past the timeout counts as
killed (Stryker's Timeout), a passing one lets it survive. A mutant marked on the line before its code with
`# mutate: equivalent <Operator>[,<Operator>][ <original code>]: <reason>` is not run (Stryker's Ignored).

The result is written in Stryker's report format (so run.mjs scores and compares it as Stryker's) to
tools/mutate/incremental/<module>.json and reports/mutation/<module>.json. Incremental: a file whose source, tests
and this harness read as recorded keeps its recorded results; any other file has all its mutants run again.
"""
import argparse
import ast
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.relpath(os.path.abspath(__file__), ROOT)
# Where a source of runtime-layer/python lives in the built layer (runtime-layer/build.mjs copies it there).
SOURCE_DIR = "runtime-layer/python"
# `# mutate: equivalent <Operator>[,<Operator>...][ <original code>]: <reason>`; the code narrows the mark to those
# mutants of the line whose original code it is (where a line holds more than one).
EQUIVALENT = re.compile(r"^\s*# mutate: equivalent ([A-Za-z]+(?:,[A-Za-z]+)*)(?: (.+?))?: (.+)$")
# Runs the test files given as arguments, stopping at the first failure.
TEST_RUNNER = """
import os, sys, unittest
suite = unittest.TestSuite()
for path in sys.argv[1:]:
    sys.path.insert(0, os.path.dirname(path))
    suite.addTests(unittest.defaultTestLoader.loadTestsFromName(os.path.basename(path)[:-3]))
sys.exit(0 if unittest.TextTestRunner(stream=open(os.devnull, "w"), failfast=True).run(suite).wasSuccessful() else 1)
"""

COMPARISONS = {
    ast.Lt: (ast.LtE, ast.GtE), ast.LtE: (ast.Lt, ast.Gt), ast.Gt: (ast.GtE, ast.LtE), ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,), ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
}
ARITHMETIC = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Mult, ast.Mod: ast.Mult}
METHODS = {"lower": "upper", "upper": "lower", "startswith": "endswith", "endswith": "startswith"}
STRIPS = {"strip", "lstrip", "rstrip"}
FUNCTIONS = {"any": "all", "all": "any", "min": "max", "max": "min"}
BLOCKS = {ast.FunctionDef: ("body",), ast.If: ("body", "orelse"), ast.For: ("body", "orelse"), ast.While: ("body", "orelse"),
          ast.With: ("body",), ast.Try: ("body", "finalbody"), ast.ExceptHandler: ("body",)}


def mutation_sites(tree):
    """Every mutant of `tree` as (operator, node, apply), in a fixed order; `apply()` makes the change in `tree`."""
    sites = []

    def site(operator, node, apply):
        sites.append((operator, node, apply))

    # Each apply() returns what now stands where the mutated code was, to show it.
    def replace(parent, field, index, new):
        def apply():
            if index is None:
                setattr(parent, field, new)
            else:
                getattr(parent, field)[index] = new
            return new
        return apply

    def set_field(node, field, value):
        def apply():
            setattr(node, field, value)
            return value if isinstance(value, ast.Constant) else node
        return apply

    def visit(node, parent, field, index):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                for swapped in COMPARISONS[type(op)]:
                    site("EqualityOperator", node, lambda i=i, swapped=swapped: node.ops.__setitem__(i, swapped()) or node)
        elif isinstance(node, ast.BoolOp):
            site("LogicalOperator", node, set_field(node, "op", ast.Or() if isinstance(node.op, ast.And) else ast.And()))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            site("BooleanLiteral", node, replace(parent, field, index, node.operand))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            site("UnaryOperator", node, set_field(node, "op", ast.UAdd()))
        elif isinstance(node, ast.BinOp) and type(node.op) in ARITHMETIC and not any(
                isinstance(side, ast.JoinedStr) or (isinstance(side, ast.Constant) and isinstance(side.value, str))
                for side in (node.left, node.right)):
            site("ArithmeticOperator", node, set_field(node, "op", ARITHMETIC[type(node.op)]()))
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool):
                site("BooleanLiteral", node, replace(parent, field, index, ast.Constant(not value)))
            elif isinstance(value, (int, float)):
                site("NumberLiteral", node, replace(parent, field, index, ast.Constant(value + 1)))
                site("NumberLiteral", node, replace(parent, field, index, ast.Constant(value - 1)))
            elif isinstance(value, (str, bytes)) and id(parent) not in docstrings:
                empty = value[:0]
                new = empty if value else ("mutate!" if isinstance(value, str) else b"mutate!")
                site("StringLiteral", node, replace(parent, field, index, ast.Constant(new)))
            return
        elif isinstance(node, ast.JoinedStr):
            site("StringLiteral", node, replace(parent, field, index, ast.Constant("")))
            return  # its parts are one literal
        elif isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Attribute) and function.attr in METHODS:
                swapped = copy.copy(function)
                swapped.attr = METHODS[function.attr]
                site("MethodExpression", node, set_field(node, "func", swapped))
            elif isinstance(function, ast.Attribute) and function.attr in STRIPS and not node.args:
                site("MethodExpression", node, replace(parent, field, index, function.value))
            elif isinstance(function, ast.Name) and function.id in FUNCTIONS:
                site("MethodExpression", node, set_field(node, "func", ast.Name(FUNCTIONS[function.id], ast.Load())))
        elif isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load) and node.elts:
            site("ArrayDeclaration", node, replace(parent, field, index, type(node)([], ast.Load())))
        elif isinstance(node, ast.Dict) and node.keys:
            site("ObjectLiteral", node, replace(parent, field, index, ast.Dict([], [])))
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            site("ReturnValue", node, set_field(node, "value", ast.Constant(None)))

        if isinstance(node, (ast.If, ast.While, ast.IfExp)):
            site("ConditionalExpression", node.test, set_field(node, "test", ast.Constant(True)))
            site("ConditionalExpression", node.test, set_field(node, "test", ast.Constant(False)))
        for block_field in BLOCKS.get(type(node), ()):
            body = getattr(node, block_field)
            # An `elif` is mutated as the `if` it is; a body that is only `pass` or a docstring has nothing to remove.
            is_elif = block_field == "orelse" and len(body) == 1 and isinstance(body[0], ast.If)
            docstring = isinstance(node, ast.FunctionDef) and body and id(body[0]) in docstrings
            if body and not is_elif and not all(isinstance(statement, ast.Pass) for statement in body[1 if docstring else 0:]):
                site("BlockStatement", body[0], set_field(node, block_field, [ast.Pass()]))

        for child_field, value in ast.iter_fields(node):
            if isinstance(value, list):
                for i, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        visit(child, node, child_field, i)
            elif isinstance(value, ast.AST):
                visit(value, node, child_field, None)

    # The statements that are docstrings: a string expression first in a module, class or function.
    docstrings = {id(holder.body[0]) for holder in ast.walk(tree)
                  if isinstance(holder, (ast.Module, ast.ClassDef, ast.FunctionDef)) and holder.body
                  and isinstance(holder.body[0], ast.Expr)}
    visit(tree, None, None, None)
    return sites


def column(lines, line, byte_offset):
    """ast's UTF-8 byte offset as Stryker's 1-based character column."""
    return len(lines[line - 1].encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def equivalent_marks(lines):
    """{line: ({operators}, original code or None, reason)} for each `# mutate: equivalent` comment, for the next line
    that is not a comment."""
    marks = {}
    for number, text in enumerate(lines, 1):
        match = EQUIVALENT.match(text)
        if match:
            target = number + 1
            while target <= len(lines) and lines[target - 1].strip().startswith("#"):
                target += 1
            marks[target] = (set(match.group(1).split(",")), match.group(2), match.group(3))
    return marks


def mutants_of(source):
    """Each mutant of `source`: its operator, location, original and mutated code, and the mutated file."""
    lines = source.splitlines()
    marks = equivalent_marks(lines)
    count = len(mutation_sites(ast.parse(source)))
    for number in range(count):
        tree = ast.parse(source)
        operator, node, apply = mutation_sites(tree)[number]
        original = ast.get_source_segment(source, node) or ast.unparse(node)
        location = {"start": {"line": node.lineno, "column": column(lines, node.lineno, node.col_offset)},
                    "end": {"line": node.end_lineno, "column": column(lines, node.end_lineno, node.end_col_offset)}}
        shown = apply()
        mutated_source = ast.unparse(tree)
        replacement = "pass" if operator == "BlockStatement" else ast.unparse(shown)
        operators, code, reason = marks.get(node.lineno, ((), None, None))
        yield {
            "id": str(number),
            "mutatorName": operator,
            "original": original,
            "replacement": replacement,
            "location": location,
            "ignoredReason": reason if operator in operators and code in (None, original) else None,
        }, mutated_source


def describe_change(mutant):
    original = mutant["original"].splitlines()
    return f"{original[0]}{' ...' if len(original) > 1 else ''}  ->  {mutant['replacement'].splitlines()[0]}"


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


class Layer:
    """A fresh build of the layer (its constants module is generated from lib/core), where each mutant is written."""

    def __init__(self, sources, tests):
        self.dir = tempfile.mkdtemp(prefix="spaceport-mutate-py-")
        subprocess.run(["node", os.path.join(ROOT, "runtime-layer/build.mjs"), self.dir], check=True, stdout=subprocess.DEVNULL)
        # Every source as ast.unparse writes it, so the run without mutants also proves the rewriting loses nothing.
        self.unmutated = {source: ast.unparse(ast.parse(read(source))) for source in sources}
        for source in sources:
            self.write(source, self.unmutated[source])
        self.tests = [os.path.join(ROOT, test) for test in tests]
        self.env = {**os.environ, "PYTHONPATH": os.path.join(self.dir, "python"), "PYTHONDONTWRITEBYTECODE": "1"}

    def write(self, source, text):
        with open(os.path.join(self.dir, "python", os.path.relpath(source, SOURCE_DIR)), "w", encoding="utf-8") as handle:
            handle.write(text)

    def run_tests(self, timeout):
        """'Killed', 'Survived' or 'Timeout', and the seconds it took."""
        started = time.monotonic()
        try:
            run = subprocess.run([sys.executable, "-B", "-c", TEST_RUNNER, *self.tests], env=self.env, timeout=timeout,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return "Timeout", time.monotonic() - started
        return ("Survived" if run.returncode == 0 else "Killed"), time.monotonic() - started

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module")
    parser.add_argument("--mutate", nargs="+", required=True)
    parser.add_argument("--tests", nargs="+", required=True)
    parser.add_argument("--full", action="store_true", help="run every mutant again")
    options = parser.parse_args()
    started = time.monotonic()
    incremental_file = os.path.join(ROOT, "tools/mutate/incremental", f"{options.module}.json")
    recorded = {}
    if os.path.exists(incremental_file) and not options.full:
        with open(incremental_file, encoding="utf-8") as handle:
            recorded = json.load(handle)

    # The tests, and this harness (a new operator changes every file's mutants), as the report records them.
    test_files = {path: {"source": read(path), "tests": []} for path in [*options.tests, HARNESS]}
    tests_unchanged = set(recorded.get("testFiles", {})) == set(test_files) and all(
        recorded["testFiles"][path]["source"] == file["source"] for path, file in test_files.items())
    files = {}
    layer = None
    timeout = None
    try:
        for path in options.mutate:
            source = read(path)
            before = recorded.get("files", {}).get(path)
            if tests_unchanged and before is not None and before["source"] == source:
                files[path] = before
                print(f"{path}: unchanged, {len(before['mutants'])} mutants as recorded")
                continue
            if layer is None:
                layer = Layer(options.mutate, options.tests)
                status, seconds = layer.run_tests(timeout=600)
                if status != "Survived":
                    print(f"python_mutate: the tests fail without any mutant ({status}); fix them first", file=sys.stderr)
                    sys.exit(2)  # 1 would read as a finished run below its threshold
                # Generous: the machine is shared. A mutant that makes a loop endless is stopped at it (a Timeout).
                timeout = max(10.0, 10 * seconds)
            mutants = []
            for mutant, mutated_source in mutants_of(source):
                if mutant["ignoredReason"] is None:
                    layer.write(path, mutated_source)
                    mutant["status"], _ = layer.run_tests(timeout)
                else:
                    mutant["status"] = "Ignored"
                    mutant["statusReason"] = mutant.pop("ignoredReason")
                mutant.pop("ignoredReason", None)
                if mutant["status"] == "Survived":
                    print(f"Survived {mutant['mutatorName']} {path}:{mutant['location']['start']['line']}: "
                          f"{describe_change(mutant)}", flush=True)
                mutants.append(mutant)
                if len(mutants) % 100 == 0:
                    print(f"{path}: {len(mutants)} mutants so far", flush=True)
            layer.write(path, layer.unmutated[path])
            files[path] = {"language": "python", "source": source, "mutants": mutants}
            print(f"{path}: {len(mutants)} mutants run")
    finally:
        if layer is not None:
            layer.remove()

    report = {"schemaVersion": "2", "thresholds": {"high": 100, "low": 90}, "files": files, "testFiles": test_files,
              "framework": {"name": "python_mutate (tools/mutate)"}}
    for path, file in files.items():
        for mutant in file["mutants"]:
            if mutant["status"] == "Survived" and file is recorded.get("files", {}).get(path):
                print(f"Survived {mutant['mutatorName']} {path}:{mutant['location']['start']['line']}: "
                      f"{describe_change(mutant)} (as recorded)")
    counts = {}
    for file in files.values():
        for mutant in file["mutants"]:
            counts[mutant["status"]] = counts.get(mutant["status"], 0) + 1
    print(f"python_mutate {options.module}: {counts} in {time.monotonic() - started:.1f} s")
    for output in (incremental_file, os.path.join(ROOT, "reports/mutation", f"{options.module}.json")):
        os.makedirs(os.path.dirname(output), exist_ok=True)
        with open(output, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1, ensure_ascii=False)
            handle.write("\n")


if __name__ == "__main__":
    main()
