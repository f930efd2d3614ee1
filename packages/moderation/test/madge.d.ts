// The part of madge's API the contract test uses (madge ships no types).
declare module 'madge' {
  interface MadgeResult {
    /** Each module (relative to `baseDir`) and the modules it imports. */
    obj(): Record<string, string[]>;
  }
  interface MadgeConfig {
    baseDir?: string;
    fileExtensions?: string[];
    includeNpm?: boolean;
    detectiveOptions?: Record<string, unknown>;
  }
  export default function madge(path: string, config?: MadgeConfig): Promise<MadgeResult>;
}
