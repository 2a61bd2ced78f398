# class: introspection
# source: pyfence red team of the membrane (issue 15): a metaclass __init__ sees the class statement's cell in the namespace
# goal: point the cell of the class being created at `object`, so object counts as the script's class while the statement runs, and read object.__subclasses__
# expect: blocked


class Meta(type):
    def __init__(cls, name, bases, ns):
        cell = ns.get("__class" + "cell__")
        if cell is not None:
            try:
                cell.cell_contents = object
                subs = getattr(object, "__sub" + "classes__")()
                print("ESCAPED" if len(subs) > 10 else "safe")
            except Exception as e:
                print(type(e).__name__)
        super().__init__(name, bases, ns)


class C(metaclass=Meta):
    def f(self):
        return super().f()
