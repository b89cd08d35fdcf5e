/** `strata topics`: being written (issue 7). Until then it answers with a usage error. */
export const usage: string[] = [];

export function run(argv: string[]): number {
  void argv;
  console.error('strata topics: not available yet');
  return 2;
}
