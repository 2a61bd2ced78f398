from collections import namedtuple

Point = namedtuple("Point", "x y")
Employee = namedtuple("Employee", ["name", "dept", "salary"], defaults=[0])

p = Point(3, 4)
print("{0._fields}".format(p))
print("fields: {p._fields}, x={p.x}".format(p=p))
e = Employee("Ada", "R&D", 120)
print("{e.name} works in {e.dept}".format(e=e), Employee._field_defaults)
print(e._replace(salary=130), e._asdict())
row = "{:<6}|{:>4}"
for emp in [e, Employee("Bob", "Ops")]:
    print(row.format(emp.name, emp.salary))
