# class: format-string
# source: pyfence red team, issue 8 item 3 (super() reaches the real str.format_map)
# goal: super(S, s).format_map walks attributes in C
# expect: blocked
class S(str):
    pass
def f(): pass
try:
    s = super(S, S("{f.__glo" + "bals__}")).format_map({"f": f})
    print("ESCAPED" if ("__buil" + "tins__") in s else "")
except Exception as e:
    print(type(e).__name__)
