# class: format-string
# source: pyfence red team, issue 8 item 3 (a stand-in exposes the real class reflectively)
# goal: string.Formatter's __bases__/__mro__/mro() lead to the real Formatter and its get_field
# policy: compute
# expect: blocked
import string
def f(): pass
found = []
for c in list(string.Formatter.__mro__) + list(string.Formatter.__bases__) + string.Formatter.mro():
    g = getattr(c, "get_field", None)
    if g is not None and c is not string.Formatter:
        try:
            v = g(c(), "0.__glo" + "bals__", (f,), {})[0]
            found.append(v)
        except Exception:
            pass
print("ESCAPED" if found else "")
