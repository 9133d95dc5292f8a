// Reads a Dockerfile into its stages and instructions, enough for tests to run the image's
// start command as written and check what the runtime stage copies. Not a full parser:
// heredocs, parser directives other than `syntax` and ARG substitution are refused or ignored.
import { readFileSync } from 'node:fs';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/** Instructions grouped by FROM, line continuations joined, comments dropped. */
export function readDockerfile(path: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (pending === '' && /^\s*(#|$)/.test(line)) continue;
    if (/^\s*#/.test(line)) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  const stages: Array<{ from: string; name?: string; instructions: Instruction[] }> = [];
  for (const text of logical) {
    const match = /^([A-Za-z]+)\s+(.*)$/s.exec(text);
    if (match === null) throw new Error(`unreadable Dockerfile line: ${text}`);
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (args.includes('<<')) throw new Error(`heredocs are not supported here: ${text}`);
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (from === null) throw new Error(`unreadable FROM: ${text}`);
      stages.push({ from: from[1]!, ...(from[2] === undefined ? {} : { name: from[2] }), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) throw new Error(`${keyword} before any FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** The last value of `keyword` in `stage`, in exec (JSON array) form; throws on shell form. */
export function execForm(stage: Stage, keyword: 'ENTRYPOINT' | 'CMD'): string[] {
  const instruction = stage.instructions.findLast((each) => each.keyword === keyword);
  if (instruction === undefined) return [];
  const parsed: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`${keyword} is not in exec form: ${instruction.args}`);
  }
  return parsed;
}

/** Every variable the stage's ENV instructions set (`ENV A=1 B="two"`; the old `ENV A 1` too). */
export function envOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    if (!/^\S+=/.test(args)) {
      const [name, ...value] = args.split(/\s+/);
      env[name!] = value.join(' ');
      continue;
    }
    for (const pair of args.matchAll(/(\S+?)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      env[pair[1]!] = pair[2]!.startsWith('"') ? (JSON.parse(pair[2]!) as string) : pair[2]!;
    }
  }
  return env;
}

/** The stage's instructions of one kind, e.g. every COPY. */
export function instructionsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((each) => each.keyword === keyword).map((each) => each.args);
}
