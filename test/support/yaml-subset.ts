// A reader for the plain block YAML that Kubernetes manifests are written in (mappings,
// sequences, scalars, comments), so the deploy/ manifests are checked without adding a
// YAML dependency. Anything outside that subset (anchors, tags, flow collections, block
// scalars, several documents) is refused rather than misread: a manifest that needs it
// needs a real parser here first.

type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

interface Line {
  readonly number: number;
  readonly indent: number;
  readonly text: string;
}

/** Parses one YAML document of the supported subset. */
export function parseYamlSubset(source: string): Value {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    if (/^\s*(#.*)?$/.test(raw)) return;
    if (raw.includes('\t')) throw new Error(`line ${index + 1}: tab in indentation`);
    if (/^(---|\.\.\.)\s*$/.test(raw)) throw new Error(`line ${index + 1}: one document per file`);
    const indent = raw.length - raw.trimStart().length;
    lines.push({ number: index + 1, indent, text: raw.trim() });
  });
  let position = 0;

  const fail = (line: Line, why: string): never => {
    throw new Error(`line ${line.number}: ${why}: ${line.text}`);
  };

  function block(indent: number): Value {
    const line = lines[position]!;
    return isItem(line.text) ? sequence(indent) : mapping(indent);
  }

  // A key's value on the following lines: deeper, or a sequence at the key's own indent.
  function nested(parentIndent: number): Value {
    const next = lines[position];
    if (next === undefined || next.indent < parentIndent) return null;
    if (next.indent > parentIndent) return block(next.indent);
    return isItem(next.text) ? sequence(parentIndent) : null;
  }

  function mapping(indent: number): Value {
    const result: Record<string, Value> = {};
    while (position < lines.length) {
      const line = lines[position]!;
      if (line.indent < indent || (line.indent === indent && isItem(line.text))) break;
      if (line.indent > indent) fail(line, 'unexpected indentation');
      const entry = /^("[^"]*"|[A-Za-z0-9_.\/-]+):(?:\s+(.*))?$/.exec(line.text) ?? fail(line, 'expected "key: value"');
      const key = entry[1]!.startsWith('"') ? (JSON.parse(entry[1]!) as string) : entry[1]!;
      if (key in result) fail(line, `duplicate key ${key}`);
      position += 1;
      result[key] = entry[2] === undefined ? nested(indent) : scalar(entry[2], line);
    }
    return result;
  }

  function sequence(indent: number): Value {
    const result: Value[] = [];
    while (position < lines.length) {
      const line = lines[position]!;
      if (line.indent !== indent || !isItem(line.text)) {
        if (line.indent > indent) fail(line, 'unexpected indentation');
        break;
      }
      const content = line.text.slice(1).trimStart();
      const contentIndent = indent + (line.text.length - content.length);
      if (content === '') {
        position += 1;
        result.push(nested(indent + 1));
      } else if (/^("[^"]*"|[A-Za-z0-9_.\/-]+):(\s|$)/.test(content)) {
        // `- key: value` opens a mapping whose later keys align with this first one.
        lines[position] = { number: line.number, indent: contentIndent, text: content };
        result.push(mapping(contentIndent));
      } else {
        position += 1;
        result.push(scalar(content, line));
      }
    }
    return result;
  }

  const value = lines.length === 0 ? null : block(lines[0]!.indent);
  if (position < lines.length) fail(lines[position]!, 'unexpected indentation');
  return value;
}

function isItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

function scalar(raw: string, line: Line): Value {
  if (raw.startsWith('"')) {
    const quoted = /^("(?:[^"\\]|\\.)*")\s*(#.*)?$/.exec(raw);
    if (quoted === null) throw new Error(`line ${line.number}: unterminated string: ${raw}`);
    return JSON.parse(quoted[1]!) as string;
  }
  if (raw.startsWith("'")) {
    const quoted = /^'((?:[^']|'')*)'\s*(#.*)?$/.exec(raw);
    if (quoted === null) throw new Error(`line ${line.number}: unterminated string: ${raw}`);
    return quoted[1]!.replaceAll("''", "'");
  }
  const text = raw.replace(/\s+#.*$/, '');
  if (/^[[{&*!|>%@`]/.test(text)) throw new Error(`line ${line.number}: unsupported YAML syntax: ${text}`);
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null' || text === '~') return null;
  // YAML 1.1 readers (Kubernetes' among them) take these as booleans: make the author quote them.
  if (/^(yes|no|on|off|y|n)$/i.test(text)) throw new Error(`line ${line.number}: ambiguous boolean, quote it: ${text}`);
  if (/:\s/.test(text)) throw new Error(`line ${line.number}: unquoted ": " in a value: ${text}`);
  return text;
}
