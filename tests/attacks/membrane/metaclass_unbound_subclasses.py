# class: introspection
# source: pyfence issue 15 item 1 (a script metaclass "owns" __subclasses__, but the value is type's unbound descriptor)
# goal: M.__subclasses__ is type.__subclasses__: walk every class, BuiltinImporter.create_module gives the real sys
# expect: blocked
class M(type):
    pass


sub = M.__subclasses__
seen = []
todo = [object]
while todo:
    c = todo.pop()
    if c in seen:
        continue
    seen.append(c)
    try:
        todo.extend(sub(c))
    except TypeError:
        pass
names = {c.__name__: c for c in seen}
bi = names["BuiltinImporter"]
real_sys = bi.create_module(names["ModuleSpec"]("sys", bi))
print("ESCAPED" if hasattr(real_sys, "modules") else "safe")
