import { systemClock } from './clock.ts';
import { runCli } from './cli/cli.ts';

// The operator CLI: `npm run keys -- <command>` from the repository root.
process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  clock: systemClock,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
