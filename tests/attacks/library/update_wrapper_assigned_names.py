# class: library
# source: pyfence red team, issue 9 item 4 (update_wrapper reads and writes attributes by name)
# goal: copy a library function's __globals__ into a script object, then read it from its dict
# policy: compute
# expect: blocked
import functools, random
class Holder:
    pass
h = Holder()
try:
    functools.update_wrapper(h, random.seed, assigned=("__glo" + "bals__",), updated=())
    g = vars(h)["__glo" + "bals__"]
    print("ESCAPED" if "_os" in g else "")
except Exception as e:
    print(type(e).__name__)
