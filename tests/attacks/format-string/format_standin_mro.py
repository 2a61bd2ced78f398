# class: format-string
# source: pyfence red team, issue 8 item 3 (a stand-in's mro() exposes the real class)
# goal: the real string.Formatter.get_field walks attributes
# policy: compute
# expect: blocked
import string
def f(): pass
try:
    real = type.mro(string.Formatter)[1]
    v = real().get_field("0.__glo" + "bals__", (f,), {})[0]
    print("ESCAPED" if ("__buil" + "tins__") in v else "")
except Exception as e:
    print(type(e).__name__)
