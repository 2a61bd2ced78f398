# class: import
# source: pyfence guard review
# goal: import asyncio (not on the allow-list)
# expect: blocked

import asyncio
print("ESCAPED")
