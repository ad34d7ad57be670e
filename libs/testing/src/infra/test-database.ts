import { Client } from 'pg';
import { TEST_ENV } from './test-env';
import { uniqueName } from './unique-name';

export interface TestDatabase {
  /** `postgres://…/<unique database>`, for DATABASE_URL. */
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function withServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_ENV.postgresServerUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a unique name, so migrations run from nothing. */
export async function createTestDatabase(prefix = 'streamline_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix).replace(/-/g, '_');
  await withServer((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_ENV.postgresServerUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withServer((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(
        () => undefined,
      ),
  };
}
