# class: import
# source: pyfence guard review
# goal: import zipimport (not on the allow-list)
# expect: blocked

import zipimport
print("ESCAPED")
