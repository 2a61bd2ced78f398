# class: import
# source: pyfence guard review
# goal: import pathlib (not on the allow-list)
# expect: blocked

import pathlib
print("ESCAPED")
