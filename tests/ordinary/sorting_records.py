import operator
from itertools import groupby

people = [
    {"name": "ann", "dept": "eng", "age": 31},
    {"name": "bob", "dept": "ops", "age": 25},
    {"name": "cid", "dept": "eng", "age": 25},
]
by_age = sorted(people, key=operator.itemgetter("age", "name"))
print([p["name"] for p in by_age])
for dept, group in groupby(sorted(people, key=lambda p: p["dept"]), key=lambda p: p["dept"]):
    print(dept, [p["name"] for p in group])

class Emp:
    def __init__(self, name, salary):
        self.name, self.salary = name, salary
    def __repr__(self):
        return self.name

emps = [Emp("x", 3), Emp("y", 1), Emp("z", 2)]
print(sorted(emps, key=operator.attrgetter("salary")), max(emps, key=lambda e: e.salary))
print(list(map(operator.methodcaller("upper"), ["a", "b"])), operator.add(2, 3))
