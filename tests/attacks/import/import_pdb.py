# class: import
# source: pyfence guard review
# goal: import pdb (not on the allow-list)
# expect: blocked

import pdb
print("ESCAPED")
