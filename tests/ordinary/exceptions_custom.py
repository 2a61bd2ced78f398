class AppError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code

class NotFound(AppError):
    pass

def find(items, key):
    try:
        return items[key]
    except KeyError as e:
        raise NotFound(404, f"missing {key}") from e

try:
    find({"a": 1}, "b")
except AppError as e:
    print(type(e).__name__, e.code, e, type(e.__cause__).__name__)

def risky(n):
    if n < 0:
        raise ValueError("negative")
    return n

results = []
for n in (1, -1, 2):
    try:
        results.append(risky(n))
    except ValueError as e:
        results.append(str(e))
    else:
        results.append("ok")
    finally:
        results.append(".")
print(results)
try:
    raise ExceptionGroup("many", [ValueError("a"), TypeError("b")])
except* ValueError as g:
    print("values:", [str(x) for x in g.exceptions])
except* TypeError as g:
    print("types:", [str(x) for x in g.exceptions])
e = AppError(1, "x")
e.add_note("context")
print(e.__notes__)
