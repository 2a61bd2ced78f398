# class: format-string
# source: pyfence red team, issue 8 item 3 (library wrapper calls the real str.format_map)
# goal: UserString.format_map walks attributes in C
# expect: blocked
import collections
def f(): pass
try:
    s = collections.UserString("{f.__glo" + "bals__}").format_map({"f": f})
    print("ESCAPED" if ("__buil" + "tins__") in str(s) else "")
except Exception as e:
    print(type(e).__name__)
