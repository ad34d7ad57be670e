import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/**
 * Lints `code` as if it were the file at `path`, with the workspace's real configuration,
 * through the ESLint CLI (its flat-config loader needs native ESM, which jest's VM lacks).
 */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const run = spawnSync(
    resolve(ROOT, 'node_modules/.bin/eslint'),
    ['--stdin', '--stdin-filename', resolve(ROOT, path), '--format', 'json'],
    { cwd: ROOT, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as Array<{ messages: LintMessage[] }>;
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

describe('module boundaries are enforced by lint (STYLE.md "Layout")', () => {
  jest.setTimeout(60_000);

  it('a lib may not import an app', async () => {
    const errors = await boundaryErrors(
      'libs/platform/src/boundary-probe.ts',
      "import { aggregatorService } from '../../../apps/aggregator/src/aggregator.service';\nexport const x = aggregatorService;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('contracts may not depend on another lib', async () => {
    const errors = await boundaryErrors(
      'libs/contracts/src/boundary-probe.ts',
      "import { loadConfig } from '@streamline/platform';\nexport const x = loadConfig;\n",
    );
    // platform builds on contracts, so the rule reports the cycle before the tag; either refuses it.
    expect(errors.join('\n')).toMatch(
      /type:contracts|Circular dependency between "contracts" and "platform"/,
    );
  });

  it('contracts may not import a framework or broker client', async () => {
    const errors = await boundaryErrors(
      'libs/contracts/src/boundary-probe.ts',
      "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    );
    expect(errors.join('\n')).toMatch(/kafkajs/);
  });

  it('the messaging core (scope:framework-free) may not import NestJS; its Nest wiring may', async () => {
    const probe = "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n";
    const errors = await boundaryErrors('libs/messaging/src/boundary-probe.ts', probe);
    expect(errors.join('\n')).toMatch(/@nestjs\/common/);
    expect(await boundaryErrors('libs/nest-messaging/src/boundary-probe.ts', probe)).toEqual([]);
  });

  it('production code of an app may not import the testing harness, its tests may', async () => {
    const probe =
      "import { uniqueName } from '@streamline/testing';\nexport const x = uniqueName;\n";
    expect(
      (await boundaryErrors('apps/aggregator/src/boundary-probe.ts', probe)).length,
    ).toBeGreaterThan(0);
    expect(await boundaryErrors('apps/aggregator/src/boundary-probe.spec.ts', probe)).toEqual([]);
  });

  it('an app may use the libs', async () => {
    const errors = await boundaryErrors(
      'apps/aggregator/src/boundary-probe.ts',
      "import { loadConfig } from '@streamline/platform';\nimport { TOPICS } from '@streamline/contracts';\nexport const x = [loadConfig, TOPICS];\n",
    );
    expect(errors).toEqual([]);
  });
});
