import statistics as st
from collections import namedtuple
from statistics import NormalDist

Result = namedtuple("Result", ["student", "scores"])

results = [
    Result("ana", [88, 92, 79, 95]),
    Result("ben", [72, 65, 80, 70]),
    Result("cho", [90, 91, 89, 94]),
    Result("dev", [55, 62, 70, 58]),
    Result("eli", [82, 85, 88, 79]),
    Result("fay", [91, 88, 95, 99]),
]

def letter(avg, cutoffs=((90, "A"), (80, "B"), (70, "C"), (60, "D"))):
    for cut, grade in cutoffs:
        if avg >= cut:
            return grade
    return "F"

print(f"{'name':<5}{'mean':>7}{'median':>8}{'stdev':>7}  grade")
for r in results:
    m = st.fmean(r.scores)
    print(f"{r.student:<5}{m:7.2f}{st.median(r.scores):8.1f}{st.stdev(r.scores):7.2f}  {letter(m)}")

everyone = [s for r in results for s in r.scores]
print("quartiles", st.quantiles(everyone, n=4))
print("deciles", [round(q, 1) for q in st.quantiles(everyone, n=10, method="inclusive")])
print("mode", st.mode([letter(st.fmean(r.scores)) for r in results]), st.multimode("aabbc"))
print("pvariance", round(st.pvariance(everyone), 3), "harmonic", round(st.harmonic_mean([40, 60]), 2))
print("geometric", round(st.geometric_mean([1, 10, 100]), 6), "median_grouped", st.median_grouped([1, 2, 2, 3, 4]))

test1 = [r.scores[0] for r in results]
test4 = [r.scores[3] for r in results]
print("corr", round(st.correlation(test1, test4), 4), "cov", round(st.covariance(test1, test4), 3))
fit = st.linear_regression(test1, test4)
print("slope", round(fit.slope, 4), "intercept", round(fit.intercept, 3))
print("predict 75 ->", round(fit.slope * 75 + fit.intercept, 1))

dist = NormalDist.from_samples(everyone)
print("normal", round(dist.mean, 3), round(dist.stdev, 3))
print("P(score<70) =", f"{dist.cdf(70):.3%}", "90th pct =", round(dist.inv_cdf(0.9), 2))
z = NormalDist(100, 15)
print(round(z.zscore(130), 2), round(z.overlap(NormalDist(110, 15)), 4), z + 5, z * 2)
print([round(x, 2) for x in z.quantiles(4)])
try:
    st.mean([])
except st.StatisticsError as e:
    print("StatisticsError:", e)
ranked = sorted(results, key=lambda r: st.fmean(r.scores), reverse=True)
print(" > ".join(r.student for r in ranked))
