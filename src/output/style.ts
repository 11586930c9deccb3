/** Terminal styling; a no-op style when colour is off (not a TTY, NO_COLOR set, or --no-color). */
export interface Style {
  /** True when the style writes ANSI colour sequences (the only escape sequences a text output may then carry). */
  readonly ansi: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
}

/** SGR parameters {@link colourStyle} writes: bold, dim, normal intensity, red, green, yellow, blue, default colour. */
export const STYLE_SGR_CODES = [1, 2, 22, 31, 32, 33, 34, 39] as const;
type SgrCode = (typeof STYLE_SGR_CODES)[number];

const wrap = (open: SgrCode, close: SgrCode) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const colourStyle: Style = {
  ansi: true,
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
};

const id = (s: string) => s;
export const plainStyle: Style = { ansi: false, bold: id, dim: id, red: id, green: id, yellow: id, blue: id };
