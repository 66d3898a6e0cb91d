"""Shiksha-Setu SDK: adapt, translate, export and deliver teacher-training modules.

    import shiksha
    p = shiksha.Platform(shiksha.Config("/tmp/shiksha-notebook"))
    report = p.manuals.ingest("handbook.pdf", title="Handbook")
    hits = p.retrieval.search("series circuit bulb", k=3).hits
    shiksha.to_frame(hits)            # a pandas DataFrame, one row per hit

Every library error is raised as a subclass of shiksha.Error carrying .code and .field.
Calls that touch the database, hash passwords, read PDFs or embed text release the GIL;
indexing honours Ctrl-C (KeyboardInterrupt, and the work is cancelled).

The engines are implemented in C++ (the extension shiksha._shiksha); this file only adds
what is easier to say in Python: readable reprs and to_dict() for every result, dict-style
access for results that used to be plain dicts, and to_frame().
"""

from . import _shiksha
from ._shiksha import *  # noqa: F401,F403 - the extension's public names are the package's
from ._shiksha import __version__  # noqa: F401

_RESULT_SKIP_SUFFIXES = ("Engine", "Config")


def _public_classes():
    for name in dir(_shiksha):
        value = getattr(_shiksha, name)
        if not name.startswith("_") and isinstance(value, type):
            yield name, value


def _is_enum(value):
    return hasattr(type(value), "__members__") and hasattr(value, "name")


def _plain(value):
    """A result's attribute as plain Python data: results become dicts, enums their names."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if _is_enum(value):
        return value.name
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _attribute_names(cls):
    # pybind11 registers def_readonly/def_property members as builtin properties, in order.
    names = []
    for klass in reversed(cls.__mro__):
        for name, member in vars(klass).items():
            if isinstance(member, property) and not name.startswith("_") and name not in names:
                names.append(name)
    return names


def _attribute_dict(self):
    """The result as a dict of its attributes (nested results as dicts, enums as names)."""
    return {name: _plain(getattr(self, name)) for name in _attribute_names(type(self))}


def _short(value, width=48):
    if isinstance(value, str):
        return repr(value if len(value) <= width else value[: width - 1] + "\u2026")
    if isinstance(value, (list, tuple)):
        return "[]" if not value else f"[{len(value)} items]"
    if isinstance(value, dict):
        return "{}" if not value else f"{{{len(value)} keys}}"
    if _is_enum(value):
        return value.name
    if hasattr(value, "to_dict"):
        return f"{type(value).__name__}(\u2026)"
    return repr(value)


def _attribute_repr(self):
    fields = ", ".join(f"{n}={_short(getattr(self, n))}" for n in _attribute_names(type(self)))
    return f"{type(self).__name__}({fields})"


def _result_classes():
    for name, cls in _public_classes():
        if issubclass(cls, BaseException) or name == "Platform" or name.endswith(_RESULT_SKIP_SUFFIXES):
            continue
        if hasattr(cls, "__members__"):  # enums
            continue
        yield name, cls


for _name, _cls in _public_classes():
    # help() and reprs say shiksha.Platform, not shiksha._shiksha.Platform.
    try:
        _cls.__module__ = __name__
    except (AttributeError, TypeError):  # pragma: no cover - a type that refuses it
        pass

for _name, _cls in _result_classes():
    if "to_dict" not in vars(_cls):
        _cls.to_dict = _attribute_dict
    if vars(_cls).get("__repr__") is None:
        _cls.__repr__ = _attribute_repr


# Results that were plain dicts before they became typed objects keep dict-style reads by
# their wire keys (summary["total_feedback"]), so code written against the dicts still works.
_MAPPING_RESULTS = (
    "VideoSuggestions",
    "VideoSearchResult",
    "VideoLanguage",
    "CatalogueImport",
    "QuotaUsage",
    "FeedbackSummary",
    "PerformanceReport",
    "TranslationStats",
    "ContactImport",
)


def _getitem(self, key):
    return self.to_dict()[key]


def _get(self, key, default=None):
    """The wire-form value of `key`, or `default` (as dict.get)."""
    return self.to_dict().get(key, default)


def _keys(self):
    """The wire form's keys (as dict.keys)."""
    return self.to_dict().keys()


def _contains(self, key):
    return key in self.to_dict()


for _name in _MAPPING_RESULTS:
    _cls = getattr(_shiksha, _name)
    _cls.__getitem__ = _getitem
    _cls.__contains__ = _contains
    _cls.get = _get
    _cls.keys = _keys

del _name, _cls


def to_frame(results):
    """A pandas DataFrame with one row per result.

    Args:
        results: an iterable of shiksha results (SearchHit, Manual, Module, Feedback, Video...)
            or of dicts. Each row is the result's to_dict(); nested dicts become dotted columns
            ("scores.fused"), lists stay in one cell.

    Returns:
        pandas.DataFrame: empty (no columns) for an empty iterable.

    Raises:
        ImportError: pandas is not installed (Debian: python3-pandas).
        TypeError: an item is neither a result nor a dict.
    """
    try:
        import pandas
    except ImportError as exc:
        raise ImportError("shiksha.to_frame needs pandas (Debian: apt-get install python3-pandas)") from exc
    rows = []
    for item in results:
        if isinstance(item, dict):
            rows.append(item)
        elif hasattr(item, "to_dict"):
            rows.append(item.to_dict())
        else:
            raise TypeError(f"to_frame takes shiksha results or dicts, not {type(item).__name__}")
    if not rows:
        return pandas.DataFrame()
    return pandas.json_normalize(rows, max_level=1)
