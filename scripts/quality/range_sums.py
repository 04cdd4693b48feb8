def range_sums(nums, queries):
    answers = []
    for start, end in queries:
        total = 0
        for i in range(start, end + 1):
            total += nums[i]
        answers.append(total)
    return answers
