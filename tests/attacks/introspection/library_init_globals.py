# class: introspection
# source: pyfence guard review
# goal: library class __init__.__globals__ via getattr
# expect: blocked

import json
g = getattr(json.JSONEncoder.__init__, '__glob' + 'als__')
g['__builtins__']['__import__']('os')
print("ESCAPED")
