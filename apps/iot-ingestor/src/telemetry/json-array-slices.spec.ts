import fc from 'fast-check';
import { jsonArraySlices } from './json-array-slices';

const texts = (slices: Buffer[]) => slices.map((s) => s.toString('utf8'));

describe('jsonArraySlices', () => {
  it('cuts a batch into the exact bytes of each element', () => {
    const payload = Buffer.from('[ {"a":1} ,\n  {"b":"x,]}"} , 3,"s\\"]" ,[1,[2]] ]');
    expect(texts(jsonArraySlices(payload))).toEqual([
      '{"a":1}',
      '{"b":"x,]}"}',
      '3',
      '"s\\"]"',
      '[1,[2]]',
    ]);
  });

  it('answers no element for an empty array', () => {
    expect(jsonArraySlices(Buffer.from('[]'))).toEqual([]);
    expect(jsonArraySlices(Buffer.from(' [ \n ] '))).toEqual([]);
  });

  it('keeps multi-byte UTF-8 untouched and skips a byte-order mark', () => {
    const payload = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('[{"t":"é€😀"},1]'),
    ]);
    expect(texts(jsonArraySlices(payload))).toEqual(['{"t":"é€😀"}', '1']);
  });

  it('refuses input that is not an array', () => {
    expect(() => jsonArraySlices(Buffer.from('{"a":1}'))).toThrow(SyntaxError);
    expect(() => jsonArraySlices(Buffer.from('[1,2'))).toThrow(SyntaxError);
  });

  it('property: every slice parses to the element JSON.parse sees, whatever the spacing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue()),
        fc.constantFrom(undefined, 0, 1, 2, '\t'),
        (items, indent) => {
          const payload = Buffer.from(JSON.stringify(items, null, indent));
          const parsed = JSON.parse(payload.toString('utf8')) as unknown[];
          const slices = jsonArraySlices(payload);
          expect(slices.map((s) => JSON.parse(s.toString('utf8')) as unknown)).toEqual(parsed);
        },
      ),
      { numRuns: 300 },
    );
  });
});
