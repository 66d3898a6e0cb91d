"""help(shiksha.Platform) and every engine method document their parameters, what they return
and what they raise (Google style: Args:, Returns:, Raises: sections)."""

import inspect
import re

import pytest
import shiksha

from test_stub import runtime_parameters

ENGINES = [shiksha.Platform] + [getattr(shiksha, n) for n in dir(shiksha) if n.endswith("Engine")]


def methods(cls):
    for name, member in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(member, property):
            continue
        routine = getattr(cls, name)
        if inspect.isroutine(routine) and (routine.__doc__ or "").startswith(name):
            yield name, routine


def sections(doc):
    """{'Args': text, 'Returns': text, 'Raises': text} from a Google-style docstring."""
    found = {}
    for match in re.finditer(r"^(Args|Returns|Raises):\n((?:    .*\n?|\n)*)", doc, re.M):
        found[match.group(1)] = match.group(2)
    return found


def test_every_engine_is_covered():
    assert {c.__name__ for c in ENGINES} >= {"Platform", "ManualEngine", "RetrievalEngine", "ModuleEngine",
                                              "VideoEngine", "AnalyticsEngine", "DeliveryEngine"}
    assert sum(1 for c in ENGINES for _ in methods(c)) >= 80


@pytest.mark.parametrize("cls", ENGINES, ids=lambda c: c.__name__)
def test_methods_document_parameters_returns_and_raises(cls):
    problems = []
    for name, routine in methods(cls):
        doc = routine.__doc__
        found = sections(doc)
        where = f"{cls.__name__}.{name}"
        for section in ("Returns", "Raises"):
            if not found.get(section, "").strip():
                problems.append(f"{where}: no {section}: section")
        params = [p for p in runtime_parameters(routine) if p not in ("self", "*")]
        documented = set()
        for names in re.findall(r"^    (\*{0,2}\w+(?:, \w+)*):", found.get("Args", ""), re.M):
            documented.update(names.split(", "))  # "a, b: as for f()" documents both
        for p in params:
            if (p if p != "**" else "**fields") not in documented and not (p == "**" and any(d.startswith("**") for d in documented)):
                problems.append(f"{where}: parameter {p} is not under Args:")
        for d in documented:
            if d.lstrip("*") not in params and not (d.startswith("**") and "**" in params):
                problems.append(f"{where}: Args: names {d}, which it does not take")
    assert not problems, "\n".join(problems)


def test_platform_properties_say_what_they_are():
    for name, member in vars(shiksha.Platform).items():
        if isinstance(member, property) and not name.startswith("_"):
            assert member.__doc__ and len(member.__doc__) > 10, name


def test_help_shows_the_documentation():
    text = inspect.getdoc(shiksha.ManualEngine.index)
    assert "KeyboardInterrupt" in text and "progress" in text and "IndexReport" in text
