/** Options every command shares. */
export interface OutputOptions {
  json?: boolean;
}

/** Prints `data` as JSON with `--json`, else the human text. */
export function print(options: OutputOptions, data: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(data)}\n` : `${human()}\n`);
}
