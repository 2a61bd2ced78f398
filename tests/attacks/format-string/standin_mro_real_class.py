# class: format-string
# source: pyfence red team, issue 8 item 3 (a stand-in leaks the class it replaces)
# goal: find the real json.JSONDecoder or string.Formatter behind the stand-ins, through any reflective attribute
# policy: compute
# expect: blocked
import json, string
leaks = []
for standin in (json.JSONDecoder, string.Formatter):
    candidates = list(standin.mro()) + list(standin.__mro__) + list(standin.__bases__) + [standin.__base__]
    candidates += list(type(standin()).mro())
    for c in candidates:
        if c is not standin and c is not object:
            leaks.append(c)
print("ESCAPED" if leaks else "")
