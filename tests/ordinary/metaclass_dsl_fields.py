class Column:
    counter = 0
    def __init__(self, type_, default=None):
        self.type, self.default = type_, default
        Column.counter += 1
        self.order = Column.counter
    def __repr__(self):
        return f"Column({self.type.__name__})"

class TableMeta(type):
    def __init__(cls, name, bases, ns, **kw):
        super().__init__(name, bases, ns, **kw)
        cols = {}
        for base in reversed(cls.__mro__[1:]):
            cols.update(getattr(base, "columns", {}))
        own = sorted(((k, v) for k, v in ns.items() if isinstance(v, Column)), key=lambda kv: kv[1].order)
        cols.update(own)
        cls.columns = cols
    def __iter__(cls):
        return iter(cls.columns)
    def __len__(cls):
        return len(cls.columns)
    def __getitem__(cls, name):
        return cls.columns[name]
    def __contains__(cls, name):
        return name in cls.columns
    def __repr__(cls):
        return f"<table {cls.__name__}: {', '.join(cls.columns)}>"

class Table(metaclass=TableMeta):
    def __init__(self, **values):
        for name, col in type(self).columns.items():
            setattr(self, name, values.get(name, col.default))
    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in type(self))})"

class Person(Table):
    name = Column(str, "")
    age = Column(int, 0)

class Employee(Person):
    salary = Column(float, 0.0)
    dept = Column(str, "none")

print(Person, Employee, len(Employee), list(Employee), "salary" in Employee, "salary" in Person)
print(Employee["age"], type(Employee).__name__, isinstance(Employee, TableMeta), Employee(name="ann", salary=10.5))

class TypedList:
    _cache = {}
    def __class_getitem__(cls, item):
        if item not in cls._cache:
            cls._cache[item] = type(f"TypedList[{item.__name__}]", (cls,), {"item_type": item})
        return cls._cache[item]
    def __init__(self, *items):
        bad = [i for i in items if not isinstance(i, self.item_type)]
        if bad:
            raise TypeError(f"{type(self).__name__} rejects {bad}")
        self.items = list(items)
    def __repr__(self):
        return f"{type(self).__name__}{self.items}"

IntList = TypedList[int]
print(IntList(1, 2, 3), TypedList[int] is IntList, TypedList[str]("a"), len(TypedList._cache))
try:
    TypedList[int](1, "two", 3.0)
except TypeError as e:
    print("TypeError:", e)

class Registry(type):
    plugins = []
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        if "abstract" not in ns:
            Registry.plugins.append(cls)

class Plugin(metaclass=Registry):
    abstract = True
    def run(self):
        return f"{type(self).__name__.lower()} ran"

class Export(Plugin): pass

class Import(Plugin): pass

print([p.__name__ for p in Registry.plugins], [p().run() for p in Registry.plugins], Registry.__mro__[1].__name__)
print([n for n in dir(Employee) if not n.startswith("_")])
