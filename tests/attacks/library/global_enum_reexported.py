# class: library
# source: pyfence review (a module that re-exports a function keeps the unpatched original)
# goal: enum.global_enum reached through calendar's re-export writes members into another module
# expect: blocked
# policy: agent

import calendar
import enum
E = enum.IntEnum('E', 'ESCAPED', module='json')
calendar.global_enum(E)
import json
print(json.ESCAPED.name)
