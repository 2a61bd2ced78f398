# class: introspection
# source: pyfence guard review
# goal: vars(json) on a module proxy
# expect: blocked

import json
print("ESCAPED" if vars(json) else "")
