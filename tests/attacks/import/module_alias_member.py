# class: import
# source: pyfence guard review
# goal: re.enum / re.functools / re.copyreg module aliases
# expect: blocked

import re
for n in ('enum', 'functools', 'copyreg', 'sys', '_compiler', '_parser'):
    try:
        m = getattr(re, n)
        if m is not None:
            print("ESCAPED")
    except AttributeError:
        pass
