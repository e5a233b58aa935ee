#!/usr/bin/env node
// `npm run worker`: a process that runs the jobs of the scaled service (REDIS_URL set), no HTTP.
process.env.ROLE ||= 'worker';
await import('./main.js');
