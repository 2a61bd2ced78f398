# class: resource-recursion
# source: pyfence guard review (the depth check reads strings as the scanner does)
# goal: deep objects given as UTF-8 bytes, with non-ASCII text and brackets inside keys
# expect: limit

import json
level = '{"é]}": '
json.loads((level * 100000 + "1" + "}" * 100000).encode())
