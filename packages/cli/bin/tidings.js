#!/usr/bin/env node
// The `tidings` command: runs the compiled CLI (npm run build makes packages/cli/dist).
try {
  await import('../dist/main.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/cli/dist/main.js')) {
    console.error('tidings is not built yet: run `npm run build` in the repository first.');
    process.exit(1);
  }
  throw error;
}
