class Singleton(type):
    _instances = {}

    def __call__(cls, *args, **kwargs):
        if cls not in cls._instances:
            cls._instances[cls] = super().__call__(*args, **kwargs)
        return cls._instances[cls]


class Config(metaclass=Singleton):
    def __init__(self, env="dev"):
        self.env = env
        self.values = {}

    def set(self, key, value):
        self.values[key] = value
        return self


class Logger(metaclass=Singleton):
    def __init__(self):
        self.lines = []

    def log(self, msg):
        self.lines.append(msg)


a = Config("prod")
b = Config("test")
a.set("debug", False)
print(a is b, b.env, b.values)
Logger().log("one")
Logger().log("two")
print(Logger().lines, len(Singleton._instances))
print(sorted(c.__name__ for c in Singleton._instances))
