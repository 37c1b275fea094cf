/**
 * Node prints an ExperimentalWarning the first time `node:sqlite` loads (the SQS emulator uses
 * it). The project knows, so test output stays quiet; every other warning still prints. Imported
 * for its effect, first, so it is in place before any module loads the emulator.
 */
const defaults = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning') return;
  for (const listener of defaults) listener(warning);
});
