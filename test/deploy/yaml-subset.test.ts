// The manifest reader the deploy tests rely on reads what it claims and refuses the rest.
import { describe, expect, it } from 'vitest';
import { parseYamlSubset } from '../support/yaml-subset.ts';

describe('parseYamlSubset', () => {
  it('reads nested mappings, sequences at the key indent, item mappings and typed scalars', () => {
    const text = [
      '# a comment',
      'kind: Pod',
      'spec:',
      '  replicas: 2',
      '  ports:',
      '  - name: grpc   # trailing comment',
      '    port: 8080',
      '    open: true',
      '  - name: "x: y"',
      '    nothing: null',
      '  args:',
      "    - 'it''s'",
      '    - "8080"',
      '  empty:',
    ].join('\n');
    expect(parseYamlSubset(text)).toEqual({
      kind: 'Pod',
      spec: {
        replicas: 2,
        ports: [
          { name: 'grpc', port: 8080, open: true },
          { name: 'x: y', nothing: null },
        ],
        args: ["it's", '8080'],
        empty: null,
      },
    });
  });

  it.each([
    ['an anchor', 'a: &x 1'],
    ['a flow mapping', 'a: {b: 1}'],
    ['a block scalar', 'a: |\n  text'],
    ['a second document', 'a: 1\n---\nb: 2'],
    ['a duplicate key', 'a: 1\na: 2'],
    ['a YAML 1.1 boolean', 'a: yes'],
    ['stray indentation', 'a: 1\n   b: 2'],
    ['an unquoted ": " in a value', 'a: b: c'],
  ])('refuses %s', (_, text) => {
    expect(() => parseYamlSubset(text)).toThrow(/line \d+/);
  });
});
