# class: import
# source: pyfence guard review
# goal: import sqlite3 (not on the allow-list)
# expect: blocked

import sqlite3
print("ESCAPED")
