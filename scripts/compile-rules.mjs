#!/usr/bin/env node
// Times loading (validation) and compiling a generated rule set of N rules, each with an
// Equal on one of 100 categories, a numeric threshold, an Or of two regions, a StartsWith
// and two actions, in this process: median, min and max over --runs after one warm-up.
//   node scripts/compile-rules.mjs [--rules 1000] [--runs 5]     (needs `npm run build`)

import { scriptArgs } from './lib/args.mjs';
import { loadRules, compileNetwork } from '../dist/index.js';

const { values } = scriptArgs('usage: node scripts/compile-rules.mjs [--rules 1000] [--runs 5]', {
  options: { rules: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' } },
});
const n = Number(values.rules);
const runs = Number(values.runs);

function ruleSet(count) {
  const rules = [];
  for (let id = 1; id <= count; id++) {
    rules.push({
      id,
      name: `Rule ${id}`,
      salience: id % 7,
      conditions: [
        { field: 'category', operator: 'Equal', value: { String: `cat_${id % 100}` } },
        { field: 'amount', operator: 'GreaterThan', value: { Float: (id % 50) * 100.5 } },
        {
          operator: 'Or',
          conditions: [
            { field: 'region', operator: 'Equal', value: `region_${id % 20}` },
            { field: 'region', operator: 'Equal', value: `region_${(id + 1) % 20}` },
          ],
        },
        { field: 'customer.name', operator: 'StartsWith', value: String.fromCharCode(65 + (id % 26)) },
      ],
      actions: [{ action_type: { SetField: { field: `flag_${id}`, value: { Boolean: true } } } }, { action_type: { Log: { message: `rule ${id} matched` } } }],
    });
  }
  return rules;
}

const times = [];
for (let r = 0; r <= runs; r++) {
  const doc = ruleSet(n); // fresh JSON each time (validation decodes values in place)
  const t = performance.now();
  const { rules } = loadRules(doc);
  const network = compileNetwork(rules);
  const ms = performance.now() - t;
  if (r > 0) times.push(ms);
  if (r === runs) process.stdout.write(`${n} rules → ${network.nodes.length - 1} alpha nodes, ${network.tests.length} distinct tests\n`);
}
times.sort((a, b) => a - b);
process.stdout.write(
  `load + compile ${n} rules: median ${times[times.length >> 1].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}, ${runs} runs after a warm-up)\n`,
);
