# class: resource-recursion
# source: pyfence guard review (the depth check skipped what was not exactly a str)
# goal: deep arrays in a str subclass, which the C scanner reads as any str
# expect: limit

import json
class S(str):
    pass
json.loads(S("[" * 200000 + "]" * 200000))
