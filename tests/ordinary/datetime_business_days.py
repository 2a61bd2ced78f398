from datetime import date, timedelta

HOLIDAYS = {date(2024, 12, 25), date(2024, 12, 26), date(2025, 1, 1)}


def is_business_day(d):
    return d.weekday() < 5 and d not in HOLIDAYS


def add_business_days(start, n):
    d = start
    while n > 0:
        d += timedelta(days=1)
        if is_business_day(d):
            n -= 1
    return d


def business_days_between(a, b):
    return sum(1 for i in range((b - a).days) if is_business_day(a + timedelta(days=i + 1)))


start = date(2024, 12, 20)
due = add_business_days(start, 5)
print(start.isoformat(), "+5 business days =", due.isoformat(), due.strftime("%A"))
print(business_days_between(date(2024, 12, 1), date(2024, 12, 31)))
weeks = {}
for i in range(14):
    d = start + timedelta(days=i)
    weeks.setdefault(d.isocalendar().week, []).append(d.day if is_business_day(d) else "-")
print(weeks)
