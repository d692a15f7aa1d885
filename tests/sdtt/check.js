// Runs structured-data-testing-tool's presets on one saved HTML file and prints the results as JSON
// (its CLI's --output fails when every test passes: it writes an undefined variable).
// Usage: node check.js FILE PRESET[,PRESET...]
"use strict";
const fs = require("fs");
const { structuredDataTest } = require("structured-data-testing-tool");
const presets = require("structured-data-testing-tool/presets");

const [file, names] = process.argv.slice(2);
const chosen = names.split(",").map((name) => presets[name.trim()]);
const brief = (t) => ({ test: t.test, description: t.description, groups: t.groups, error: t.error && String(t.error.message || t.error) });
structuredDataTest(fs.readFileSync(file), { presets: chosen })
  .then((res) => res)
  .catch((err) => {
    if (err.type !== "VALIDATION_FAILED") { throw err; }
    return err.res;
  })
  .then((res) => {
    process.stdout.write(JSON.stringify({
      passed: res.passed.map(brief), failed: res.failed.map(brief), warnings: res.warnings.map(brief),
      schemas: res.schemas,
    }));
  });
