# class: format-string
# source: pyfence red team, issue 8 item 3 (the unbound method under another name)
# goal: str.format taken through type(), vars-free aliases and map()
# expect: blocked
def f(): pass
fmt = type("").format
try:
    out = list(map(fmt, ["{0.__glo" + "bals__}"], [f]))
    print("ESCAPED" if ("__buil" + "tins__") in out[0] else "")
except Exception as e:
    print(type(e).__name__)
