# class: format-string
# source: pyfence red team, issue 8 item 3 (library wrapper calls the real str.format)
# goal: UserString.format walks attributes in C
# policy: compute
# expect: blocked
import collections
def f(): pass
try:
    s = collections.UserString("{0.__glo" + "bals__}").format(f)
    print("ESCAPED" if ("__buil" + "tins__") in str(s) else "")
except Exception as e:
    print(type(e).__name__)
