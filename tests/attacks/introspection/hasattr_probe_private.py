# class: introspection
# source: pyfence guard review
# goal: hasattr/getattr default to probe private module members
# expect: blocked

import random
if hasattr(random, '_os') or getattr(random, '_os', None) is not None:
    print("ESCAPED")
