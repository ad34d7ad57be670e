import { startServiceProcess, type ServiceProcess } from '@streamline/testing';

export { freePort } from '@streamline/testing';

/**
 * The real iot-ingestor (apps/iot-ingestor/src/main.ts) in a child process, so it can be killed
 * with SIGKILL: the testing library's service process, plus a register of every one started so
 * `stopAll` ends whatever a failed test left running.
 */
export type IngestorProcess = ServiceProcess;

const running = new Set<ServiceProcess>();

export const IngestorProcess = {
  /**
   * Starts the service and (unless `waitReady` is false: a restart into a backlog, which keeps
   * it too busy to answer its probes at once) waits for its readiness.
   */
  async start(
    env: Record<string, string>,
    options: { waitReady?: boolean } = {},
  ): Promise<IngestorProcess> {
    const ingestor = await startServiceProcess('iot-ingestor', env);
    running.add(ingestor);
    void ingestor.exited.then(() => running.delete(ingestor));
    if (options.waitReady ?? true) await ingestor.waitReady(120_000);
    return ingestor;
  },

  /** Stops (SIGTERM) every ingestor still running, e.g. in an afterAll after a failed test. */
  async stopAll(): Promise<void> {
    await Promise.all([...running].map((ingestor) => ingestor.stop()));
  },
};
