// The CLI under test scaffolds from template/, the copy of templates/plugin that this package's
// `npm run build` makes and a bare `npx tsc -b` does not. Copy it afresh before any test, so an
// edit to templates/plugin is what the tests check, never a stale copy.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/copy-template.mjs', import.meta.url))], { stdio: 'inherit' });
}
