// The sandboxed JavaScript runner: the twin of child.py for node.
// Run by sandbox.py as `node --experimental-permission --allow-fs-read=<this file> child.js`
// in an empty temporary directory with resource limits: node's permission model refuses
// file writes, child processes and workers; the job's code runs in a vm context that has
// no require, no process and no module system, so it cannot reach the network or files.
// Reads one JSON job on stdin, prints one JSON line.
"use strict";
const vm = require("vm");
const fs = require("fs");

const job = JSON.parse(fs.readFileSync(0, "utf8"));
const write = (answer) => process.stdout.write(JSON.stringify(answer) + "\n");

function load(source, name) {
  const context = vm.createContext({ console: { log() {}, error() {}, warn() {} } });
  vm.runInContext(`${source}\n;globalThis.__corvus = typeof ${name} === "function" ? ${name} : undefined;`,
    context, { timeout: 5000 });
  return context.__corvus;
}

function parseCall(text, name) {
  for (const mark of ["->", "==", "=>", "//", "\u2192"]) text = text.split(mark)[0];
  const match = /^\s*([A-Za-z_$][\w$]*)\s*\(([\s\S]*)\)\s*;?\s*$/.exec(text);
  if (!match || match[1] !== name) return null;
  try {
    return JSON.parse(`[${match[2]}]`);
  } catch (err) {
    return null;
  }
}

function outcome(fn, args) {
  const copy = structuredClone(args);
  try {
    return ["value", fn(...copy), copy];
  } catch (err) {
    return ["raise", err && err.constructor ? err.constructor.name : String(err), copy];
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function shaped(values, rng) {
  const sample = values[0];
  if (typeof sample === "boolean") return () => rng() < 0.5;
  if (typeof sample === "number") {
    const ints = values.every(Number.isInteger);
    const high = Math.max(...values.map((v) => Math.abs(v)), 0) + 3;
    return () => (ints ? Math.round((rng() * 2 - 1) * high) : (rng() * 2 - 1) * high);
  }
  if (typeof sample === "string") {
    const alphabet = [...new Set(values.join("") + "ab")];
    const longest = Math.max(8, ...values.map((v) => v.length * 2));
    return () => Array.from({ length: Math.floor(rng() * longest) },
      () => alphabet[Math.floor(rng() * alphabet.length)]).join("");
  }
  if (Array.isArray(sample)) {
    const items = values.flat();
    const inner = items.length ? shaped(items, rng) : () => Math.round((rng() * 2 - 1) * 10);
    const longest = Math.max(8, ...values.map((v) => v.length * 2));
    return () => Array.from({ length: Math.floor(rng() * longest) }, inner);
  }
  return () => structuredClone(values[Math.floor(rng() * values.length)]);
}

function mulberry32(seed) {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function main() {
  const name = job.function;
  let original, candidate;
  try {
    original = load(job.original, name);
    candidate = load(job.candidate, name);
  } catch (err) {
    return write({ error: `${err && err.name}: ${err && err.message}`.slice(0, 300) });
  }
  if (typeof original !== "function") return write({ error: `the original code defines no function ${name}` });
  if (typeof candidate !== "function") return write({ error: `the optimized code defines no function ${name}` });
  const examples = job.examples.map((t) => parseCall(t, name)).filter((a) => a !== null);
  const inputs = [...examples];
  const arity = new Set(examples.map((a) => a.length));
  if (examples.length && arity.size === 1) {
    const rng = mulberry32(7);
    const makers = examples[0].map((_, i) => shaped(examples.map((a) => a[i]), rng));
    for (let k = 0; k < (job.max_examples || 200); k++) inputs.push(makers.map((make) => make()));
  }
  const deadline = Date.now() + 1000 * (job.check_budget_s || 6);
  let checked = 0;
  let worst = null;
  for (const args of inputs) {
    if (Date.now() > deadline) break;
    const want = outcome(original, args);
    const got = outcome(candidate, args);
    checked++;
    if (!(want[0] === got[0] && same(want[1], got[1]) && same(want[2], got[2]))) {
      const size = JSON.stringify(args).length;
      if (!worst || size < worst.size) worst = { size, args, want, got };
      if (checked > examples.length + 50) break;
    }
  }
  const side = (r) => (r[0] === "raise" ? `raises ${r[1]}` : JSON.stringify(r[1]));
  const found = worst && {
    call: `${name}(${worst.args.map((a) => JSON.stringify(a)).join(", ")})`,
    original: side(worst.want), optimized: side(worst.got), note: "",
  };
  write({ checked: found ? checked - 1 : checked, examples: examples.length, counterexample: found, timing: null });
}

main();
