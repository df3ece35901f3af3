// Exit 0 when frontend/node_modules already holds exactly what package-lock.json pins, so
// `make setup` can skip `npm ci` (which deletes node_modules first) after an `npm install`.
//
// npm keeps a record of the installed tree in node_modules/.package-lock.json. Optional
// packages for other platforms are in the lockfile but never installed, so they may be missing.
//
//   node scripts/npm_tree_in_sync.mjs frontend
import { readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "frontend";
const read = (path) => JSON.parse(readFileSync(join(dir, path), "utf8")).packages ?? {};

let locked, installed;
try {
  locked = read("package-lock.json");
  installed = read("node_modules/.package-lock.json");
} catch {
  process.exit(1);
}
delete locked[""];

for (const [path, entry] of Object.entries(locked)) {
  const have = installed[path];
  if (!have) {
    if (entry.optional) continue;
    process.exit(1);
  }
  if (have.version !== entry.version || (entry.integrity && have.integrity !== entry.integrity)) {
    process.exit(1);
  }
}
for (const path of Object.keys(installed)) {
  if (!(path in locked)) process.exit(1);
}
process.exit(0);
