# class: resource-memory
# source: https://github.com/danthedeckie/simpleeval (README: "list(itertools.count())")
# goal: an infinite iterator materialised by list() in C
# expect: limit

import itertools
xs = list(itertools.count())
print("ESCAPED", len(xs))
