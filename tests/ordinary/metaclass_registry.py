import abc

class Registry(type):
    classes = []

    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        if bases:
            Registry.classes.append(name)

    def __repr__(cls):
        return f"<model {cls.__name__}>"

class Model(metaclass=Registry):
    fields = ()

class User(Model):
    fields = ("name",)

class Post(Model):
    fields = ("title", "body")

print(Registry.classes, User, [m.fields for m in (User, Post)])

class Base(abc.ABC):
    @abc.abstractmethod
    def run(self): ...

class Impl(Base):
    def run(self):
        return "ran"

Base.register(int)
print(Impl().run(), isinstance(3, Base), issubclass(Impl, Base))

class Sized(metaclass=abc.ABCMeta):
    @classmethod
    def __subclasshook__(cls, C):
        return NotImplemented
print(Sized.__name__)
