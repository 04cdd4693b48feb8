"""Language detection on paste: right on typical code, silent when unsure."""

from __future__ import annotations

import pytest

from interview_corvus.core.answers.detect import detect_language
from interview_corvus.core.answers.models import LANGUAGES

SAMPLES = {
    "python": "def two_sum(nums, target):\n    seen = {}\n    for i, n in enumerate(nums):\n"
              "        if target - n in seen:\n            return [seen[target - n], i]\n"
              "        seen[n] = i\n    return None\n",
    "java": "public class Main {\n    public static void main(String[] args) {\n"
            "        System.out.println(\"hi\");\n    }\n}\n",
    "c++": "#include <vector>\nusing namespace std;\nint main() {\n    vector<int> v;\n"
           "    std::cout << v.size();\n}\n",
    "c#": "using System;\nclass P {\n    static void Main() {\n"
          "        Console.WriteLine(\"hi\");\n    }\n}\n",
    "javascript": "const add = (a, b) => a + b;\nfunction twice(x) {\n  return add(x, x);\n}\n"
                  "console.log(twice(2));\n",
    "typescript": "function add(a: number, b: number): number {\n  return a + b;\n}\n"
                  "const total: number = add(1, 2);\nconsole.log(total);\n",
    "go": "package main\n\nimport \"fmt\"\n\nfunc main() {\n    x := 3\n    fmt.Println(x)\n}\n",
    "rust": "fn main() {\n    let mut v: Vec<i32> = Vec::new();\n    v.push(1);\n"
            "    println!(\"{:?}\", v);\n}\n",
    "ruby": "def greet(name)\n  puts \"hi #{name}\"\nend\n[1, 2].each do |x|\n  puts x\nend\n",
    "kotlin": "fun main() {\n    val xs = listOf(1, 2)\n    var total: Int = 0\n"
              "    println(xs.sum())\n}\n",
    "swift": "import Foundation\nfunc greet(name: String) -> String {\n"
             "    guard let first = name.first else { return \"\" }\n    return String(first)\n}\n",
    "sql": "SELECT name, COUNT(*) FROM users\nWHERE active = 1\nGROUP BY name;\n",
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_typical_code_is_recognised(language):
    assert language in LANGUAGES
    assert detect_language(SAMPLES[language]) == language


@pytest.mark.parametrize("text", ["", "   \n", "hello world", "x = 1", "Find two numbers "
                                  "in an array that add up to a target."])
def test_no_guess_when_unsure(text):
    assert detect_language(text) is None


def test_a_huge_paste_reads_only_the_start():
    text = SAMPLES["go"] + "x := 1\n" * 500_000
    assert detect_language(text) == "go"
