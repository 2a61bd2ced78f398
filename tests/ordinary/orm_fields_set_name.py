class ValidationError(ValueError):
    pass

class Field:
    def __init__(self, kind, *, default=None, required=True, max_len=None):
        self.kind, self.default, self.required, self.max_len = kind, default, required, max_len
    def __set_name__(self, owner, name):
        self.name = name
        self.storage = "_f_" + name
    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return obj.__dict__.get(self.storage, self.default)
    def __set__(self, obj, value):
        if value is None and self.required:
            raise ValidationError(f"{self.name} is required")
        if value is not None and not isinstance(value, self.kind):
            raise ValidationError(f"{self.name} must be {self.kind.__name__}, got {type(value).__name__}")
        if self.max_len and len(value) > self.max_len:
            raise ValidationError(f"{self.name} longer than {self.max_len}")
        obj.__dict__[self.storage] = value

class Model:
    _models = {}
    def __init_subclass__(cls, table=None, **kw):
        super().__init_subclass__(**kw)
        cls.table = table or cls.__name__.lower() + "s"
        cls.fields = {k: v for base in reversed(cls.__mro__) for k, v in vars(base).items() if isinstance(v, Field)}
        Model._models[cls.table] = cls
    def __init__(self, **values):
        for name, f in self.fields.items():
            setattr(self, name, values.pop(name, f.default))
        if values:
            raise TypeError(f"unknown fields: {', '.join(sorted(values))}")
    def __repr__(self):
        body = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.fields)
        return f"{type(self).__name__}({body})"
    def to_row(self):
        return tuple(getattr(self, n) for n in self.fields)
    @classmethod
    def create_sql(cls):
        cols = ", ".join(f"{n} {f.kind.__name__.upper()}{'' if f.required else ' NULL'}" for n, f in cls.fields.items())
        return f"CREATE TABLE {cls.table} ({cols})"

class User(Model):
    id = Field(int)
    name = Field(str, max_len=8)
    email = Field(str, required=False)

class Admin(User, table="admins"):
    level = Field(int, default=1)

u = User(id=1, name="ann")
a = Admin(id=2, name="root", email="r@x", level=3)
print(u, a, u.to_row(), a.to_row())
print(User.create_sql())
print(Admin.create_sql())
print(sorted(Model._models), User.name.storage, type(User.__dict__["id"]).__name__)
print(sorted(k for k in vars(a)), a._f_level)
for bad in ({"id": "7", "name": "x"}, {"id": 3, "name": "much too long"}, {"id": 4, "name": None}, {"id": 5, "name": "x", "age": 9}):
    try:
        User(**bad)
    except (ValidationError, TypeError) as e:
        print(type(e).__name__, "-", e)
print([c.__name__ for c in Admin.__mro__], isinstance(User.email, Field))
print(sorted(c.__name__ for c in Model.__subclasses__()), [c.__name__ for c in User.__subclasses__()])
