# class: resource-recursion
# source: pyfence red team of the membrane (issue 15): the guard's own stack running out in a prologue or a library return
# goal: recurse to just below the limit, then make a prologue or a library return check run out of stack, catch the error and carry on with the value unchecked
# expect: blocked
import json


class Cm:
    def __exit__(self, t, v, tb):
        return tb


def deep(n, f):
    if n:
        return deep(n - 1, f)
    try:
        return f()
    except RecursionError:
        return "recursion"


for depth in range(300, 420, 7):
    for f in (lambda: Cm().__exit__(None, None, None), lambda: json.loads("[1]")):
        r = deep(depth, f)
        if type(r).__name__ in ("traceback", "frame", "module"):
            print("ESCAPED")
print("done")
