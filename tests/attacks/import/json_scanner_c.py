# class: import
# source: pyfence guard review
# goal: json.scanner.c_make_scanner recurses in C
# expect: blocked

import json.scanner
print("ESCAPED" if json.scanner.c_make_scanner else "")
