// The JavaScript twin of check.py: original and candidate on the same arguments.
const fs = require("fs");
const job = JSON.parse(fs.readFileSync(0, "utf8"));

function load(source, name) {
  return new Function(`${source}\n;return ${name};`)();
}

function outcome(fn, args) {
  const copy = structuredClone(args);
  try {
    return ["value", fn(...copy), copy];
  } catch (err) {
    return ["raise", err && err.constructor ? err.constructor.name : String(err), copy];
  }
}

const original = load(job.original, job.function);
let candidate;
try {
  candidate = load(job.candidate, job.function);
} catch (err) {
  console.log(JSON.stringify({ ok: false, why: `does not load: ${err}` }));
  process.exit(0);
}
for (const text of job.cases) {
  const args = JSON.parse(text);
  const want = JSON.stringify(outcome(original, args));
  const got = JSON.stringify(outcome(candidate, args));
  if (want !== got) {
    console.log(JSON.stringify({ ok: false, why: `${text}: ${want} vs ${got}`.slice(0, 300) }));
    process.exit(0);
  }
}
console.log(JSON.stringify({ ok: true }));
