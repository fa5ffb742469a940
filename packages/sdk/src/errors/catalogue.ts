/** What a code means and what the user should do; rendered into each package README's table. */
export interface ErrorCodeInfo {
  readonly meaning: string;
  readonly fix: string;
}

export type ErrorCatalogue = Readonly<Record<string, ErrorCodeInfo>>;

/**
 * Parses the `| code | meaning | fix |` table under a README's "Error codes" heading and lists
 * the codes that are in the catalogue but not the docs, and the reverse. Each package's test
 * calls this so the docs table and `errors.ts` cannot drift apart.
 */
export function diffErrorDocs(readme: string, catalogue: ErrorCatalogue): { missingFromDocs: string[]; missingFromCode: string[] } {
  const section = readme.split(/^##+ Error codes\s*$/m)[1]?.split(/^##? /m)[0] ?? '';
  const documented = new Set<string>();
  for (const match of section.matchAll(/^\|\s*`?(FE_[A-Z0-9_]+)`?\s*\|/gm)) documented.add(match[1] as string);
  const codes = Object.keys(catalogue);
  return {
    missingFromDocs: codes.filter((code) => !documented.has(code)),
    missingFromCode: [...documented].filter((code) => !(code in catalogue)),
  };
}
