import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';

/** The repository's `docker-compose.yml` (from libs/testing/src/compose up to the root). */
export const DEFAULT_COMPOSE_FILE = path.resolve(__dirname, '../../../../docker-compose.yml');

/** A value in a Compose mapping such as `environment` or `build.args` (map form). */
export type ComposeScalar = string | number | boolean | null;

/** `environment` / `build.args`: a list of `KEY=value` (or bare `KEY`) strings, or a map. */
export type ComposeMapping = string[] | Record<string, ComposeScalar>;

export interface ComposeHealthcheck {
  test?: string | string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export type ComposeDependsOnCondition =
  'service_started' | 'service_healthy' | 'service_completed_successfully';

/** One entry of the long `depends_on` syntax. The short (list) syntax has no condition. */
export interface ComposeDependency {
  condition?: ComposeDependsOnCondition;
  restart?: boolean;
  required?: boolean;
}

export type ComposeDependsOn = string[] | Record<string, ComposeDependency>;

/** The long `ports` syntax. */
export interface ComposePortMapping {
  target: number | string;
  published?: number | string;
  host_ip?: string;
  protocol?: string;
  mode?: string;
  name?: string;
  app_protocol?: string;
}

export interface ComposeBuild {
  context?: string;
  dockerfile?: string;
  args?: ComposeMapping;
  target?: string;
}

/** The part of a Compose service the repository uses; anything else stays `unknown`. */
export interface ComposeService {
  image?: string;
  build?: string | ComposeBuild;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: ComposeMapping;
  env_file?: string | string[];
  ports?: Array<string | number | ComposePortMapping>;
  depends_on?: ComposeDependsOn;
  healthcheck?: ComposeHealthcheck;
  restart?: string;
  stop_grace_period?: string;
  volumes?: Array<string | Record<string, unknown>>;
  [key: string]: unknown;
}

/** A parsed Compose file (aliases and `<<` merge keys resolved, nothing interpolated). */
export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Values for `${VAR}` interpolation; a missing key is an unset variable. */
export type ComposeVariables = Readonly<Record<string, string | undefined>>;

export interface ComposeValueOptions {
  /** Apply Compose interpolation (`${VAR:-default}`, `$$`). Default: true. */
  interpolate?: boolean;
  /**
   * The variables interpolation and bare `KEY` entries read. Default: none (not
   * `process.env`), so every `${VAR:-default}` takes its default and results do not depend
   * on the shell the tests run in.
   */
  variables?: ComposeVariables;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads and parses a Compose file with the `yaml` package: YAML 1.2 plus `<<` merge keys
 * (Compose supports them), aliases resolved. Throws on YAML errors and when `services` is
 * missing or not a map of maps. Interpolation is left to the helpers below.
 */
export function loadComposeFile(filePath: string = DEFAULT_COMPOSE_FILE): ComposeFile {
  const source = readFileSync(filePath, 'utf8');
  const document = parseDocument(source, { merge: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new Error(
      `${filePath}: invalid YAML: ${document.errors.map((error) => error.message).join('; ')}`,
    );
  }
  const value: unknown = document.toJS();
  if (!isRecord(value)) throw new Error(`${filePath}: the top level is not a map`);
  const services = value['services'];
  if (!isRecord(services)) throw new Error(`${filePath}: "services" is missing or not a map`);
  for (const [name, service] of Object.entries(services)) {
    if (!isRecord(service)) throw new Error(`${filePath}: service "${name}" is not a map`);
  }
  return value as ComposeFile;
}

/** The service `name` of `compose`, or an error that lists the services there are. */
export function composeService(compose: ComposeFile, name: string): ComposeService {
  const service = compose.services[name];
  if (service === undefined) {
    throw new Error(
      `no service "${name}" in the compose file (services: ${Object.keys(compose.services).join(', ')})`,
    );
  }
  return service;
}

/**
 * Compose variable interpolation of one string: `$$` (a literal `$`), `$VAR`, `${VAR}`,
 * `${VAR:-default}` / `${VAR-default}` (unset or empty / unset), `${VAR:+alt}` / `${VAR+alt}`,
 * `${VAR:?message}` / `${VAR?message}` (throws). Defaults may nest (`${A:-${B:-x}}`).
 */
export function interpolateCompose(value: string, variables: ComposeVariables = {}): string {
  let out = '';
  let i = 0;
  while (i < value.length) {
    const char = value[i];
    if (char !== '$') {
      out += char;
      i += 1;
      continue;
    }
    const next = value[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(value, i + 1);
      out += expandBraced(value.slice(i + 2, end), variables);
      i = end + 1;
      continue;
    }
    const bare = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1));
    if (bare !== null) {
      out += variables[bare[0]] ?? '';
      i += 1 + bare[0].length;
      continue;
    }
    out += '$';
    i += 1;
  }
  return out;
}

function closingBrace(value: string, open: number): number {
  let depth = 0;
  for (let i = open; i < value.length; i += 1) {
    if (value[i] === '{') depth += 1;
    else if (value[i] === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new Error(`unterminated "\${" in "${value}"`);
}

function expandBraced(expression: string, variables: ComposeVariables): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(expression);
  if (match === null) throw new Error(`invalid interpolation "\${${expression}}"`);
  const name = match[1];
  const operator: string = match[2] ?? '';
  const operand: string = match[3] ?? '';
  const raw = variables[name];
  const isSet = raw !== undefined;
  const isSetNonEmpty = isSet && raw !== '';
  switch (operator) {
    case '':
      return raw ?? '';
    case ':-':
      return isSetNonEmpty ? raw : interpolateCompose(operand, variables);
    case '-':
      return isSet ? raw : interpolateCompose(operand, variables);
    case ':+':
      return isSetNonEmpty ? interpolateCompose(operand, variables) : '';
    case '+':
      return isSet ? interpolateCompose(operand, variables) : '';
    case ':?':
    case '?':
      if (operator === ':?' ? isSetNonEmpty : isSet) return raw ?? '';
      throw new Error(
        `required variable ${name} is missing a value: ${interpolateCompose(operand, variables)}`,
      );
    default:
      throw new Error(`invalid interpolation "\${${expression}}"`);
  }
}

/**
 * Normalises a Compose mapping (`environment`, `build.args`) given as a list (`- KEY=value`,
 * `- KEY`) or a map (`KEY: value`, `KEY:`) to `Record<string, string>`. Numbers and booleans
 * become their text. An entry without a value takes it from `options.variables` and is left
 * out when that has none, as Compose leaves such a variable unset in the container.
 */
export function composeMapping(
  mapping: ComposeMapping | undefined,
  options: ComposeValueOptions = {},
): Record<string, string> {
  const variables = options.variables ?? {};
  const interpolate = options.interpolate ?? true;
  const resolve = (value: string) => (interpolate ? interpolateCompose(value, variables) : value);
  const result: Record<string, string> = {};
  if (mapping === undefined) return result;

  const put = (key: string, value: ComposeScalar | undefined) => {
    if (key.length === 0) throw new Error('empty variable name in a compose mapping');
    if (value === null || value === undefined) {
      const fromVariables = variables[key];
      if (fromVariables !== undefined) result[key] = fromVariables;
      return;
    }
    result[key] = typeof value === 'string' ? resolve(value) : String(value);
  };

  if (Array.isArray(mapping)) {
    for (const entry of mapping) {
      if (typeof entry !== 'string') {
        throw new Error(
          `compose mapping list entries must be strings, got ${JSON.stringify(entry)}`,
        );
      }
      const eq = entry.indexOf('=');
      if (eq === -1) put(entry.trim(), undefined);
      else put(entry.slice(0, eq).trim(), entry.slice(eq + 1));
    }
    return result;
  }
  if (!isRecord(mapping)) throw new Error('a compose mapping must be a list or a map');
  for (const [key, value] of Object.entries(mapping)) put(key, value);
  return result;
}

/**
 * The environment a service's container gets from its `environment` key, in either form,
 * as `Record<string, string>` (interpolated, see `ComposeValueOptions`). `env_file` is not read.
 */
export function composeServiceEnvironment(
  compose: ComposeFile,
  serviceName: string,
  options: ComposeValueOptions = {},
): Record<string, string> {
  return composeMapping(composeService(compose, serviceName).environment, options);
}

/** The `build.args` of a service (empty when it has none or uses the short `build: <dir>`). */
export function composeBuildArgs(
  compose: ComposeFile,
  serviceName: string,
  options: ComposeValueOptions = {},
): Record<string, string> {
  const build = composeService(compose, serviceName).build;
  return typeof build === 'object' && build !== null ? composeMapping(build.args, options) : {};
}

/**
 * `depends_on` as a map in both syntaxes. Entries of the short (list) syntax have no
 * `condition` (Compose treats them as `service_started`), so a caller can tell them apart.
 */
export function composeDependsOn(service: ComposeService): Record<string, ComposeDependency> {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return {};
  if (Array.isArray(dependsOn)) {
    return Object.fromEntries(dependsOn.map((name) => [name, {}]));
  }
  return { ...dependsOn };
}

/**
 * One-shot jobs: services that another service waits for with
 * `condition: service_completed_successfully` (e.g. topic provisioning), and services that
 * never restart and have no healthcheck (e.g. a registration step nothing waits for). They
 * exit, so they have no healthcheck.
 */
export function composeOneShotServices(compose: ComposeFile): string[] {
  const oneShot = new Set<string>();
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.restart === 'no' && service.healthcheck === undefined) oneShot.add(name);
  }
  for (const service of Object.values(compose.services)) {
    for (const [name, dependency] of Object.entries(composeDependsOn(service))) {
      if (dependency.condition === 'service_completed_successfully') oneShot.add(name);
    }
  }
  return [...oneShot].sort();
}

/** One published port: `published` is undefined when Docker picks the host port. */
export interface ComposePublishedPort {
  target: number;
  published: number | undefined;
  protocol: string;
  hostIp: string | undefined;
}

function toPort(value: string | number, what: string): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid ${what} port ${JSON.stringify(value)}`);
  }
  return port;
}

function portRange(text: string, what: string): number[] {
  const [from, to] = text.split('-');
  if (to === undefined) return [toPort(from, what)];
  const start = toPort(from, what);
  const end = toPort(to, what);
  if (end < start) throw new Error(`invalid ${what} port range ${text}`);
  return Array.from({ length: end - start + 1 }, (_, k) => start + k);
}

/**
 * The `ports` of a service in both syntaxes, one entry per container port (ranges are
 * expanded): short `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` and the long map form.
 * Values are interpolated first (`"${PG_PORT:-5432}:5432"`).
 */
export function composePublishedPorts(
  service: ComposeService,
  options: ComposeValueOptions = {},
): ComposePublishedPort[] {
  const interpolate = options.interpolate ?? true;
  const resolve = (value: string) =>
    interpolate ? interpolateCompose(value, options.variables ?? {}) : value;
  const result: ComposePublishedPort[] = [];
  for (const entry of service.ports ?? []) {
    if (typeof entry === 'number') {
      result.push({
        target: toPort(entry, 'container'),
        published: undefined,
        protocol: 'tcp',
        hostIp: undefined,
      });
      continue;
    }
    if (typeof entry === 'object') {
      const target = toPort(
        typeof entry.target === 'string' ? resolve(entry.target) : entry.target,
        'container',
      );
      const published =
        entry.published === undefined || entry.published === ''
          ? undefined
          : toPort(
              typeof entry.published === 'string' ? resolve(entry.published) : entry.published,
              'host',
            );
      result.push({ target, published, protocol: entry.protocol ?? 'tcp', hostIp: entry.host_ip });
      continue;
    }
    const text = resolve(entry);
    const slash = text.lastIndexOf('/');
    const protocol = slash === -1 ? 'tcp' : text.slice(slash + 1);
    const spec = slash === -1 ? text : text.slice(0, slash);
    // An IPv6 host address is bracketed: [::1]:8080:80
    const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(spec);
    const parts = ipv6 !== null ? [ipv6[1], ...ipv6[2].split(':')] : spec.split(':');
    if (parts.length < 1 || parts.length > 3) throw new Error(`invalid port mapping "${text}"`);
    const containerPorts = portRange(parts[parts.length - 1], 'container');
    const hostText = parts.length >= 2 ? parts[parts.length - 2] : '';
    const hostPorts = hostText === '' ? undefined : portRange(hostText, 'host');
    const hostIp = parts.length === 3 ? parts[0] : undefined;
    if (
      hostPorts !== undefined &&
      hostPorts.length !== containerPorts.length &&
      hostPorts.length !== 1
    ) {
      throw new Error(`port mapping "${text}": host and container ranges differ in size`);
    }
    containerPorts.forEach((target, k) => {
      const published =
        hostPorts === undefined ? undefined : hostPorts.length === 1 ? hostPorts[0] : hostPorts[k];
      result.push({ target, published, protocol, hostIp });
    });
  }
  return result;
}

/** An `image:` of the form `${VAR:-default}`: the variable and its default (the official image). */
export function composeImageVariable(
  image: string | undefined,
): { variable: string; defaultImage: string } | undefined {
  const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*):-([^}]+)\}$/.exec(image ?? '');
  return match === null ? undefined : { variable: match[1], defaultImage: match[2] };
}
