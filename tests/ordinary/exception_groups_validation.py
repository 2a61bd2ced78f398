from dataclasses import dataclass

class FieldError(ValueError):
    def __init__(self, field, problem):
        super().__init__(field, problem)
        self.field = field
        self.problem = problem
    def __str__(self):
        return f"{self.field}: {self.problem}"

class MissingField(FieldError, KeyError):
    pass

class RangeError(FieldError):
    pass

@dataclass
class Signup:
    username: str
    age: int
    email: str

def validate(raw: dict) -> Signup:
    errors = []
    for key in ("username", "age", "email"):
        if key not in raw:
            errors.append(MissingField(key, "is required"))
    if "age" in raw:
        try:
            age = int(raw["age"])
            if not 13 <= age <= 120:
                errors.append(RangeError("age", f"{age} out of range"))
        except ValueError as e:
            err = FieldError("age", "not a number")
            err.__cause__ = e
            errors.append(err)
    if "email" in raw and "@" not in raw["email"]:
        e = FieldError("email", "missing @")
        e.add_note(f"got {raw['email']!r}")
        errors.append(e)
    if errors:
        raise ExceptionGroup(f"{len(errors)} problem(s)", errors)
    return Signup(raw["username"], int(raw["age"]), raw["email"])

samples = [
    {"username": "ann", "age": "30", "email": "a@x.io"},
    {"username": "bo", "age": "7", "email": "bo.example"},
    {"age": "old"},
]
for raw in samples:
    try:
        print("ok:", validate(raw))
    except* MissingField as g:
        print("missing:", sorted(e.field for e in g.exceptions))
    except* RangeError as g:
        print("range:", [str(e) for e in g.exceptions])
    except* FieldError as g:
        for e in g.exceptions:
            print("field:", e, getattr(e, "__notes__", []), type(e.__cause__).__name__)
try:
    validate({"age": "200", "email": "nope"})
except ExceptionGroup as eg:
    ranges, rest = eg.split(RangeError)
    print(eg.message, len(eg.exceptions), ranges.exceptions, rest.message, len(rest.exceptions))
    print(eg.subgroup(lambda e: isinstance(e, KeyError)).exceptions if eg.subgroup(lambda e: isinstance(e, KeyError)) else None)
    print(repr(eg.derive([ValueError("x")])))

def lookup(table, key):
    try:
        return table[key]
    except KeyError:
        raise LookupError(f"no entry {key!r}") from None

try:
    lookup({}, "k")
except LookupError as e:
    print(e, e.__cause__, e.__suppress_context__, type(e.__context__).__name__)
try:
    try:
        1 / 0
    except ZeroDivisionError:
        {}["missing"]
except KeyError as e:
    print("during handling:", type(e.__context__).__name__, e.args, repr(e))
nested = ExceptionGroup("outer", [ValueError(1), ExceptionGroup("inner", [TypeError(2), ValueError(3)])])
try:
    raise nested
except* ValueError as g:
    print("values", [e.args for e in g.exceptions[0:1]], repr(g))
except* TypeError as g:
    print("types", repr(g))
print(issubclass(MissingField, LookupError), MissingField.__mro__[1].__name__, RangeError("a", "b").args)
