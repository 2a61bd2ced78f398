# class: import
# source: pyfence guard review
# goal: import pyodide.ffi (not on the allow-list)
# expect: blocked

import pyodide.ffi
print("ESCAPED")
