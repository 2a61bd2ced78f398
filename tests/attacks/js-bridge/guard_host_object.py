# class: js-bridge
# source: pyfence design (the worker hands the guard a host object of JS callbacks)
# goal: find the guard's JS host object through the pyfence.web closures
# expect: blocked

from pyfence import web
cells = web.fetch.__closure__
host = [c.cell_contents for c in cells]
print("ESCAPED", host)
