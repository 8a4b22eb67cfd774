/** A boot-time invariant that does not hold; its message says what is wrong and how to fix it. */
export class StartupError extends Error {
  constructor(
    problem: string,
    readonly fix: string,
  ) {
    super(`${problem}\n${fix}`);
    this.name = 'StartupError';
  }
}
