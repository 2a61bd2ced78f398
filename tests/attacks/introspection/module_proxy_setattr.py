# class: introspection
# source: pyfence guard review
# goal: monkeypatch the proxied module
# expect: blocked

import json
json.loads = print
setattr(json, 'dumps', print)
print("ESCAPED")
