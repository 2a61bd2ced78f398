# class: import
# source: pyfence guard review
# goal: datetime.datetime_CAPI capsule
# expect: blocked

import datetime
print("ESCAPED" if datetime.datetime_CAPI else "")
