import { parseArgs } from 'node:util';
import { runFuzz } from './fuzz.js';

// `npm run fuzz -- --cases 5000 [--seed 42]`: the fuzz test of `npm test`, longer and with any seed.
const { values } = parseArgs({ options: { cases: { type: 'string', default: '2000' }, seed: { type: 'string' } } });
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const cases = Number(values.cases);
console.log(`fuzzing the hub with ${cases} cases, seed ${seed}`);
const started = Date.now();
const report = await runFuzz({ cases, seed, verbose: true });
console.log(`ok: ${report.cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, ${report.serverClosedConnections} closed by the server, the healthy client answered every time`);
