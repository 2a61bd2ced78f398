# class: format-string
# source: pyfence red team, issue 8 item 3 (super() reaches the real str.format)
# goal: super(S, s).format walks attributes in C
# expect: blocked
class S(str):
    pass
def f(): pass
try:
    s = super(S, S("{0.__glo" + "bals__}")).format(f)
    print("ESCAPED" if ("__buil" + "tins__") in s else "")
except Exception as e:
    print(type(e).__name__)
