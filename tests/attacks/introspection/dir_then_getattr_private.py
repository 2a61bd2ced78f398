# class: introspection
# source: pyfence guard review
# goal: dir(module) then getattr every name incl. private ones
# expect: blocked

import random
for n in dir(random) + ['_os', '_inst', '_sha512']:
    v = getattr(random, n, None)
    if type(v).__name__ == 'module' or n == '_os' and v is not None:
        print("ESCAPED")
