import { OptionError, parseCommandLine, usage, type SimulatorOptions } from './simulator-options';
import { startSimulator } from './simulator';
import type { Stats } from './simulator-stats';

/** Exit code for a bad flag or variable, as usual for command-line usage errors. */
const EXIT_USAGE = 2;

function printStats(stats: Stats): void {
  console.log(JSON.stringify({ ts: new Date().toISOString(), ...stats }));
}

function note(message: string): void {
  console.error(`[simulator] ${message}`);
}

function readOptions(): SimulatorOptions | undefined {
  try {
    const parsed = parseCommandLine(process.argv.slice(2), process.env);
    if (parsed.help) {
      console.log(usage());
      process.exit(0);
    }
    return parsed.options;
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    console.error(`simulator: ${error.message}\nRun with --help for the options.`);
    process.exitCode = EXIT_USAGE;
    return undefined;
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  if (!options) return;
  note(
    `${options.devices} devices at ${options.rate} readings/s to ${options.mqttUrl}, ` +
      `${options.users} users at ${options.eventsRate} events/s to ${options.producerUrl}/events`,
  );

  // Resolved by a signal or when --duration is over.
  const stopSignal = { resolve: (): void => undefined };
  const finished = new Promise<void>((resolve) => {
    stopSignal.resolve = resolve;
  });
  let stopRequested = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopRequested) {
      note(`${signal} again: exiting without a clean shutdown`);
      process.exit(130);
    }
    stopRequested = true;
    note(`${signal}: stopping`);
    stopSignal.resolve();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const simulator = await startSimulator(options, { onStats: printStats, onLog: note });
  const durationTimer =
    options.duration > 0
      ? setTimeout(() => stopSignal.resolve(), options.duration * 1_000)
      : undefined;

  await finished;
  if (durationTimer) clearTimeout(durationTimer);
  printStats(await simulator.stop());
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error('simulator failed:', error);
  process.exit(1);
});
