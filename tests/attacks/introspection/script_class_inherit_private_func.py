# class: introspection
# source: pyfence guard review
# goal: private attr inherited from a library class via a script subclass, then __globals__
# expect: blocked

import json
class D(json.JSONDecoder):
    pass
d = D()
m = getattr(D, '_' + 'scan_once', None) or getattr(d, 'parse_object')
print("ESCAPED" if getattr(m, '__glo' + 'bals__', None) else "")
