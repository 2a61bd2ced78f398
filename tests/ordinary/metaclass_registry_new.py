class PluginMeta(type):
    registry = {}

    def __new__(mcls, name, bases, namespace, **kwargs):
        cls = super().__new__(mcls, name, bases, namespace)
        if bases:
            key = namespace.get("name", name.lower())
            mcls.registry[key] = cls
        return cls

    def create(cls, key, *args):
        return cls.registry[key](*args)


class Plugin(metaclass=PluginMeta):
    def run(self, text):
        raise NotImplementedError


class Upper(Plugin):
    name = "upper"

    def run(self, text):
        return text.upper()


class Reverse(Plugin):
    def run(self, text):
        return text[::-1]


class Validated(type):
    """Checks at class creation that every subclass implements `handle`."""

    def __new__(mcls, name, bases, ns):
        if bases and "handle" not in ns:
            raise TypeError(f"{name} must define handle()")
        ns["created_by"] = mcls.__name__
        return type.__new__(mcls, name, bases, ns)


class Handler(metaclass=Validated):
    pass


class Echo(Handler):
    def handle(self, x):
        return x


try:
    class Broken(Handler):
        pass
except TypeError as e:
    print("refused:", e)

print(sorted(PluginMeta.registry))
print(Plugin.create("upper").run("abc"), Plugin.create("reverse").run("abc"))
print(Echo().handle(42), Echo.created_by, type(Echo).__name__)
