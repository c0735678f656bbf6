#!/usr/bin/env node
// The breaking changes between two OpenAPI documents, as JSON on standard output.
//
//   node scripts/api-diff.mjs BEFORE.json AFTER.json
//
// Prints [{"action", "path", "description", "type", "before", "after"}, ...]: every change api-smart-diff
// classifies, one object each; `invoke api.diff` (devkit api_diff.py) reads it and
// decides. The documents are JSON: the devkit converts the YAML, so this script needs
// nothing but api-smart-diff (package.json pins it).
import { readFileSync } from "node:fs";
import { apiCompare } from "api-smart-diff";

const [before, after] = process.argv.slice(2).map((path) => JSON.parse(readFileSync(path, "utf8")));
if (!before || !after) {
  process.stderr.write("usage: node scripts/api-diff.mjs BEFORE.json AFTER.json\n");
  process.exit(2);
}
const { diffs } = apiCompare(before, after);
// Values are kept when they are plain (a type, a bound): a description may lack them.
const plain = (value) => (value === null || typeof value !== "object" ? value ?? null : null);
const changes = diffs.map((diff) => ({
  action: diff.action,
  path: diff.path.map(String),
  description: diff.description ?? "",
  type: diff.type,
  before: plain(diff.before),
  after: plain(diff.after),
}));
process.stdout.write(JSON.stringify(changes) + "\n");
