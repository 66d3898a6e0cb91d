"""The shipped shiksha.pyi must describe the module that was built: same names, same
parameters. pybind11 puts each function's signature on the first line of its docstring."""

import ast
import inspect
import pathlib
import re

import shiksha

STUB = pathlib.Path(__file__).resolve().parent.parent / "shiksha.pyi"


def stub_tree():
    return ast.parse(STUB.read_text(encoding="utf-8"))


def public(name):
    return not name.startswith("_")


def stub_names(body):
    names = {}
    for node in body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = node
    return names


def split_top_level(text):
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        parts.append(current)
    return parts


def runtime_parameters(func):
    """Parameter names from pybind11's signature line, e.g. 'get(self: X, id: int) -> Y', or
    from the signature of a function written in Python (shiksha/__init__.py)."""
    if inspect.isfunction(func):
        names = []
        for p in inspect.signature(func).parameters.values():
            if p.kind is p.KEYWORD_ONLY and "*" not in names:
                names.append("*")
            names.append("**" if p.kind is p.VAR_KEYWORD else p.name)
        return names
    first_line = (func.__doc__ or "").splitlines()[0]
    match = re.match(r"^\w+\((.*)\) ->", first_line)
    assert match, f"no signature in {first_line!r}"
    names = []
    for part in split_top_level(match.group(1)):
        part = part.strip()
        names.append("**" if part.startswith("**") else part.split(":")[0].split("=")[0].strip())
    return names


def stub_parameters(node):
    args = node.args
    names = [a.arg for a in args.posonlyargs + args.args]
    if args.kwonlyargs:
        names.append("*")  # pybind11 shows py::kw_only() as a bare '*'
        names += [a.arg for a in args.kwonlyargs]
    if args.kwarg:
        names.append("**")  # pybind11 always calls it **kwargs; the stub may name it
    return names


def is_property(node):
    return any(
        (isinstance(d, ast.Name) and d.id == "property") or isinstance(d, ast.Attribute)
        for d in node.decorator_list
    )


def test_stub_and_module_export_the_same_names():
    in_stub = {n for n in stub_names(stub_tree().body) if public(n)}
    at_runtime = {n for n in dir(shiksha) if public(n)}
    assert in_stub == at_runtime


def test_stub_functions_have_the_runtime_parameters():
    for name, node in stub_names(stub_tree().body).items():
        if isinstance(node, ast.FunctionDef) and public(name):
            assert stub_parameters(node) == runtime_parameters(getattr(shiksha, name)), name


def test_stub_classes_have_the_runtime_members():
    for class_name, node in stub_names(stub_tree().body).items():
        if not isinstance(node, ast.ClassDef) or not public(class_name):
            continue
        cls = getattr(shiksha, class_name)
        members = stub_names(node.body)
        # Every member the stub promises exists ...
        for member in members:
            assert hasattr(cls, member), f"{class_name}.{member} is in the stub but not the module"
        # ... and every public member the binding defines is in the stub (or its stub base).
        inherited = set()
        stub_classes = stub_names(stub_tree().body)
        for base in node.bases:
            # Public bases exist at runtime; private ones (_WireMapping) only name what the
            # package adds to several classes.
            if isinstance(base, ast.Name) and base.id in stub_classes:
                inherited |= set(stub_names(stub_classes[base.id].body))
        own = {n for n in vars(cls) if public(n)}
        if issubclass(cls, BaseException):
            own -= {"code"} & inherited
        missing = own - set(members) - inherited
        assert not missing, f"{class_name} members missing from the stub: {sorted(missing)}"
        # Methods take the parameters the binding declares.
        for member, member_node in members.items():
            if isinstance(member_node, ast.FunctionDef) and not is_property(member_node):
                runtime = getattr(cls, member)
                if not inspect.isroutine(runtime) or not (runtime.__doc__ or "").startswith(member):
                    continue
                assert stub_parameters(member_node) == runtime_parameters(runtime), f"{class_name}.{member}"
