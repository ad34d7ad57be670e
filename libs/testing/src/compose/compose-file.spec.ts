import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  composeDependsOn,
  composeMapping,
  composePublishedPorts,
  composeServiceEnvironment,
  interpolateCompose,
  loadComposeFile,
} from './compose-file';

describe('compose helpers', () => {
  it('normalises list and map environments alike', () => {
    const variables = { FROM_SHELL: 'shell' };
    const list = composeMapping(
      ['A=1', 'B=x=y', 'EMPTY=', 'FROM_SHELL', 'UNSET', 'LEVEL=${LOG_LEVEL:-info}'],
      { variables },
    );
    const map = composeMapping(
      { A: 1, B: 'x=y', EMPTY: '', FROM_SHELL: null, UNSET: null, LEVEL: '${LOG_LEVEL:-info}' },
      { variables },
    );
    const expected = { A: '1', B: 'x=y', EMPTY: '', FROM_SHELL: 'shell', LEVEL: 'info' };
    expect(list).toEqual(expected);
    expect(map).toEqual(expected);
    expect(composeMapping({ ON: true, OFF: false, N: 3.5 })).toEqual({
      ON: 'true',
      OFF: 'false',
      N: '3.5',
    });
    expect(composeMapping(['X=${Y}'], { interpolate: false })).toEqual({ X: '${Y}' });
    expect(composeMapping(undefined)).toEqual({});
  });

  it('interpolates like Compose', () => {
    const v = { SET: 'v', EMPTY: '' };
    expect(interpolateCompose('a$$b', v)).toBe('a$b');
    expect(interpolateCompose('$SET-${SET}', v)).toBe('v-v');
    expect(interpolateCompose('${NOPE}', v)).toBe('');
    expect(interpolateCompose('${EMPTY:-d} ${EMPTY-d} ${NOPE-d}', v)).toBe('d  d');
    expect(interpolateCompose('${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt}', v)).toBe('alt  alt');
    expect(interpolateCompose('${NOPE:-${ALSO:-deep}}', v)).toBe('deep');
    expect(interpolateCompose('${SET:?needed}', v)).toBe('v');
    expect(() => interpolateCompose('${EMPTY:?needed}', v)).toThrow(/EMPTY.*needed/);
    expect(() => interpolateCompose('${NOPE?needed}', v)).toThrow(/NOPE/);
    expect(() => interpolateCompose('${unterminated', v)).toThrow(/unterminated/);
  });

  it('reads both port syntaxes', () => {
    const ports = composePublishedPorts(
      {
        ports: [
          '3001:3001',
          '${PG:-5432}:5432',
          '127.0.0.1:8080:80/udp',
          '[::1]:9000:9000',
          '7000-7001:8000-8001',
          '6000',
          4000,
          { target: 80, published: '8081', protocol: 'tcp' },
        ],
      },
      { variables: { PG: '15432' } },
    );
    expect(ports).toEqual([
      { target: 3001, published: 3001, protocol: 'tcp', hostIp: undefined },
      { target: 5432, published: 15432, protocol: 'tcp', hostIp: undefined },
      { target: 80, published: 8080, protocol: 'udp', hostIp: '127.0.0.1' },
      { target: 9000, published: 9000, protocol: 'tcp', hostIp: '::1' },
      { target: 8000, published: 7000, protocol: 'tcp', hostIp: undefined },
      { target: 8001, published: 7001, protocol: 'tcp', hostIp: undefined },
      { target: 6000, published: undefined, protocol: 'tcp', hostIp: undefined },
      { target: 4000, published: undefined, protocol: 'tcp', hostIp: undefined },
      { target: 80, published: 8081, protocol: 'tcp', hostIp: undefined },
    ]);
    expect(() => composePublishedPorts({ ports: ['x:80'] })).toThrow(/invalid host port/);
  });

  it('maps the short depends_on syntax to entries without a condition', () => {
    expect(composeDependsOn({ depends_on: ['a', 'b'] })).toEqual({ a: {}, b: {} });
    expect(composeDependsOn({})).toEqual({});
  });

  describe('loadComposeFile', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'compose-file-'));
    });
    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const write = (text: string) => {
      const file = path.join(dir, 'compose.yml');
      writeFileSync(file, text);
      return file;
    };

    it('resolves anchors and merge keys', () => {
      const compose = loadComposeFile(
        write(
          [
            'x-env: &env',
            '  A: "1"',
            'services:',
            '  one:',
            '    image: busybox',
            '    environment:',
            '      <<: *env',
            '      B: "2"',
            '  two:',
            '    image: busybox',
            '    environment: ["C=3"]',
          ].join('\n'),
        ),
      );
      expect(composeServiceEnvironment(compose, 'one')).toEqual({ A: '1', B: '2' });
      expect(composeServiceEnvironment(compose, 'two')).toEqual({ C: '3' });
      expect(() => composeServiceEnvironment(compose, 'three')).toThrow(
        /no service "three".*one, two/,
      );
    });

    it('rejects invalid YAML and files without services', () => {
      expect(() => loadComposeFile(write('services: [unclosed'))).toThrow(/invalid YAML/);
      expect(() => loadComposeFile(write('name: x\n'))).toThrow(/"services" is missing/);
      expect(() => loadComposeFile(write('services:\n  a: 1\n'))).toThrow(
        /service "a" is not a map/,
      );
    });
  });
});
