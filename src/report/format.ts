import { styleText } from 'node:util';

/** Colours only on a terminal, and never when NO_COLOR is set. */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && process.env.NO_COLOR === undefined;
}

export interface Paint {
  ok(text: string): string;
  bad(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function paint(color: boolean): Paint {
  const wrap = (format: Parameters<typeof styleText>[0]) => (text: string) =>
    color ? styleText(format, text) : text;
  return { ok: wrap('green'), bad: wrap('red'), dim: wrap('dim'), bold: wrap('bold') };
}

/** Seconds with a sensible precision: 0.004 s, 1.80 s, 12.3 s. */
export function seconds(ms: number): string {
  const s = ms / 1000;
  if (s < 0.01) return `${s.toFixed(3)} s`;
  if (s < 10) return `${s.toFixed(2)} s`;
  return `${s.toFixed(1)} s`;
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}
