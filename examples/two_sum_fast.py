from bisect import bisect_right


def two_sum(nums, target):
    where = {}
    for j, x in enumerate(nums):
        where.setdefault(x, []).append(j)
    for i, x in enumerate(nums):
        spots = where.get(target - x, [])
        k = bisect_right(spots, i)
        if k < len(spots):
            return [i, spots[k]]
    return []
