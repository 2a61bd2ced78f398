from typing import (TypedDict, Required, NotRequired, Literal, Annotated, Any,
                    get_type_hints, get_origin, get_args, Union)

class Range:
    def __init__(self, lo, hi):
        self.lo, self.hi = lo, hi
    def __repr__(self):
        return f"Range({self.lo}, {self.hi})"

class DBConfig(TypedDict):
    host: str
    port: Annotated[int, Range(1, 65535)]
    user: NotRequired[str]

class AppConfig(TypedDict, total=False):
    name: Required[str]
    mode: Literal["dev", "prod"]
    workers: Annotated[int, Range(1, 64)]
    db: DBConfig
    tags: list[str]
    timeout: float | None

def check(value: Any, hint: Any, path: str, errors: list[str]) -> None:
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        check(value, args[0], path, errors)
        for meta in args[1:]:
            if isinstance(meta, Range) and isinstance(value, int) and not meta.lo <= value <= meta.hi:
                errors.append(f"{path}: {value} not in {meta}")
    elif origin is Literal:
        if value not in args:
            errors.append(f"{path}: {value!r} not one of {args}")
    elif origin is Union or (origin is not None and origin.__name__ == "UnionType"):
        if not any(_fits(value, a) for a in args):
            errors.append(f"{path}: {value!r} matches none of {[getattr(a, '__name__', a) for a in args]}")
    elif origin is list:
        if not isinstance(value, list):
            errors.append(f"{path}: expected list")
        else:
            for i, item in enumerate(value):
                check(item, args[0], f"{path}[{i}]", errors)
    elif isinstance(hint, type) and hasattr(hint, "__required_keys__"):
        validate(value, hint, path, errors)
    elif isinstance(hint, type) and not isinstance(value, hint):
        errors.append(f"{path}: expected {hint.__name__}, got {type(value).__name__}")

def _fits(value, hint):
    errs = []
    check(value, hint, "", errs)
    return not errs

def validate(data: dict, td: type, path: str = "$", errors: list[str] | None = None) -> list[str]:
    errors = [] if errors is None else errors
    hints = get_type_hints(td, include_extras=True)
    for key in sorted(td.__required_keys__ - data.keys()):
        errors.append(f"{path}.{key}: required")
    for key, value in data.items():
        if key not in hints:
            errors.append(f"{path}.{key}: unknown key")
        else:
            check(value, hints[key], f"{path}.{key}", errors)
    return errors

print(sorted(AppConfig.__required_keys__), sorted(AppConfig.__optional_keys__), AppConfig.__total__)
print(sorted(DBConfig.__required_keys__), sorted(DBConfig.__optional_keys__))
print({k: str(v) for k, v in get_type_hints(DBConfig).items()})
good: AppConfig = {"name": "shop", "mode": "prod", "workers": 8, "db": {"host": "h", "port": 5432}, "tags": ["a"], "timeout": None}
print("good:", validate(good, AppConfig))
bad = {"mode": "test", "workers": 100, "db": {"port": 0, "extra": 1}, "tags": ["ok", 3], "timeout": "soon"}
for err in validate(bad, AppConfig):
    print("  ", err)
ann = get_type_hints(AppConfig, include_extras=True)["workers"]
print(get_origin(ann) is Annotated, get_args(ann), ann.__metadata__)
