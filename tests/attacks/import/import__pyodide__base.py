# class: import
# source: pyfence guard review
# goal: import _pyodide._base (not on the allow-list)
# expect: blocked

import _pyodide._base
print("ESCAPED")
