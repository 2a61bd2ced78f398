# class: frame-walk
# source: pyfence guard review
# goal: reach a library generator through gi_yieldfrom, then its frame
# expect: blocked

import json
def outer():
    yield from json.JSONEncoder(indent=1).iterencode({'a': 1})
g = outer()
next(g)
inner = g.gi_yieldfrom
f = getattr(inner, 'gi_frame')
print("ESCAPED" if f.f_builtins else "")
