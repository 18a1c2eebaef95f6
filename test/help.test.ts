import test from 'ava';
import { describe, runCli } from './helpers/tiny.js';

const COMMANDS = ['train', 'bench', 'report', 'sample', 'export'];

/** The option entries of commander's help: a line starting with a flag, and its indented continuation lines. */
function optionEntries(help: string): string[] {
  const section = help.split(/\nOptions:\n/)[1]?.split(/\n\n/)[0] ?? '';
  const entries: string[] = [];
  for (const line of section.split('\n')) {
    if (/^ {2}-/.test(line)) entries.push(line.trim());
    else if (entries.length) entries[entries.length - 1] += ' ' + line.trim();
  }
  return entries;
}

test('dgan --help names every command and shows examples', async (t) => {
  const r = await runCli(['--help']);
  t.is(r.code, 0, describe(r));
  for (const c of COMMANDS) t.regex(r.stdout, new RegExp(`^  ${c} `, 'm'), c);
  t.regex(r.stdout, /Examples:\n {2}dgan /);
});

for (const command of COMMANDS) {
  test(`dgan ${command} --help gives every option's default and an example`, async (t) => {
    const r = await runCli([command, '--help']);
    t.is(r.code, 0, describe(r));
    const entries = optionEntries(r.stdout).filter((e) => !e.startsWith('-h, --help'));
    if (command !== 'report') t.true(entries.length > 1, r.stdout);
    for (const e of entries) t.regex(e, /\(.*(default: |required)/, e);
    t.regex(r.stdout, new RegExp(`Examples:\\n {2}dgan ${command}`));
  });
}
